"""Frozen-model clip embeddings for a dataset subset: extract once, cache on disk, reuse.

Each video gives K uniformly spaced clips (VCOP's sliding window, `uniform_clips`), decoded in
one pass (each distinct frame once) inside DataLoader workers, each clip resized and cropped
(1 centre crop, or left/centre/right for 3 crops), then embedded in batches under
`torch.inference_mode`. Result: `ExtractedFeatures` with clip embeddings (V, K*crops, D), ordered
clip-major (row k*crops + c = clip k, crop c).

The cache key hashes the model's weights sha256, the dataset (name, resolved root, split,
subset, and a listing of the video files' sizes and mtimes, so a regenerated dataset is not
served stale features) and every feature parameter. Files: `<cache>/<key>/features.npz` and
`manifest.json` (written last, with the npz's sha256): a cache entry without a manifest is
never read.
"""

from __future__ import annotations

import dataclasses
import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np

from ssvzoo.errors import ConfigError, DatasetError
from ssvzoo.utils.io import atomic_path, sha256_file, sha256_json, write_json_atomic

FEATURE_KINDS = ("gap", "conv5_maxpool_flat")
CROP_ORDER = {1: ("center",), 3: ("left", "center", "right")}
CACHE_FORMAT = "ssvzoo.features/1"
BASE_SIZE = 112  # VCOP / RSPNet / CSVR test pre-processing: resize 128x171, crop 112
# Short side to 128: exactly VCOP's 128x171 on the 4:3 frames of UCF101/HMDB51, and no
# stretching on other aspect ratios (Kinetics, SSv2, square SynthActions).
BASE_RESIZE = 128


