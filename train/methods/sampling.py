"""What the methods ask the dataset for: sample builders assembled from data/ pieces.

Clip length, crop size and normalisation come from the method config or the backbone's
`input_spec`, so a `-tiny` backbone gets its small clips without extra flags.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ssvzoo.data.samplers import random_clip


@dataclass
class RandomClipsSampler:
    """`num_clips` independent random clips of one video, (num_clips, clip_len) indices.

    MoCo-style methods contrast two clips of the same video taken at independent temporal
    positions; RSPNet takes two windows this way and plays them at different speeds.
    """

    clip_len: int = 16
    num_clips: int = 2
    stride: int = 1

    def __call__(self, num_frames: int, rng: np.random.Generator) -> np.ndarray:
        return np.concatenate([random_clip(num_frames, self.clip_len, self.stride, rng)
                               for _ in range(self.num_clips)])


def _stride(backbone) -> int:
    return int(getattr(getattr(backbone, "input_spec", None), "stride", 1))


def _norm(backbone) -> dict:
    spec = getattr(backbone, "input_spec", None)
    if spec is None:
        return {}
    return {"mean": tuple(spec.mean), "std": tuple(spec.std)}


def train_transform_for(backbone, size: int, color_jitter: float = 0.0, grayscale_p: float = 0.0):
    """Random resized crop (area 0.25-1, RSPNet's setting) + flip at `size` (+ optional colour
    jitter and grayscale), spec normalisation."""
    from ssvzoo.data.transforms import train_transform

    return train_transform(size=size, scale=(0.25, 1.0), flip=True, color_jitter=color_jitter,
                           grayscale_p=grayscale_p, **_norm(backbone))


def eval_transform_for(backbone, size: int):
    """Short side to 128 x size/112, centre crop `size`: VCOP's test pre-processing (128x171 on
    4:3 frames) without stretching other aspect ratios."""
    from ssvzoo.data.transforms import eval_transform

    return eval_transform(resize=round(128 * size / 112), crop=size, **_norm(backbone))


def clip_builder(backbone, frames: int, size: int, train: bool):
    """train: one random clip, augmented; eval: the centre clip, centre crop. (N = 1)"""
    from ssvzoo.data.datasets import ClipSampleBuilder
    from ssvzoo.data.samplers import RandomClipSampler, UniformClipSampler

    if train:
        return ClipSampleBuilder(RandomClipSampler(frames, _stride(backbone)),
                                 train_transform_for(backbone, size))
    return ClipSampleBuilder(UniformClipSampler(frames, _stride(backbone), 1),
                             eval_transform_for(backbone, size))


def multi_clip_builder(backbone, frames: int, size: int, num_clips: int = 2,
                       color_jitter: float = 0.0, grayscale_p: float = 0.0):
    """`num_clips` random clips, each with its own augmentation: clips (N, C, T, H, W)."""
    from ssvzoo.data.datasets import ClipSampleBuilder

    return ClipSampleBuilder(RandomClipsSampler(frames, num_clips, _stride(backbone)),
                             train_transform_for(backbone, size, color_jitter, grayscale_p))
