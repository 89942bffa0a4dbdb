"""The dataset every loader shares: records -> opened video -> sample dict; failures reported.

A dataset file (ucf101.py, ...) only turns split files into `VideoRecord`s; what a sample holds
is decided by the `sample_builder` the method or protocol passes in, so a new pretext task never
needs a new dataset class.
"""

from __future__ import annotations

import importlib.resources
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import numpy as np
import torch
from torch.utils.data import Dataset, default_collate

from ssvzoo.data.decode import Video
from ssvzoo.errors import DatasetError, VideoReadError
from ssvzoo.registry import Registry

DATASETS: Registry = Registry("dataset")
SUBSETS = ("train", "test")

SampleBuilder = Callable[[Video, np.random.Generator], dict[str, torch.Tensor]]


@dataclass(frozen=True)
class VideoRecord:
    """One video of a split: where it is, its 0-based class, and a stable id (file stem)."""

    path: Path
    label: int
    video_id: str


@dataclass(frozen=True)
class FailedSample:
    """What `VideoDataset.__getitem__` returns for an unreadable video (collate drops it)."""

    index: int
    path: str
    cause: str


class VideoDataset(Dataset):
    """A torch Dataset over `records`; item i = sample_builder(Video(path), rng) + label, index.

    The rng of item i is seeded from (seed, epoch, i), so a sample is the same in any worker
    process and on resume; call `set_epoch` each epoch to draw new clips. An unreadable video
    gives a `FailedSample` (not an exception) and is remembered in `failures` (per process).
    """

    num_splits = 1

    def __init__(self, records: list[VideoRecord], classes: list[str],
                 sample_builder: SampleBuilder | None = None, seed: int = 0):
        self.records = list(records)
        self.classes = list(classes)
        self.sample_builder = sample_builder
        self.seed = int(seed)
        self.epoch = 0
        self.failures: dict[int, str] = {}  # index -> cause, for videos that failed here
        self.missing: list[VideoRecord] = []  # listed in the split but not on disk
        # Optional `DecodedVideoCache`: decode each video once per process instead of per item.
        self.frame_cache = None

    def set_epoch(self, epoch: int) -> None:
        self.epoch = int(epoch)

    def rng_for(self, index: int) -> np.random.Generator:
        return np.random.default_rng([self.seed, self.epoch, int(index)])

    @property
    def labels(self) -> np.ndarray:
        return np.array([r.label for r in self.records], dtype=np.int64)

    def __len__(self) -> int:
        return len(self.records)

    def __getitem__(self, index: int) -> dict[str, Any] | FailedSample:
        if self.sample_builder is None:
            raise DatasetError("this dataset was created without a sample_builder; pass one to "
                               "create_dataset(..., sample_builder=...)")
        record = self.records[index]
        try:
            opener = Video if self.frame_cache is None else self.frame_cache.open
            with opener(record.path) as video:
                sample = self.sample_builder(video, self.rng_for(index))
        except VideoReadError as e:
            self.failures[int(index)] = e.cause
            return FailedSample(int(index), str(record.path), e.cause)
        sample["label"] = torch.tensor(record.label, dtype=torch.long)
        sample["index"] = torch.tensor(int(index), dtype=torch.long)
        return sample

    def __repr__(self) -> str:
        return (f"{type(self).__name__}({len(self.records)} videos, {len(self.classes)} classes, "
                f"builder={self.sample_builder!r})")


def collate_skip_failed(batch: list[Any]) -> dict[str, Any]:
    """default_collate over the readable samples; failed ones listed, not collated.

    `batch["failed"]` = dataset indices of the failed items, `batch["failed_paths"]` = their
    files (both lists, possibly empty). If every item failed, only those two keys are present.
    A plain `None` item (a builder that chose to skip) counts as failed with an unknown index (-1).
    """
    good = [b for b in batch if isinstance(b, dict)]
    bad = [b for b in batch if not isinstance(b, dict)]
    out: dict[str, Any] = default_collate(good) if good else {}
    out["failed"] = [b.index if isinstance(b, FailedSample) else -1 for b in bad]
    out["failed_paths"] = [b.path if isinstance(b, FailedSample) else "" for b in bad]
    return out


