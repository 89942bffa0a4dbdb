"""Every epoch draws new clips and crops, identically in any worker and on resume."""

from __future__ import annotations

import numpy as np

from ssvzoo.train.loader import EpochSampler, build_loader


def _frame_indices(dataset, epoch, workers):
    from ssvzoo.data.datasets import collate_skip_failed

    sampler = EpochSampler(len(dataset), shuffle=False, seed=0, drop_last=False)
    sampler.set_epoch(epoch)
    loader = build_loader(dataset, sampler, batch_size=len(dataset), num_workers=workers,
                          seed=0, pin_memory=False, collate_fn=collate_skip_failed)
    return next(iter(loader))["frame_indices"].numpy()


def test_new_clips_each_epoch_and_same_across_workers(synth_root):
    from ssvzoo.data.datasets import ClipSampleBuilder, create_dataset
    from ssvzoo.data.samplers import RandomClipSampler
    from ssvzoo.data.transforms import train_transform

    ds = create_dataset("synthactions", synth_root, sample_builder=ClipSampleBuilder(
        RandomClipSampler(clip_len=4), train_transform(size=32)))
    e0 = _frame_indices(ds, epoch=0, workers=0)
    e1 = _frame_indices(ds, epoch=1, workers=0)
    assert e0.shape == e1.shape == (len(ds), 1, 4)
    assert not np.array_equal(e0, e1)  # a new temporal position per epoch
    assert np.array_equal(e1, _frame_indices(ds, epoch=1, workers=2))
