"""Feature-extraction throughput of `ssvzoo eval`: decode vs model time, printed as JSON.

Writes a few generated videos (320x240, moving squares), then for each backbone measures, per
clip: decoding (PyAV, each needed frame once), pre-processing (resize + crop + normalise, the
eval transform) and the model's batched forward under `torch.inference_mode`, each on its own,
plus the end-to-end extraction through the eval DataLoader. `bound` says which stage limits
eval on this machine.

    python bench/eval_throughput.py --backbones r2plus1d_18-tiny,r2plus1d_18 --device cpu
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import numpy as np


def make_videos(folder: Path, n: int, frames: int, height: int = 240, width: int = 320) -> list[Path]:
    from ssvzoo.data.encode import write_video

    rng = np.random.default_rng(0)
    paths = []
    for i in range(n):
        video = np.full((frames, height, width, 3), 40, np.uint8)
        for t in range(frames):
            x = (5 * t + 17 * i) % (width - 40)
            video[t, 100:140, x:x + 40] = rng.integers(100, 255, 3, dtype=np.uint8)
        paths.append(write_video(folder / f"v{i}.mp4", video, fps=25))
    return paths


class FileDataset:
    """Minimal dataset over files with the VideoDataset item contract (clips, label, index)."""

    def __init__(self, paths, builder):
        self.paths, self.builder = paths, builder

    def __len__(self):
        return len(self.paths)

    def __getitem__(self, i):
        import torch

        from ssvzoo.data.decode import Video

        with Video(self.paths[i]) as video:
            sample = self.builder(video)
        sample["label"] = torch.tensor(0)
        sample["index"] = torch.tensor(i)
        return sample


def measure(backbone_name: str, paths, clips: int, batch_size: int, device: str,
            workers: int) -> dict:
    import torch

    from ssvzoo.data.decode import Video
    from ssvzoo.eval.features import MultiCropClips, embed_fn, feature_params_for, run_extraction
    from ssvzoo.zoo.backbones import create_backbone

    backbone = create_backbone(backbone_name).eval().to(device)
    spec = backbone.input_spec
    params = feature_params_for(spec, clips=clips)
    builder = MultiCropClips(params, spec.mean, spec.std)
    n_clips = len(paths) * clips

    t0 = time.perf_counter()
    decoded = []
    for path in paths:
        with Video(path) as video:
            idx = builder.sampler(video.info.num_frames)  # (K, T)
            decoded.append(video.frames(idx.reshape(-1)).reshape(idx.shape + (
                video.info.height, video.info.width, 3)))
    decode_s = time.perf_counter() - t0

    t0 = time.perf_counter()
    tensors = [builder.transforms[0](clip) for video in decoded for clip in video]
    preprocess_s = time.perf_counter() - t0

    batch = torch.stack(tensors)  # (N, C, T, H, W)
    forward = embed_fn(backbone, "gap")
    with torch.inference_mode():
        forward(batch[:2].to(device))  # warm-up (allocator, cuDNN autotune)
        if device == "cuda":
            torch.cuda.synchronize()
        t0 = time.perf_counter()
        for i in range(0, len(batch), batch_size):
            forward(batch[i:i + batch_size].to(device))
        if device == "cuda":
            torch.cuda.synchronize()
        model_s = time.perf_counter() - t0

    t0 = time.perf_counter()
    run_extraction(FileDataset(paths, builder), forward, clips_per_video=clips,
                   device=torch.device(device), batch_size=batch_size, workers=workers,
                   description=f"end-to-end {backbone_name}")
    end_to_end_s = time.perf_counter() - t0
    rates = {"decode": n_clips / decode_s, "preprocess": n_clips / preprocess_s,
             "model": n_clips / model_s}
    return {"backbone": backbone_name, "input": [3, spec.frames, spec.size, spec.size],
            "clips": n_clips, "decode_s": round(decode_s, 3),
            "preprocess_s": round(preprocess_s, 3), "model_s": round(model_s, 3),
            "end_to_end_s": round(end_to_end_s, 3),
            **{f"{k}_clips_per_s": round(v, 1) for k, v in rates.items()},
            "end_to_end_clips_per_s": round(n_clips / end_to_end_s, 1),
            "bound": min(rates, key=rates.get)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backbones", default="r2plus1d_18-tiny,r2plus1d_18")
    parser.add_argument("--videos", type=int, default=4)
    parser.add_argument("--frames", type=int, default=96, help="frames per generated video")
    parser.add_argument("--clips", type=int, default=10)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=None, help="torch CPU threads")
    args = parser.parse_args()

    import torch

    from ssvzoo.utils.env import hardware

    if args.threads:
        torch.set_num_threads(args.threads)
    with tempfile.TemporaryDirectory() as tmp:
        paths = make_videos(Path(tmp), args.videos, args.frames)
        results = [measure(name, paths, args.clips, args.batch_size, args.device, args.workers)
                   for name in args.backbones.split(",")]
    print(json.dumps({"bench": "eval_throughput", "device": args.device,
                      "hardware": hardware(), "videos": args.videos,
                      "video_size": [240, 320], "frames_per_video": args.frames,
                      "clips_per_video": args.clips, "batch_size": args.batch_size,
                      "workers": args.workers, "results": results}, indent=2))


if __name__ == "__main__":
    main()
