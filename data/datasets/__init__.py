"""Datasets: one file per dataset, each registered in `DATASETS`; `create_dataset` builds one.

>>> ds = create_dataset("ucf101", "/data/UCF101", split=1, subset="train",
...                     sample_builder=ClipSampleBuilder(RandomClipSampler(16, 2), train_transform()))
"""

from __future__ import annotations

import os
from typing import Any

from ssvzoo.data.datasets.base import (
    DATASETS,
    ClipSampleBuilder,
    FailedSample,
    SampleBuilder,
    VideoDataset,
    VideoRecord,
    collate_skip_failed,
)
from ssvzoo.data.datasets.hmdb51 import HMDB51
from ssvzoo.data.datasets.kinetics400 import Kinetics400
from ssvzoo.data.datasets.ssv2 import SSv2
from ssvzoo.data.datasets.synthactions import SynthActions
from ssvzoo.data.datasets.ucf101 import UCF101

__all__ = [
    "DATASETS", "ClipSampleBuilder", "FailedSample", "VideoDataset", "VideoRecord",
    "collate_skip_failed", "create_dataset", "default_sample_builder",
    "UCF101", "HMDB51", "Kinetics400", "SSv2", "SynthActions",
]


def default_sample_builder(subset: str) -> ClipSampleBuilder:
    """train: one random 16-frame clip, random resized crop + flip at 112; test: 10 uniform
    16-frame clips, resize (128, 171) + centre crop 112 (the retrieval protocol of VCOP)."""
    from ssvzoo.data.samplers import RandomClipSampler, UniformClipSampler
    from ssvzoo.data.transforms import eval_transform, train_transform

    if subset == "train":
        return ClipSampleBuilder(RandomClipSampler(16, 1), train_transform())
    return ClipSampleBuilder(UniformClipSampler(16, 1, 10), eval_transform())


def create_dataset(name: str, root: str | os.PathLike, split: int = 1, subset: str = "train",
                   sample_builder: SampleBuilder | None = None, seed: int = 0,
                   **kwargs: Any) -> VideoDataset:
    """The registered dataset `name` over `root`; `sample_builder` None -> `default_sample_builder`.

    Raises DatasetError (one line) for a missing root, a split the dataset does not have, or
    unreadable annotation files; videos listed but absent are in `.missing`, not an error.
    """
    cls = DATASETS.get(name)
    builder = sample_builder if sample_builder is not None else default_sample_builder(subset)
    return cls(root, split=split, subset=subset, sample_builder=builder, seed=seed, **kwargs)
