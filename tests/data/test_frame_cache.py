"""DecodedVideoCache: the same frames as decoding, each video decoded once, bounded by bytes."""

from __future__ import annotations

import numpy as np
import pytest

from ssvzoo.data.decode import Video
from ssvzoo.data.frame_cache import DecodedVideoCache
from ssvzoo.errors import VideoReadError


def test_cached_frames_equal_decoded_frames(lossless_video):
    path, frames = lossless_video
    cache = DecodedVideoCache(max_bytes=10 * frames.nbytes)
    wanted = [37, 3, 3, 0, 39, 16]  # any order, duplicates, both ends
    first = cache.open(path)
    with Video(path) as video:
        np.testing.assert_array_equal(first.frames(wanted), video.frames(wanted))
        k_idx, k_frames = video.keyframes()
    np.testing.assert_array_equal(first.frames(wanted), frames[wanted])  # lossless file
    c_idx, c_frames = first.keyframes()
    np.testing.assert_array_equal(c_idx, k_idx)
    np.testing.assert_array_equal(c_frames, k_frames)
    again = cache.open(path)
    assert again is first and (cache.hits, cache.misses) == (1, 1)
    assert first.info.num_frames == 40 and cache.bytes == frames.nbytes
    out = first.frames([1, 2])
    out[:] = 0  # a caller writing into its frames must not change the cache
    np.testing.assert_array_equal(first.frames([1, 2]), frames[[1, 2]])
    with pytest.raises(IndexError):
        first.frames([40])


def test_least_recently_used_video_is_dropped_beyond_budget(tmp_path, make_video):
    a, fa = make_video(tmp_path / "a.mp4", num_frames=16, seed=1)
    b, _ = make_video(tmp_path / "b.mp4", num_frames=16, seed=2)
    c, _ = make_video(tmp_path / "c.mp4", num_frames=16, seed=3)
    cache = DecodedVideoCache(max_bytes=2 * fa.nbytes)  # room for two of the three
    cache.open(a), cache.open(b), cache.open(a), cache.open(c)  # b is the least recent
    assert len(cache) == 2 and cache.bytes == 2 * fa.nbytes
    cache.open(a)
    assert cache.hits == 2  # a stayed
    cache.open(b)
    assert cache.misses == 4  # b had been dropped and was decoded again

    small = DecodedVideoCache(max_bytes=fa.nbytes // 2)  # no video fits: decode, keep nothing
    np.testing.assert_array_equal(small.open(a).frames([5]), fa[[5]])
    assert len(small) == 0 and small.bytes == 0
    with pytest.raises(ValueError):
        DecodedVideoCache(0)


def test_unreadable_video_raises_and_is_not_cached(broken_files):
    cache = DecodedVideoCache(max_bytes=2**20)
    for name, path in broken_files.items():
        with pytest.raises(VideoReadError):
            cache.open(path)
    assert len(cache) == 0


def test_dataset_samples_are_identical_with_the_cache(tmp_path):
    """Same clips, crops and labels with and without the cache, epoch after epoch."""
    import torch

    from ssvzoo.data.datasets import create_dataset
    from ssvzoo.data.synth.generate import generate
    from ssvzoo.train.methods import create_method
    from ssvzoo.zoo.backbones import create_backbone

    generate(tmp_path, classes=2, videos_per_class=3, size=32, frames=16, seed=0, workers=1,
             progress=False, force=True)
    method = create_method("moco", create_backbone("r3d_18-tiny"), frames=4, size=32,
                           queue_size=8)
    plain = create_dataset("synthactions", tmp_path, subset="train",
                           sample_builder=method.sample_builder(train=True))
    cached = create_dataset("synthactions", tmp_path, subset="train",
                            sample_builder=method.sample_builder(train=True))
    cached.frame_cache = DecodedVideoCache(max_bytes=2**26)
    for epoch in (0, 1):
        plain.set_epoch(epoch), cached.set_epoch(epoch)
        for i in range(len(plain)):
            a, b = plain[i], cached[i]
            assert torch.equal(a["clips"], b["clips"]) and a["label"] == b["label"]
    assert cached.frame_cache.misses == len(plain)  # decoded once each
    assert cached.frame_cache.hits == len(plain)  # the second epoch read memory only
