"""Whole decoded videos kept in memory, so a small dataset is decoded once per run, not per epoch.

Pre-training on SynthActions (210 videos of 64 frames at 112x112, ~0.5 GB decoded) spends about
a third of a CPU step decoding H.264; after the first epoch this cache makes that free. It is
opt-in (`frame_cache_mb`), per process (each data-loader worker holds its own copy, so the
loader keeps its workers alive between epochs when the cache is on) and bounded: videos beyond
the budget are decoded as usual and the least recently used ones are dropped first.
"""

from __future__ import annotations

import os
from collections import OrderedDict
from pathlib import Path
from typing import Sequence

import numpy as np

from ssvzoo.data.decode import Video, VideoInfo


class DecodedVideo:
    """A video already decoded into memory, with `Video`'s reading interface."""

    def __init__(self, path: str | os.PathLike, info: VideoInfo, frames: np.ndarray):
        self.path = Path(path)
        self.info = info
        self._frames = frames  # (num_frames, H, W, 3) uint8, read-only

    @property
    def nbytes(self) -> int:
        return int(self._frames.nbytes)

    def frames(self, indices: Sequence[int] | np.ndarray) -> np.ndarray:
        """Frames at `indices` as (N, H, W, 3) uint8 RGB (a copy: callers may write to it)."""
        idx = np.asarray(indices, dtype=np.int64).reshape(-1)
        n = self.info.num_frames
        if idx.size and (idx.min() < 0 or idx.max() >= n):
            raise IndexError(f"frame indices must be in [0, {n}) for {self.path}, "
                             f"got [{idx.min()}, {idx.max()}]")
        return self._frames[idx]

    def keyframes(self) -> tuple[np.ndarray, np.ndarray]:
        """(indices (K,) int64, frames (K, H, W, 3) uint8) of the stream's keyframes."""
        idx = np.asarray(self.info.keyframes, dtype=np.int64)
        return idx, self._frames[idx]

    def close(self) -> None:
        pass  # nothing is open; the cache owns the frames

    def __enter__(self) -> "DecodedVideo":
        return self

    def __exit__(self, *exc) -> None:
        pass

    def __repr__(self) -> str:
        i = self.info
        return f"DecodedVideo({str(self.path)!r}, {i.num_frames} frames, {i.width}x{i.height})"


class DecodedVideoCache:
    """Path -> `DecodedVideo`, least recently used dropped first beyond `max_bytes`.

    `open(path)` returns the cached video, or decodes every frame of the file once (raising
    `VideoReadError` as `Video` does) and keeps it when it fits the budget.
    """

    def __init__(self, max_bytes: int):
        if max_bytes <= 0:
            raise ValueError(f"max_bytes must be positive, got {max_bytes}")
        self.max_bytes = int(max_bytes)
        self.bytes = 0
        self.hits = 0
        self.misses = 0
        self._videos: OrderedDict[str, DecodedVideo] = OrderedDict()

    def __len__(self) -> int:
        return len(self._videos)

    def open(self, path: str | os.PathLike) -> DecodedVideo:
        key = str(path)
        video = self._videos.get(key)
        if video is not None:
            self._videos.move_to_end(key)
            self.hits += 1
            return video
        self.misses += 1
        with Video(path) as source:
            frames = source.frames(np.arange(source.info.num_frames))
            info = source.info
        frames.setflags(write=False)
        video = DecodedVideo(path, info, frames)
        if video.nbytes <= self.max_bytes:
            self._videos[key] = video
            self.bytes += video.nbytes
            while self.bytes > self.max_bytes:
                _, dropped = self._videos.popitem(last=False)
                self.bytes -= dropped.nbytes
        return video
