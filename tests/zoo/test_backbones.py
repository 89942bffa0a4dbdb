"""Every registered backbone keeps the Backbone contract (timm's registry-driven test)."""

import importlib
import json

import pytest
import torch
import torchvision

from ssvzoo.zoo.backbones import BACKBONES, InputSpec, create_backbone, list_backbones
from ssvzoo.zoo.profile import count_params

ALL = list_backbones()


def test_registry_has_every_family_and_tiny_variant():
    expected = {"c3d", "r3d_18", "r2plus1d_18", "r21d_10", "s3d"}
    assert set(ALL) == expected | {f"{n}-tiny" for n in expected}


@pytest.fixture(scope="module", params=ALL)
def built(request):
    torch.manual_seed(0)
    return request.param, create_backbone(request.param).eval()


def test_embed_and_features_shapes(built, clip_for):
    name, model = built
    clip = clip_for(name, batch=1 if not name.endswith("-tiny") else 2)  # (B, C, T, H, W)
    with torch.no_grad():
        maps = model.features(clip)
        embedding = model.embed(clip)
        forward = model(clip)
    last = maps[model.stage_names[-1]]
    assert tuple(maps) == model.stage_names
    assert len(model.stage_names) == 5
    assert embedding.shape == (clip.shape[0], model.embed_dim)
    assert torch.equal(forward, embedding)
    with torch.no_grad():
        assert torch.equal(model.forward_features(clip[:1]), model.features(clip[:1])[model.stage_names[-1]])
    for stage_map in maps.values():
        assert stage_map.ndim == 5 and stage_map.shape[0] == clip.shape[0]
    assert last.shape[1] == model.embed_dim
    torch.testing.assert_close(embedding, last.mean(dim=(2, 3, 4)))
    upto = model.features(clip, upto=model.stage_names[1])
    assert tuple(upto) == model.stage_names[:2]


def test_split_and_high_copy_reproduce_embed(built, clip_for):
    name, model = built
    clip = clip_for(name, batch=1)
    at = model.stage_names[2]
    low, high = model.split(at)
    with torch.no_grad():
        embedding = model.embed(clip)
        low_map = low(clip)
        torch.testing.assert_close(high(low_map), embedding)
        torch.testing.assert_close(model.high_copy(at)(low_map), embedding)
    # low/high share modules with the backbone, the copy does not.
    assert low[0] is model.stages[model.stage_names[0]]
    copy = model.high_copy(at)
    first_copy_param = next(copy.parameters())
    first_high_param = next(high.parameters())
    assert first_copy_param is not first_high_param
    assert torch.equal(first_copy_param, first_high_param)


def test_config_rebuilds_same_shapes_and_is_json(built):
    name, model = built
    config = json.loads(json.dumps(model.config()))
    with torch.device("meta"):  # shapes only: no need to initialise real weights
        rebuilt = create_backbone(name, **config)
    assert {k: v.shape for k, v in rebuilt.state_dict().items()} == \
        {k: v.shape for k, v in model.state_dict().items()}
    assert rebuilt.input_spec == model.input_spec
    assert rebuilt.embed_dim == model.embed_dim


def test_input_specs():
    for name in ALL:
        with torch.device("meta"):
            spec = BACKBONES.get(name)().input_spec
        assert (spec.frames, spec.size) == ((8, 64) if name.endswith("-tiny") else (16, 112))
    spec = InputSpec(frames=4, size=32, mean=(0.5, 0.5, 0.5), std=(0.25, 0.25, 0.25))
    assert InputSpec.from_dict(json.loads(json.dumps(spec.to_dict()))) == spec


@pytest.mark.parametrize("name", ["r3d_18", "r2plus1d_18"])
def test_params_match_torchvision_without_fc(name):
    reference = getattr(torchvision.models.video, name)()
    fc = sum(p.numel() for p in reference.fc.parameters())
    ours = create_backbone(name)
    assert count_params(ours) == count_params(reference) - fc
    # Same tensors under the same names, with "stages." in front and no fc.
    theirs = {f"stages.{k}": v.shape for k, v in reference.state_dict().items() if not k.startswith("fc.")}
    assert {k: v.shape for k, v in ours.state_dict().items()} == theirs


def test_s3d_params_match_torchvision_features():
    tv_s3d = importlib.import_module("torchvision.models.video.s3d")
    reference = tv_s3d.S3D()
    assert count_params(create_backbone("s3d")) == count_params(reference.features)


def test_r21d_10_has_one_block_per_stage():
    model = create_backbone("r21d_10")
    assert [len(model.stages[f"layer{i}"]) for i in range(1, 5)] == [1, 1, 1, 1]
    assert len(create_backbone("r2plus1d_18").stages["layer1"]) == 2
    assert count_params(model) < count_params(create_backbone("r2plus1d_18")) / 2


# s3d-tiny only: the other tiny backbones use PyTorch's default momentum and take 8-18 s here.
@pytest.mark.parametrize("name", ["s3d-tiny"])
def test_tiny_eval_outputs_catch_up_with_training_after_a_short_run(name, clip_for):
    """A CPU-budget run is a few hundred steps: after 100 train-mode passes over one batch the
    batch-norm running statistics must describe it, so eval mode gives what training saw.
    (s3d-tiny had torchvision S3D's momentum 0.001 and failed this: its fine-tunes tested at
    chance.)"""
    torch.manual_seed(0)
    model = create_backbone(name)
    clip = clip_for(name, batch=4) * 3.0 + 1.0  # statistics far from the initial 0 / 1
    model.train()
    with torch.no_grad():
        for _ in range(100):
            trained = model.embed(clip)
        evaluated = model.eval().embed(clip)
    gap = (evaluated - trained).norm() / trained.norm()
    assert gap < 0.1, f"{name}: eval-mode output is {gap:.2f} away from train mode"
