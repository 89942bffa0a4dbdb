"""Which frames to decode: pure index arithmetic, every result an int64 array (n_clips, clip_len).

Short videos follow one rule, `fit_indices`: a clip that needs more frames than the video has
starts at frame 0 and loops the video (index % num_frames). Looping keeps the motion's speed
(padding with the last frame would fake a still scene) and is what most SSL code bases do.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def clip_span(clip_len: int, step: int) -> int:
    """Frames covered by a clip of `clip_len` frames taken every `step` frames."""
    return (clip_len - 1) * step + 1


def fit_indices(indices: np.ndarray, num_frames: int) -> np.ndarray:
    """The short-video rule: indices past the end wrap around (loop the video)."""
    if num_frames <= 0:
        raise ValueError(f"num_frames must be positive, got {num_frames}")
    return np.asarray(indices, dtype=np.int64) % num_frames


def _check(clip_len: int, stride: int) -> None:
    if clip_len < 1 or stride < 1:
        raise ValueError(f"clip_len and stride must be >= 1, got {clip_len}, {stride}")


def random_clip(num_frames: int, clip_len: int, stride: int, rng: np.random.Generator,
                speed: int = 1) -> np.ndarray:
    """One clip of `clip_len` frames, every `stride * speed` frames, at a random start.

    `speed` multiplies the stride (RSPNet's playback-speed pairs: speed 2 = twice as fast).
    A video shorter than the clip's span starts at 0 and loops (`fit_indices`).
    """
    _check(clip_len, stride)
    if speed < 1:
        raise ValueError(f"speed must be >= 1, got {speed}")
    step = stride * speed
    span = clip_span(clip_len, step)
    start = int(rng.integers(0, num_frames - span + 1)) if span <= num_frames else 0
    return fit_indices(start + np.arange(clip_len) * step, num_frames)[None]  # (1, T)


def uniform_clips(num_frames: int, clip_len: int, stride: int, num_clips: int) -> np.ndarray:
    """`num_clips` evenly spaced clips covering the video (retrieval / test protocol).

    VCOP's convention: the clip centres are linspace(span/2, n - span/2, K), so the first clip
    starts at frame 0 and the last one ends at the last frame; start = round_half_up(centre -
    span/2). One clip (K = 1) is the centre clip: start = (n - span) // 2. Clips overlap when
    the video is short, and a video shorter than one span loops (`fit_indices`).
    """
    _check(clip_len, stride)
    if num_clips < 1:
        raise ValueError(f"num_clips must be >= 1, got {num_clips}")
    span = clip_span(clip_len, stride)
    if span >= num_frames:
        starts = np.zeros(num_clips, dtype=np.int64)
    elif num_clips == 1:
        starts = np.array([(num_frames - span) // 2], dtype=np.int64)
    else:
        centres = np.linspace(span / 2, num_frames - span / 2, num_clips)
        starts = np.floor(centres - span / 2 + 0.5).astype(np.int64)
    offsets = np.arange(clip_len, dtype=np.int64) * stride
    return fit_indices(starts[:, None] + offsets[None, :], num_frames)  # (K, T)


def tsn_segments(num_frames: int, num_segments: int,
                 rng: np.random.Generator | None = None) -> np.ndarray:
    """TSN sampling: split [0, n) into `num_segments` equal segments, one frame from each.

    Segment k is [floor(k n / S), floor((k + 1) n / S)). With `rng`: a uniformly random frame
    of each segment (training). Without: the frame at the segment's real-valued middle,
    floor((k + 0.5) n / S) (testing). When n < S some segments are empty and take frame
    floor(k n / S), so frames repeat.
    """
    if num_segments < 1:
        raise ValueError(f"num_segments must be >= 1, got {num_segments}")
    if num_frames <= 0:
        raise ValueError(f"num_frames must be positive, got {num_frames}")
    k = np.arange(num_segments)
    lo = (k * num_frames) // num_segments
    hi = ((k + 1) * num_frames) // num_segments
    if rng is None:
        idx = ((2 * k + 1) * num_frames) // (2 * num_segments)
    else:
        idx = lo + np.floor(rng.random(num_segments) * np.maximum(hi - lo, 1)).astype(np.int64)
    return np.minimum(idx, num_frames - 1).astype(np.int64)[None]  # (1, S)


@dataclass
class RandomClipSampler:
    """One random clip per call; `speed` multiplies the stride (RSPNet)."""

    clip_len: int = 16
    stride: int = 1
    speed: int = 1

    def __call__(self, num_frames: int, rng: np.random.Generator) -> np.ndarray:
        return random_clip(num_frames, self.clip_len, self.stride, rng, self.speed)


@dataclass
class UniformClipSampler:
    """`num_clips` evenly spaced clips, deterministic (rng is ignored)."""

    clip_len: int = 16
    stride: int = 1
    num_clips: int = 10

    def __call__(self, num_frames: int, rng: np.random.Generator | None = None) -> np.ndarray:
        return uniform_clips(num_frames, self.clip_len, self.stride, self.num_clips)


@dataclass
class SegmentSampler:
    """TSN segments: a random frame per segment when `random`, else the middle frames."""

    num_segments: int = 8
    random: bool = True

    def __call__(self, num_frames: int, rng: np.random.Generator | None = None) -> np.ndarray:
        if self.random and rng is None:
            raise ValueError("SegmentSampler(random=True) needs an rng")
        return tsn_segments(num_frames, self.num_segments, rng if self.random else None)
