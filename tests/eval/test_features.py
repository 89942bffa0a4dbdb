"""Feature extraction: shapes, clip layout, the on-disk cache (a second run calls no model)."""

import numpy as np

from ssvzoo.eval.features import (CROP_ORDER, FeatureParams, extract_features,
                                  feature_params_for, load_cached)


def count_forward_calls(backbone):
    """Count forward passes through the backbone's first stage (embed() may bypass __call__)."""
    calls = {"n": 0}
    first = next(iter(backbone.stages.values()))
    first.register_forward_hook(lambda *_: calls.__setitem__("n", calls["n"] + 1))
    return calls


def test_params_scale_with_the_model_input_size():
    class Spec:
        frames, size, stride = 8, 64, 4

    p = feature_params_for(Spec(), clips=4, crops=3)
    assert (p.frames, p.stride, p.crop, p.resize, p.crops) == (8, 4, 64, 73, 3)
    Spec.size = 112
    assert feature_params_for(Spec()).resize == 128


def test_short_side_128_is_vcop_128x171_on_ucf101_frames():
    """UCF101/HMDB51 frames are 320x240: short side 128 gives VCOP's 128x171 exactly."""
    from ssvzoo.data.transforms import eval_transform

    frames = np.zeros((2, 240, 320, 3), dtype=np.uint8)
    assert eval_transform(resize=128, crop=112)(frames).shape == (3, 2, 112, 112)
    resize = eval_transform(resize=128, crop=112).pipeline.transforms[0]
    import torch
    from torchvision import tv_tensors

    video = tv_tensors.Video(torch.zeros(2, 3, 240, 320, dtype=torch.uint8))
    assert tuple(resize(video).shape[-2:]) == (128, 171)
    square = tv_tensors.Video(torch.zeros(2, 3, 112, 112, dtype=torch.uint8))
    assert tuple(resize(square).shape[-2:]) == (128, 128)


def test_cache_reuse_skips_the_model(tiny_root, tmp_path):
    from ssvzoo.zoo.checkpoint import load_model

    model = load_model("random:r2plus1d_18-tiny")
    calls = count_forward_calls(model.backbone)
    params = feature_params_for(model.backbone.input_spec, clips=2, crops=3)
    kwargs = dict(device="cpu", batch_size=8, workers=0, cache_dir=tmp_path)
    first = extract_features(model, "synthactions", tiny_root, 1, "test", params, **kwargs)
    n_calls = calls["n"]
    assert n_calls > 0 and not first.from_cache
    assert first.clip_embeddings.shape == (12, 2 * 3, model.backbone.embed_dim)
    assert first.clip_frames.shape == (12, 2, params.frames)
    assert first.labels.tolist() == sorted(first.labels.tolist())  # dataset order kept
    # the three crops of one clip differ (left / centre / right)
    assert not np.allclose(first.clip_embeddings[0, 0], first.clip_embeddings[0, 2])

    second = extract_features(model, "synthactions", tiny_root, 1, "test", params, **kwargs)
    assert second.from_cache and calls["n"] == n_calls
    np.testing.assert_array_equal(second.clip_embeddings, first.clip_embeddings)
    assert second.paths == first.paths

    # different parameters -> another cache entry, extracted anew
    other = FeatureParams(**{**params.__dict__, "clips": 1})
    extract_features(model, "synthactions", tiny_root, 1, "test", other, **kwargs)
    assert calls["n"] > n_calls
    assert len(list(tmp_path.iterdir())) == 2


def test_corrupt_cache_is_ignored(tiny_root, tmp_path):
    from ssvzoo.zoo.checkpoint import load_model

    model = load_model("random:r2plus1d_18-tiny")
    params = feature_params_for(model.backbone.input_spec, clips=1)
    feats = extract_features(model, "synthactions", tiny_root, 1, "test", params, device="cpu",
                             workers=0, cache_dir=tmp_path)
    (feats.cache_dir / "features.npz").write_bytes(b"truncated")
    assert load_cached(feats.cache_dir) is None
    assert CROP_ORDER[3] == ("left", "center", "right")
