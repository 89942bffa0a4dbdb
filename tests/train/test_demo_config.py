"""The SynthActions demo config that README and the leaderboard records use loads for both
contrastive baselines, and the contrastive methods colour-augment their clips."""

from __future__ import annotations

from pathlib import Path

import pytest

from ssvzoo.train.config import make_config, read_config_file, split_sections
from ssvzoo.train.engine import TrainConfig
from ssvzoo.train.methods.moco import MoCoConfig
from ssvzoo.train.methods.rspnet import RSPNetConfig

DEMO = Path(__file__).resolve().parents[2] / "configs" / "synthactions_demo.json"


@pytest.mark.parametrize("method_cls", [MoCoConfig, RSPNetConfig])
def test_demo_config_sets_queue_momentum_and_optimiser(method_cls):
    train, method = split_sections(read_config_file(DEMO), TrainConfig, method_cls)
    train_cfg, method_cfg = make_config(TrainConfig, train), make_config(method_cls, method)
    # the queue must stay well below the 210 training videos, or it holds the query's own video
    assert method_cfg.queue_size == 128 and method_cfg.momentum == 0.99
    assert method_cfg.color_jitter == 0.8 and method_cfg.grayscale_p == 0.5
    assert (train_cfg.optimizer, train_cfg.lr, train_cfg.batch_size) == ("adamw", 0.001, 16)
    assert train_cfg.momentum == TrainConfig().momentum  # the optimiser's momentum left alone


@pytest.mark.parametrize("name", ["moco", "rspnet"])
def test_contrastive_clips_are_colour_augmented(name, tiny_method):
    import numpy as np
    import torch

    # a flat-coloured clip: crops and flips cannot change it, only colour augmentation can
    frames = np.zeros((8, 48, 48, 3), dtype=np.uint8)
    frames[...] = (200, 60, 30)
    def channel_means(method):
        transform = method.sample_builder(train=True).transform
        return torch.stack([transform(frames, seed=s).mean(dim=(1, 2, 3)) for s in range(12)])

    assert channel_means(tiny_method(name)).std(0).max() > 0.05
    plain = tiny_method(name, color_jitter=0.0, grayscale_p=0.0)
    assert channel_means(plain).std(0).max() < 1e-5  # the control: geometry alone changes nothing
