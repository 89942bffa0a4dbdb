"""Sampler index arithmetic, checked against cases worked out by hand."""

from __future__ import annotations

import numpy as np
import pytest

from ssvzoo.data.samplers import (
    RandomClipSampler,
    SegmentSampler,
    UniformClipSampler,
    clip_span,
    fit_indices,
    random_clip,
    tsn_segments,
    uniform_clips,
)


def test_clip_span():
    assert clip_span(16, 1) == 16
    assert clip_span(16, 2) == 31  # frames 0, 2, ..., 30
    assert clip_span(1, 8) == 1


def test_fit_indices_loops():
    np.testing.assert_array_equal(fit_indices(np.arange(7), 3), [0, 1, 2, 0, 1, 2, 0])
    with pytest.raises(ValueError):
        fit_indices(np.arange(3), 0)


def test_random_clip_stays_inside_and_has_the_stride():
    rng = np.random.default_rng(0)
    for _ in range(50):
        idx = random_clip(100, 4, 3, rng)
        assert idx.shape == (1, 4) and idx.dtype == np.int64
        assert np.all(np.diff(idx[0]) == 3)
        assert 0 <= idx[0, 0] <= 100 - 10  # span = 3*3+1 = 10
        assert idx[0, -1] <= 99


def test_random_clip_reaches_both_ends():
    # n=10, clip 4x2 -> span 7 -> start in {0, 1, 2, 3}
    rng = np.random.default_rng(1)
    starts = {int(random_clip(10, 4, 2, rng)[0, 0]) for _ in range(200)}
    assert starts == {0, 1, 2, 3}


def test_random_clip_speed_multiplies_stride():
    rng = np.random.default_rng(0)
    idx = random_clip(100, 4, 2, rng, speed=2)
    assert np.all(np.diff(idx[0]) == 4)
    # exact fit: span (4-1)*4+1 = 13 in 13 frames -> start 0 only
    np.testing.assert_array_equal(random_clip(13, 4, 2, rng, speed=2), [[0, 4, 8, 12]])


def test_random_clip_short_video_loops_from_zero():
    # n=5, 4 frames every 2: 0, 2, 4, 6 -> 6 % 5 = 1
    np.testing.assert_array_equal(random_clip(5, 4, 2, np.random.default_rng(0)), [[0, 2, 4, 1]])


def test_uniform_clips_hand_worked():
    # n=100, 4 frames stride 2 -> span 7; centres linspace(3.5, 96.5, 3) = 3.5, 50, 96.5
    # starts = round_half_up(0, 46.5, 93) = 0, 47, 93
    np.testing.assert_array_equal(uniform_clips(100, 4, 2, 3),
                                  [[0, 2, 4, 6], [47, 49, 51, 53], [93, 95, 97, 99]])
    # n=20, span 4, K=4: starts linspace(0, 16, 4) = 0, 5.33, 10.67, 16 -> 0, 5, 11, 16
    np.testing.assert_array_equal(uniform_clips(20, 4, 1, 4)[:, 0], [0, 5, 11, 16])


def test_uniform_single_clip_is_centred():
    # n=20, span 4 -> start (20 - 4) // 2 = 8
    np.testing.assert_array_equal(uniform_clips(20, 4, 1, 1), [[8, 9, 10, 11]])


def test_uniform_clips_short_video():
    # n=5, span 7 > 5: every clip starts at 0 and loops
    np.testing.assert_array_equal(uniform_clips(5, 4, 2, 2), [[0, 2, 4, 1], [0, 2, 4, 1]])


def test_tsn_middle_frames():
    # n=10, S=4: segments [0,2) [2,5) [5,7) [7,10); middles floor(1.25), floor(3.75), ... = 1, 3, 6, 8
    np.testing.assert_array_equal(tsn_segments(10, 4), [[1, 3, 6, 8]])
    # n=3 < S=5: floor((2k+1)*3/10) = 0, 0, 1, 2, 2
    np.testing.assert_array_equal(tsn_segments(3, 5), [[0, 0, 1, 2, 2]])


def test_tsn_random_one_frame_per_segment():
    rng = np.random.default_rng(0)
    seen = [set() for _ in range(4)]
    bounds = [(0, 2), (2, 5), (5, 7), (7, 10)]
    for _ in range(200):
        idx = tsn_segments(10, 4, rng)[0]
        for k, (lo, hi) in enumerate(bounds):
            assert lo <= idx[k] < hi
            seen[k].add(int(idx[k]))
    assert seen == [set(range(lo, hi)) for lo, hi in bounds]


def test_sampler_dataclasses():
    rng = np.random.default_rng(0)
    assert RandomClipSampler(8, 2, speed=2)(100, rng).shape == (1, 8)
    np.testing.assert_array_equal(UniformClipSampler(4, 2, 3)(100, rng), uniform_clips(100, 4, 2, 3))
    np.testing.assert_array_equal(SegmentSampler(4, random=False)(10, rng), [[1, 3, 6, 8]])
    assert SegmentSampler(4)(10, rng).shape == (1, 4)
    with pytest.raises(ValueError):
        SegmentSampler(4)(10, None)


def test_same_rng_seed_same_clip():
    a = random_clip(1000, 16, 2, np.random.default_rng(7))
    b = random_clip(1000, 16, 2, np.random.default_rng(7))
    np.testing.assert_array_equal(a, b)