@dataclass(frozen=True)
class FeatureParams:
    """How clips are cut and embedded; all of it goes into the protocol fingerprint."""

    clips: int = 10
    frames: int = 16
    stride: int = 1
    resize: int | tuple[int, int] = BASE_RESIZE  # int = short side; (h, w) = exact size
    crop: int = BASE_SIZE
    crops: int = 1
    feature: str = "gap"

    def __post_init__(self):
        if self.crops not in CROP_ORDER:
            raise ConfigError(f"crops must be 1 (centre) or 3 (left/centre/right), got {self.crops}")
        if self.feature not in FEATURE_KINDS:
            raise ConfigError(f"feature must be one of {', '.join(FEATURE_KINDS)}, got "
                              f"{self.feature!r}")
        if self.clips < 1 or self.frames < 1:
            raise ConfigError(f"clips and frames must be >= 1, got {self.clips}, {self.frames}")

    def as_dict(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        d["resize"] = self.resize if isinstance(self.resize, int) else list(self.resize)
        return d


def feature_params_for(input_spec, clips: int = 10, crops: int = 1, frames: int | None = None,
                       feature: str = "gap") -> FeatureParams:
    """Defaults scaled to the model: crop = its input size, short side 128 scaled alike, the
    temporal stride of its input spec.

    A 112-px model gets the papers' short side 128 -> crop 112; a 64-px `-tiny` model 73 -> 64.
    """
    size = int(getattr(input_spec, "size", BASE_SIZE))
    resize = round(BASE_RESIZE * size / BASE_SIZE)
    return FeatureParams(clips=clips, frames=frames or int(getattr(input_spec, "frames", 16)),
                         stride=int(getattr(input_spec, "stride", 1)),
                         resize=resize, crop=size, crops=crops, feature=feature)


@dataclass
class ExtractedFeatures:
    """Embeddings of one dataset subset; rows follow `paths` (unreadable videos left out)."""

    clip_embeddings: np.ndarray  # (V, K*crops, D) float32
    labels: np.ndarray  # (V,) int64
    paths: list[str]
    clip_frames: np.ndarray  # (V, K, T) int64 frame indices of each clip
    fps: np.ndarray  # (V,) float32
    classes: list[str]
    skipped: list[str] = field(default_factory=list)
    params: dict = field(default_factory=dict)
    from_cache: bool = False
    cache_dir: Path | None = None

    @property
    def video_embeddings(self) -> np.ndarray:
        """(V, D) mean of each video's clip embeddings (not normalised)."""
        return self.clip_embeddings.mean(axis=1)

    def __len__(self) -> int:
        return len(self.paths)


class MultiCropClips:
    """Sample builder: K uniform clips x crops from one decode of the union of their frames.

    `(video, rng) -> {"clips": (K*crops, C, T, H, W), "frame_indices": (K, T), "fps": ()}`.
    """

    def __init__(self, params: FeatureParams, mean, std):
        from ssvzoo.data.samplers import UniformClipSampler
        from ssvzoo.data.transforms import eval_transform

        self.sampler = UniformClipSampler(params.frames, params.stride, params.clips)
        self.transforms = [eval_transform(params.resize if isinstance(params.resize, int)
                                          else tuple(params.resize), params.crop, position, mean, std)
                           for position in CROP_ORDER[params.crops]]

    def __call__(self, video, rng=None) -> dict:
        import torch

        indices = self.sampler(video.info.num_frames)  # (K, T)
        flat = video.frames(indices.reshape(-1))  # (K*T, H, W, 3), each frame decoded once
        frames = flat.reshape(indices.shape + flat.shape[1:])  # (K, T, H, W, 3)
        clips = [t(clip) for clip in frames for t in self.transforms]  # K*crops x (C, T, H, W)
        return {"clips": torch.stack(clips), "frame_indices": torch.from_numpy(indices),
                "fps": torch.tensor(float(video.info.fps))}


def embed_fn(backbone, feature: str) -> Callable:
    """clips (B, C, T, H, W) -> (B, D) embeddings of the chosen kind."""
    import torch.nn.functional as F

    if feature == "gap":
        return backbone.embed

    def conv5_maxpool_flat(x):
        # VCOP's retrieval feature: last stage max-pooled (1, 2, 2), flattened (not averaged).
        fmap = backbone.forward_features(x)  # (B, C, T', H', W')
        kh, kw = min(2, fmap.shape[-2]), min(2, fmap.shape[-1])
        return F.max_pool3d(fmap, (1, kh, kw), (1, kh, kw)).flatten(1)

    return conv5_maxpool_flat


def run_extraction(dataset, forward: Callable, *, clips_per_video: int, device,
                   batch_size: int = 32, workers: int = 2,
                   description: str = "extract") -> dict[str, Any]:
    """Run `forward` on every clip of `dataset` (items from `MultiCropClips`).

    Returns numpy arrays `outputs` (V, N, D), `labels`, `indices` (dataset rows),
    `frame_indices`, `fps` and the `skipped` paths (unreadable videos, in dataset order).
    The loader's batch is a few videos; the forward runs on at most `batch_size` clips at once.
    """
    import torch
    from torch.utils.data import DataLoader

    from ssvzoo.data.datasets import collate_skip_failed
    from ssvzoo.utils.console import progress

    outputs, labels, rows, frame_idx, fps, skipped = [], [], [], [], [], []
    loader = DataLoader(dataset, batch_size=max(1, batch_size // clips_per_video),
                        shuffle=False, num_workers=workers, collate_fn=collate_skip_failed)
    with progress() as bar, torch.inference_mode():
        task = bar.add_task(description, total=len(dataset), info="")
        for batch in loader:
            skipped += batch["failed_paths"]
            if "clips" in batch:
                clips = batch["clips"]  # (B, N, C, T, H, W)
                b, n = clips.shape[:2]
                flat = clips.flatten(0, 1)  # (B*N, C, T, H, W)
                out = torch.cat([forward(flat[i:i + batch_size].to(device)).float().cpu()
                                 for i in range(0, len(flat), batch_size)])  # (B*N, D)
                outputs.append(out.reshape(b, n, -1).numpy())
                labels.append(batch["label"].numpy())
                rows.append(batch["index"].numpy())
                frame_idx.append(batch["frame_indices"].numpy())
                fps.append(batch["fps"].numpy())
            bar.advance(task, len(batch.get("index", [])) + len(batch["failed_paths"]))
            if skipped:
                bar.update(task, info=f"[yellow]{len(skipped)} unreadable")
    if not outputs:
        return {"outputs": np.zeros((0, clips_per_video, 0), np.float32), "skipped": skipped,
                "labels": np.zeros(0, np.int64), "indices": np.zeros(0, np.int64),
                "frame_indices": np.zeros((0, 0, 0), np.int64), "fps": np.zeros(0, np.float32)}
    return {"outputs": np.concatenate(outputs).astype(np.float32),
            "labels": np.concatenate(labels).astype(np.int64),
            "indices": np.concatenate(rows).astype(np.int64),
            "frame_indices": np.concatenate(frame_idx).astype(np.int64),
            "fps": np.concatenate(fps).astype(np.float32), "skipped": skipped}


def default_cache_dir() -> Path:
    """`$SSVZOO_CACHE/features`, else `~/.cache/ssvzoo/features`."""
    env = os.environ.get("SSVZOO_CACHE")
    base = Path(env).expanduser() if env else Path.home() / ".cache" / "ssvzoo"
    return base / "features"


def dataset_listing_hash(records) -> str:
    """Hash of (path, label, size, mtime) of every video: changes when the files change."""
    items = []
    for r in records:
        try:
            st = os.stat(r.path)
            items.append((str(r.path), int(r.label), st.st_size, st.st_mtime_ns))
        except OSError:
            items.append((str(r.path), int(r.label), -1, -1))
    return sha256_json(items)


def cache_key(weights_sha256: str, dataset_name: str, root, split, subset: str,
              params: FeatureParams, input_spec: dict, listing: str) -> str:
    return sha256_json({"format": CACHE_FORMAT, "weights": weights_sha256,
                        "dataset": dataset_name, "root": str(Path(root).resolve()),
                        "split": split, "subset": subset, "params": params.as_dict(),
                        "input_spec": input_spec, "listing": listing})[:20]


def extract_features(model, dataset_name: str, root, split, subset: str,
                     params: FeatureParams, *, device="cpu", batch_size: int = 32,
                     workers: int = 2, cache_dir=None, use_cache: bool = True
                     ) -> ExtractedFeatures:
    """Embeddings of `subset` by the frozen `model` (a zoo `LoadedModel`), cached on disk."""
    from ssvzoo.data.datasets import create_dataset
    from ssvzoo.utils.console import console

    backbone = model.backbone
    spec = backbone.input_spec
    mean, std = tuple(spec.mean), tuple(spec.std)
    builder = MultiCropClips(params, mean, std)
    dataset = create_dataset(dataset_name, root, split=split, subset=subset,
                             sample_builder=builder)
    spec_dict = {"mean": list(mean), "std": list(std)}
    key = cache_key(model.weights_sha256, dataset_name, root, split, subset, params, spec_dict,
                    dataset_listing_hash(dataset.records))
    folder = Path(cache_dir or default_cache_dir()) / key
    if use_cache:
        cached = load_cached(folder)
        if cached is not None:
            console.print(f"[green]features[/]: reusing cache {folder} ({dataset_name} split "
                          f"{split} {subset}, {len(cached)} videos)")
            return cached
    if len(dataset) == 0:
        raise DatasetError(f"{dataset_name} split {split} {subset} has no videos under {root} "
                           f"({len(dataset.missing)} listed but missing); check --root")
    import torch

    backbone.eval().to(device)
    t0 = time.perf_counter()
    out = run_extraction(dataset, embed_fn(backbone, params.feature),
                         clips_per_video=params.clips * params.crops, device=torch.device(device),
                         batch_size=batch_size, workers=workers,
                         description=f"features {dataset_name} s{split} {subset}")
    feats = ExtractedFeatures(
        clip_embeddings=out["outputs"], labels=out["labels"],
        paths=[str(dataset.records[i].path) for i in out["indices"]],
        clip_frames=out["frame_indices"], fps=out["fps"], classes=list(dataset.classes),
        skipped=sorted(set(map(str, out["skipped"])) | {str(r.path) for r in dataset.missing}),
        params=params.as_dict(), cache_dir=folder)
    if len(feats) == 0:
        raise DatasetError(f"no readable video in {dataset_name} split {split} {subset} under "
                           f"{root} ({len(feats.skipped)} unreadable)")
    save_cached(folder, feats, {"key": key, "model_sha256": model.weights_sha256,
                                "dataset": dataset_name, "root": str(root), "split": split,
                                "subset": subset, "seconds": time.perf_counter() - t0})
    return feats


def save_cached(folder: Path, feats: ExtractedFeatures, meta: dict) -> None:
    """npz first, manifest (with the npz's sha256) last, each atomically."""
    folder.mkdir(parents=True, exist_ok=True)
    npz = folder / "features.npz"
    with atomic_path(npz) as tmp:
        with open(tmp, "wb") as f:
            np.savez(f, clip_embeddings=feats.clip_embeddings, labels=feats.labels,
                     clip_frames=feats.clip_frames, fps=feats.fps)
    write_json_atomic(folder / "manifest.json", {
        "format": CACHE_FORMAT, **meta, "npz_sha256": sha256_file(npz), "paths": feats.paths,
        "classes": feats.classes, "skipped": feats.skipped, "params": feats.params})


def load_cached(folder: Path) -> ExtractedFeatures | None:
    """The cached features, or None when absent, incomplete or corrupt (then re-extracted)."""
    manifest_path, npz = folder / "manifest.json", folder / "features.npz"
    try:
        manifest = json.loads(manifest_path.read_text())
        if manifest.get("format") != CACHE_FORMAT or sha256_file(npz) != manifest["npz_sha256"]:
            return None
        with np.load(npz, allow_pickle=False) as data:
            arrays = {k: data[k] for k in data.files}
    except (OSError, ValueError, KeyError):
        return None
    return ExtractedFeatures(
        clip_embeddings=arrays["clip_embeddings"], labels=arrays["labels"],
        paths=manifest["paths"], clip_frames=arrays["clip_frames"], fps=arrays["fps"],
        classes=manifest["classes"], skipped=manifest["skipped"], params=manifest["params"],
        from_cache=True, cache_dir=folder)


def write_open_format(feats: ExtractedFeatures, out_dir, dataset_name: str, split,
                      subset: str) -> Path:
    """Write `<out>/<dataset>/split<s>/<subset>/`: plain `.npy` arrays + an index.

    `video_embeddings.npy` (V, D) = mean over clips, `clip_embeddings.npy` (V, K*crops, D),
    `labels.npy` (V,), `clip_frames.npy` (V, K, T); `index.csv` and `index.json` list each
    video's row, path, label, class and clip start/end frames and times (seconds).
    """
    import csv
    import io

    folder = Path(out_dir) / dataset_name / f"split{split}" / subset
    folder.mkdir(parents=True, exist_ok=True)
    for name, array in (("video_embeddings", feats.video_embeddings),
                         ("clip_embeddings", feats.clip_embeddings), ("labels", feats.labels),
                         ("clip_frames", feats.clip_frames)):
        with atomic_path(folder / f"{name}.npy") as tmp:
            with open(tmp, "wb") as f:
                np.save(f, array)
    rows = []
    for i, path in enumerate(feats.paths):
        frames = feats.clip_frames[i]  # (K, T)
        fps = float(feats.fps[i]) or 1.0
        rows.append({"row": i, "path": path, "label": int(feats.labels[i]),
                     "class": feats.classes[int(feats.labels[i])],
                     "clip_start_frames": frames[:, 0].tolist(),
                     "clip_end_frames": frames[:, -1].tolist(),
                     "clip_start_s": [round(float(f) / fps, 4) for f in frames[:, 0]],
                     "clip_end_s": [round(float(f + 1) / fps, 4) for f in frames[:, -1]]})
    write_json_atomic(folder / "index.json", {
        "dataset": dataset_name, "split": split, "subset": subset, "params": feats.params,
        "clip_order": "clip-major: row k*crops + c = clip k, crop c",
        "crops": list(CROP_ORDER[int(feats.params.get("crops", 1))]),
        "skipped": feats.skipped, "videos": rows})
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(["row", "path", "label", "class", "clip_start_frames", "clip_end_frames",
                     "clip_start_s", "clip_end_s"])
    for r in rows:
        writer.writerow([r["row"], r["path"], r["label"], r["class"],
                         " ".join(map(str, r["clip_start_frames"])),
                         " ".join(map(str, r["clip_end_frames"])),
                         " ".join(map(str, r["clip_start_s"])), " ".join(map(str, r["clip_end_s"]))])
    with atomic_path(folder / "index.csv") as tmp:
        tmp.write_text(buf.getvalue())
    return folder