class ClipSampleBuilder:
    """sampler + transform -> {"clips": (N, C, T, H, W), "frame_indices": (N, T)}.

    `sampler(num_frames, rng) -> (N, T)` indices; `transform(frames (T, H, W, 3) uint8,
    seed=int) -> (C, T, H, W)` (a `ClipTransform`). Every clip the sampler asks for is decoded
    in one pass (shared frames once) and transformed with its own random parameters (seeds
    drawn from rng); an eval transform is deterministic, so the N
    eval clips all get the same crop.
    """

    def __init__(self, sampler: Callable[[int, np.random.Generator], np.ndarray],
                 transform: Callable[..., torch.Tensor]):
        self.sampler = sampler
        self.transform = transform

    def __call__(self, video: Video, rng: np.random.Generator) -> dict[str, torch.Tensor]:
        indices = np.asarray(self.sampler(video.info.num_frames, rng), dtype=np.int64)
        n_clips, clip_len = indices.shape
        frames = video.frames(indices.reshape(-1))  # (N*T, H, W, 3)
        frames = frames.reshape(n_clips, clip_len, *frames.shape[1:])
        seeds = rng.integers(0, 2**62, size=n_clips)
        clips = torch.stack([self.transform(frames[k], seed=int(seeds[k]))
                             for k in range(n_clips)])  # (N, C, T, H, W)
        return {"clips": clips, "frame_indices": torch.from_numpy(indices)}

    def __repr__(self) -> str:
        return f"ClipSampleBuilder({self.sampler!r})"


# -- helpers for the dataset files ----------------------------------------------------------------
def package_split_text(dataset: str, name: str) -> str:
    """A split / label file shipped in ssvzoo/data/splits/<dataset>/."""
    return (importlib.resources.files("ssvzoo.data.splits") / dataset / name).read_text("utf-8")


def package_split_names(dataset: str) -> list[str]:
    return sorted(p.name for p in (importlib.resources.files("ssvzoo.data.splits") / dataset).iterdir())


def require_root(root: str | os.PathLike, dataset: str) -> Path:
    root = Path(root).expanduser()
    if not root.is_dir():
        raise DatasetError(f"{dataset} root {str(root)!r} is not a folder; pass --root pointing "
                           f"at the unpacked dataset")
    return root


def check_split_subset(dataset: str, split: int, subset: str, num_splits: int) -> None:
    if split not in range(1, num_splits + 1):
        choices = "1" if num_splits == 1 else f"1..{num_splits}"
        raise DatasetError(f"{dataset} has split {choices}, got split={split!r}")
    if subset not in SUBSETS:
        raise DatasetError(f"subset must be one of {SUBSETS}, got {subset!r}")


class SplitDataset(VideoDataset):
    """A dataset read from split files: subclasses set `name`, `num_splits` and write `index()`.

    Only the videos listed for the requested split are looked at (one stat each); listed files
    absent on disk go to `missing` instead of `records`.
    """

    name = ""
    num_splits = 1

    @classmethod
    def version(cls, root: str | os.PathLike) -> str | None:
        """Identifies generated data or non-official split files (None: the official files).

        Eval puts it in the protocol parameters, so results on different data never share a
        fingerprint."""
        return None

    def __init__(self, root: str | os.PathLike, split: int = 1, subset: str = "train",
                 sample_builder: SampleBuilder | None = None, seed: int = 0):
        self.root = require_root(root, self.name)
        check_split_subset(self.name, split, subset, self.num_splits)
        self.split, self.subset = split, subset
        classes, listed = self.index()
        records, missing = split_existing(listed)
        super().__init__(records, classes, sample_builder, seed)
        self.missing = missing

    def index(self) -> tuple[list[str], list[VideoRecord]]:
        """(class names in label order, every VideoRecord the split lists for `self.subset`)."""
        raise NotImplementedError


def split_existing(records: list[VideoRecord]) -> tuple[list[VideoRecord], list[VideoRecord]]:
    """(records whose file exists, records whose file is missing): one stat per listed video."""
    present, missing = [], []
    for r in records:
        (present if r.path.is_file() else missing).append(r)
    return present, missing
