"""LR schedule, resumable data order, atomic checkpoint folders, config overrides."""

import random

import numpy as np
import pytest
import torch

from ssvzoo.errors import ConfigError
from ssvzoo.train.config import make_config, split_overrides, split_sections
from ssvzoo.train.engine import TrainConfig
from ssvzoo.train.loader import EpochSampler, SeededItems
from ssvzoo.train.optim import lr_factor
from ssvzoo.train.state import (_local_rng_state, atomic_dir, find_last, restore_rng_state)


def _f(step, **kw):
    args = dict(schedule="cosine", total_steps=10, steps_per_epoch=5)
    args.update(kw)
    return lr_factor(step, **args)


def test_cosine_and_warmup():
    assert _f(0) == pytest.approx(1.0)
    assert _f(5) == pytest.approx(0.5)
    assert _f(10) == pytest.approx(0.0)
    assert _f(10, min_lr_ratio=1e-3) == pytest.approx(1e-3)
    assert _f(0, warmup_steps=2) == pytest.approx(0.5)
    assert _f(1, warmup_steps=2) == pytest.approx(1.0)
    assert _f(2, warmup_steps=2) == pytest.approx(1.0)  # cosine restarts after warm-up


def test_step_and_constant():
    assert _f(9, schedule="step", milestones=(2,)) == pytest.approx(1.0)
    assert _f(10, schedule="step", milestones=(2,)) == pytest.approx(0.1)
    assert _f(7, schedule="constant") == 1.0
    with pytest.raises(ConfigError):
        _f(0, schedule="linear")


def test_sampler_shards_and_skips():
    s0 = EpochSampler(10, num_replicas=2, rank=0, seed=3)
    s1 = EpochSampler(10, num_replicas=2, rank=1, seed=3)
    a, b = s0.indices(), s1.indices()
    assert len(a) == len(b) == 5 and sorted(a + b) == list(range(10))
    s0.set_epoch(1)
    assert s0.indices() != a  # a new permutation per epoch
    s0.set_epoch(1, skip=2)
    assert [i for i, _ in s0] == s0.indices()[2:] and len(s0) == 3
    assert all(e == 1 for _, e in s0)


def test_sampler_pads_without_drop_last():
    s = EpochSampler(5, num_replicas=2, rank=1, drop_last=False, shuffle=False)
    assert s.indices() == [1, 3, 0]  # padded by wrapping: 0..4, 0


class _RandomItems(torch.utils.data.Dataset):
    def __len__(self):
        return 4

    def __getitem__(self, i):
        return (random.random(), float(np.random.rand()), float(torch.rand(())))


def test_seeded_items_repeatable_and_leave_globals_alone():
    ds = SeededItems(_RandomItems(), seed=0)
    torch.manual_seed(5)
    before = torch.get_rng_state()
    assert ds[(2, 1)] == ds[(2, 1)]
    assert ds[(2, 1)] != ds[(2, 0)] and ds[(2, 1)] != ds[(3, 1)]
    assert torch.equal(torch.get_rng_state(), before)


def test_rng_state_roundtrip():
    state = [_local_rng_state()]
    a = (random.random(), np.random.rand(), float(torch.rand(())))
    restore_rng_state(state)
    assert (random.random(), np.random.rand(), float(torch.rand(()))) == a


def test_atomic_dir_keeps_old_on_failure(tmp_path):
    with atomic_dir(tmp_path / "last") as tmp:
        (tmp / "train_state.pt").write_text("v1")
    with pytest.raises(RuntimeError):
        with atomic_dir(tmp_path / "last") as tmp:
            (tmp / "train_state.pt").write_text("half")
            raise RuntimeError("killed while writing")
    assert (tmp_path / "last" / "train_state.pt").read_text() == "v1"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["last"]  # no temp folder left
    assert find_last(tmp_path) == tmp_path / "last"


def test_find_last_accepts_old_after_kill_between_renames(tmp_path):
    (tmp_path / "last.old").mkdir()
    (tmp_path / "last.old" / "train_state.pt").write_text("v1")
    assert find_last(tmp_path) == tmp_path / "last.old"
    assert find_last(tmp_path / "missing") is None


def test_config_overrides():
    cfg = make_config(TrainConfig, {"epochs": 3, "milestones": [2, 4]})
    assert cfg.epochs == 3 and cfg.milestones == (2, 4)
    with pytest.raises(ConfigError, match="epoks"):
        make_config(TrainConfig, {"epoks": 3})
    from ssvzoo.train.methods.moco import MoCoConfig

    train, method = split_overrides({"lr": 0.1, "tau": 0.07}, TrainConfig, MoCoConfig)
    assert train == {"lr": 0.1} and method == {"tau": 0.07}
    with pytest.raises(ConfigError, match="nope"):
        split_overrides({"nope": 1}, TrainConfig, MoCoConfig)
    # `momentum` is SGD's and MoCo's key-encoder EMA: flat it is ambiguous, sections say which
    with pytest.raises(ConfigError, match="ambiguous"):
        split_overrides({"momentum": 0.99}, TrainConfig, MoCoConfig)
    train, method = split_sections({"train": {"momentum": 0.8}, "method": {"momentum": 0.99}},
                                   TrainConfig, MoCoConfig)
    assert train == {"momentum": 0.8} and method == {"momentum": 0.99}
    assert split_sections({"lr": 0.1}, TrainConfig, MoCoConfig) == ({"lr": 0.1}, {})
    with pytest.raises(ConfigError, match="only"):
        split_sections({"train": {}, "lr": 0.1}, TrainConfig, MoCoConfig)
