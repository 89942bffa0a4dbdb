"""Every registered method trains two steps on tiny data; method-specific behaviour."""

from __future__ import annotations

import math

import pytest
import torch

from ssvzoo.train.engine import fit
from ssvzoo.train.methods import METHODS


@pytest.mark.parametrize("name", METHODS.names())
def test_every_method_trains_two_steps(name, tmp_path, synth_root, tiny_method, tiny_dataset,
                                       tiny_cfg):
    from ssvzoo.zoo.checkpoint import load_model

    method = tiny_method(name)
    dataset = tiny_dataset(synth_root, method) if method.trains else None
    result = fit(method, dataset, tiny_cfg(tmp_path, epochs=1, max_steps_per_epoch=2))
    if method.trains:
        assert result.global_step == 2
        assert all(math.isfinite(v) for v in result.history[-1].values())
    model = load_model(str(tmp_path / "run" / "last"))
    assert model.config["method"] == name


def test_supervised_frame_only_sees_no_motion(tiny_method):
    from ssvzoo.train.methods.supervised import middle_frame_clip

    clips = torch.arange(2 * 3 * 4 * 2 * 2, dtype=torch.float32).view(2, 3, 4, 2, 2)
    still = middle_frame_clip(clips)
    assert still.shape == clips.shape
    assert torch.equal(still[:, :, 0], clips[:, :, 2]) and torch.equal(still[:, :, 3], clips[:, :, 2])
    method = tiny_method("supervised", frame_only=True).eval()
    moving = torch.randn(2, 3, 4, 32, 32)
    shuffled = moving[:, :, [3, 1, 2, 0]]  # same middle frame (index 2), other frames changed
    assert torch.allclose(method.logits(moving), method.logits(shuffled))


def test_supervised_needs_classes(tiny_method):
    from ssvzoo.errors import ConfigError

    with pytest.raises(ConfigError):
        tiny_method("supervised", num_classes=None)


def test_rspnet_speed_clips():
    from ssvzoo.train.methods.rspnet import play_at_speed

    window = torch.arange(8.0).view(1, 1, 8, 1, 1)  # frames 0..7
    assert play_at_speed(window, 1, 4).flatten().tolist() == [0, 1, 2, 3]
    assert play_at_speed(window, 2, 4).flatten().tolist() == [0, 2, 4, 6]


def test_moco_queue_receives_keys_after_step(tiny_method):
    method = tiny_method("moco")
    clips = torch.randn(2, 2, 3, 4, 32, 32)
    losses = method.loss({"clips": clips})
    assert int(method.memory.queue.ptr) == 0  # the loss does not touch the queue
    losses["loss"].backward()
    method.after_step()
    assert int(method.memory.queue.ptr) == 2 and int(method.memory.queue.count) == 2
    assert torch.allclose(method.memory.queue.keys[:2].norm(dim=1), torch.ones(2), atol=1e-5)


def test_momentum_encoder_follows_slowly(tiny_method):
    method = tiny_method("moco", momentum=0.5)
    p_q = next(method.backbone.parameters())
    p_k = next(method.memory.encoder["backbone"].parameters())
    with torch.no_grad():
        p_q.add_(1.0)
    before = p_k.detach().clone()
    method.after_step()
    assert torch.allclose(p_k, 0.5 * before + 0.5 * p_q.detach())
