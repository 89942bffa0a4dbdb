from __future__ import annotations

import numpy as np
import pytest
import torch
from torchvision.transforms import v2

from ssvzoo.data.transforms import (
    KINETICS_MEAN,
    KINETICS_STD,
    ClipTransform,
    FixedCrop,
    HorizontalFlip,
    eval_transform,
    train_transform,
)


def _still_clip(t=4, h=40, w=50, seed=0):
    frame = np.random.default_rng(seed).integers(0, 256, (1, h, w, 3), dtype=np.uint8)
    return frame.repeat(t, axis=0)  # (T, H, W, 3), all frames identical


def test_one_set_of_random_parameters_per_clip():
    clip = _still_clip()
    t = train_transform(32, color_jitter=0.8, grayscale_p=0.5, blur_p=0.5)
    for seed in range(5):
        out = t(clip, seed=seed)
        assert out.shape == (3, 4, 32, 32) and out.dtype == torch.float32
        # identical input frames stay identical: crop, flip, jitter were drawn once
        assert torch.equal(out[:, :1].expand_as(out), out)


def test_seed_reproducible_and_global_rng_untouched():
    clip = _still_clip()
    t = train_transform(32, color_jitter=0.5)
    torch.manual_seed(123)
    before = torch.rand(1)
    torch.manual_seed(123)
    a = t(clip, seed=9)
    after = torch.rand(1)
    assert torch.equal(before, after)
    assert torch.equal(a, t(clip, seed=9))
    assert not torch.equal(a, t(clip, seed=10))


def test_normalisation_values():
    clip = np.full((2, 8, 8, 3), 255, np.uint8)
    out = ClipTransform([])(clip)
    expected = [(1 - m) / s for m, s in zip(KINETICS_MEAN, KINETICS_STD)]
    assert out[:, 0, 0, 0].tolist() == pytest.approx(expected, rel=1e-5)


def test_eval_three_crops():
    h, w = 4, 6
    clip = np.zeros((1, h, w, 3), np.uint8)
    clip[0, :, :, 0] = np.arange(w, dtype=np.uint8)[None, :] * 10  # red = 10 * column
    ident = dict(mean=(0, 0, 0), std=(1 / 255,) * 3)  # output = pixel value
    cols = {pos: eval_transform((h, w), 2, pos, **ident)(clip)[0, 0, 0].round().tolist()
            for pos in ("left", "center", "right")}
    assert cols == {"left": [0, 10], "center": [20, 30], "right": [40, 50]}
    with pytest.raises(ValueError):
        FixedCrop(2, "top")


def test_eval_default_shape():
    out = eval_transform()(_still_clip(3, 60, 80))
    assert out.shape == (3, 3, 112, 112)


def test_mask_and_keypoints_follow_flip():
    clip = _still_clip(2, 10, 12)
    parts = np.zeros((2, 10, 12), np.uint8)
    parts[:, 3, 2] = 7
    joints = np.array([[[2.0, 3.0]], [[2.0, 3.0]]], np.float32)  # on pixel (row 3, col 2)
    out = ClipTransform([HorizontalFlip(1.0)]).with_targets(clip, parts, joints)
    assert out["parts"].shape == (2, 10, 12) and out["parts"].dtype == torch.int64
    assert out["parts"][0, 3, 12 - 1 - 2] == 7 and out["parts"].sum() == 14
    assert out["joints"][0, 0].tolist() == pytest.approx([12 - 1 - 2.0, 3.0])


def test_mask_and_keypoints_follow_random_crop():
    # one marked pixel per frame; after any random resized crop (nearest for the mask) the
    # joint placed at that pixel's centre must land inside the marked region (when visible)
    h, w = 40, 40
    clip = _still_clip(3, h, w)
    parts = np.zeros((3, h, w), np.uint8)
    parts[:, 16:24, 8:16] = 3  # an 8x8 block
    joints = np.tile(np.array([[11.5, 19.5]], np.float32), (3, 1, 1))  # its centre
    t = train_transform(20, scale=(0.1, 1.0), color_jitter=0.5)
    hits = 0
    for seed in range(20):
        out = t.with_targets(clip, parts, joints, seed=seed)
        assert out["clip"].shape == (3, 3, 20, 20) and out["parts"].shape == (3, 20, 20)
        assert set(out["parts"].unique().tolist()) <= {0, 3}  # nearest: no blended labels
        x, y = out["joints"][0, 0].tolist()
        if 0 <= x <= 19 and 0 <= y <= 19:
            hits += 1
            assert out["parts"][0, round(y), round(x)] == 3
        assert torch.equal(out["parts"][0], out["parts"][2])  # same crop on every frame
    assert hits > 0


def test_bad_inputs():
    with pytest.raises(ValueError):
        ClipTransform([])(np.zeros((2, 8, 8), np.uint8))
    with pytest.raises(ValueError):
        ClipTransform([]).with_targets(_still_clip(2, 8, 8), parts=np.zeros((2, 4, 4), np.uint8))


def test_keypoints_exact_under_resize_and_flip():
    # 4x4 -> 8x8 resize doubles pixel size: pixel col 1 (x=1) -> cols 2..3, centre x=2.5;
    # then a flip on width 8: x -> 7 - 2.5 = 4.5
    clip = _still_clip(1, 4, 4)
    joints = np.array([[[1.0, 0.0]]], np.float32)
    t = ClipTransform([v2.Resize([8, 8], antialias=True), HorizontalFlip(1.0)])
    assert t.with_targets(clip, joints=joints)["joints"][0, 0].tolist() == pytest.approx([4.5, 0.5])
