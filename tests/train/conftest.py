"""Fixtures for the train tests: a tiny SynthActions folder and the fastest tiny backbone."""

from __future__ import annotations

import pytest
import torch

TINY_BACKBONE = "r3d_18-tiny"


@pytest.fixture(scope="session")
def synth_root(tmp_path_factory):
    """3 classes x 4 videos (6 train, 6 test), 32x32, 16 frames, with part / joint sidecars."""
    from ssvzoo.data.synth.generate import generate

    root = tmp_path_factory.mktemp("synth")
    generate(root, classes=3, videos_per_class=4, size=32, frames=16, seed=0, workers=1,
             progress=False, force=True)
    return root


def _tiny_method(name: str, num_classes: int = 3, **overrides):
    """A registered method on the tiny backbone, with small clips and a small queue."""
    from ssvzoo.train.methods import METHODS, create_method
    from ssvzoo.zoo.backbones import create_backbone

    torch.manual_seed(0)
    cfg_fields = {f for f in METHODS.get(name).Config.__dataclass_fields__}
    small = {"frames": 4, "size": 32, "queue_size": 16}
    overrides = {**{k: v for k, v in small.items() if k in cfg_fields}, **overrides}
    return create_method(name, create_backbone(TINY_BACKBONE), num_classes=num_classes,
                         **overrides)


def _tiny_dataset(root, method, subset="train"):
    from ssvzoo.data.datasets import create_dataset

    ds = create_dataset("synthactions", root, subset=subset)
    ds.sample_builder = method.sample_builder(train=subset == "train")
    return ds


def _tiny_cfg(tmp_path, **kw):
    from ssvzoo.train.engine import TrainConfig

    base = dict(epochs=2, batch_size=2, num_workers=0, log_every=1, progress=False,
                out_dir=str(tmp_path / "run"), lr=0.05)
    base.update(kw)
    return TrainConfig(**base)


@pytest.fixture
def tiny_method():
    return _tiny_method


@pytest.fixture
def tiny_dataset():
    return _tiny_dataset


@pytest.fixture
def tiny_cfg():
    return _tiny_cfg
