"""The loop: checkpoint layout, exact resume after a mid-epoch stop, atomic saves, best/."""

from __future__ import annotations

import json

import pytest
import torch

from ssvzoo.train.engine import fit


def _weights(method):
    return {k: v.detach().clone() for k, v in method.state_dict().items()}


def test_checkpoint_layout_and_load(tmp_path, synth_root, tiny_method, tiny_dataset, tiny_cfg):
    from ssvzoo.zoo.checkpoint import load_model

    method = tiny_method("supervised")
    result = fit(method, tiny_dataset(synth_root, method), tiny_cfg(tmp_path),
                 run_config={"dataset": {"name": "synthactions"}})
    run = tmp_path / "run"
    assert result.epochs_done == 2 and result.global_step == 6  # 6 videos / batch 2 x 2
    for name in ("last/model.safetensors", "last/config.json", "last/train_state.pt",
                 "log.jsonl", "log.csv", "loss_curve.png"):
        assert (run / name).is_file(), name
    state = torch.load(run / "last" / "train_state.pt", weights_only=True)
    assert state["epoch"] == 2 and state["global_step"] == 6 and "queue" not in state
    config = json.loads((run / "last" / "config.json").read_text())
    assert config["method"] == "supervised" and config["dataset"]["name"] == "synthactions"
    assert config["train_config"]["epochs"] == 2
    lines = (run / "log.jsonl").read_text().splitlines()
    assert len(lines) == 6 and {"loss", "lr", "clips_per_s"} <= set(json.loads(lines[0]))
    loaded = load_model(str(run / "last"))
    for k, v in method.backbone.state_dict().items():
        assert torch.equal(loaded.backbone.state_dict()[k], v.cpu()), k


@pytest.mark.parametrize("name", ["moco", "rspnet"])
def test_resume_mid_epoch_matches_uninterrupted(tmp_path, synth_root, tiny_method, tiny_dataset,
                                                tiny_cfg, name):
    method = tiny_method(name)
    full = fit(method, tiny_dataset(synth_root, method), tiny_cfg(tmp_path / "a"))

    first = tiny_method(name)
    cut = fit(first, tiny_dataset(synth_root, first),
              tiny_cfg(tmp_path / "b", stop_after_steps=4))  # step 1 of epoch 2: mid-epoch
    assert cut.stopped_early and cut.global_step == 4
    again = tiny_method(name)  # a fresh process would build the method anew
    resumed = fit(again, tiny_dataset(synth_root, again), tiny_cfg(tmp_path / "b", resume=True))
    assert resumed.global_step == full.global_step == 6

    a, b = _weights(full.method), _weights(resumed.method)
    assert a.keys() == b.keys()
    for k in a:  # weights, queue, momentum encoder, BN statistics
        assert torch.allclose(a[k].float(), b[k].float(), atol=1e-6), k
    assert [h["loss"] for h in resumed.history] == pytest.approx([h["loss"] for h in full.history])
    steps = [json.loads(x)["step"] for x in (tmp_path / "b" / "run" / "log.jsonl").read_text()
             .splitlines()]
    assert steps == [1, 2, 3, 4, 5, 6]  # no duplicated or missing log lines


def test_failed_save_leaves_previous_checkpoint(tmp_path, synth_root, tiny_method, tiny_dataset,
                                                tiny_cfg, monkeypatch):
    import ssvzoo.train.engine as engine

    calls = {"n": 0}
    real_save = engine.save_train_state

    def flaky(path, state):
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError("disk full (simulated kill during the save)")
        real_save(path, state)

    monkeypatch.setattr(engine, "save_train_state", flaky)
    method = tiny_method("supervised")
    with pytest.raises(OSError):
        fit(method, tiny_dataset(synth_root, method), tiny_cfg(tmp_path, checkpoint_every_steps=1))
    run = tmp_path / "run"
    assert sorted(p.name for p in run.iterdir() if p.name.startswith(("last", "."))) == ["last"]
    state = torch.load(run / "last" / "train_state.pt", weights_only=True)
    assert state["global_step"] == 1  # the first, complete checkpoint


def test_epoch_hook_keeps_best(tmp_path, synth_root, tiny_method, tiny_dataset, tiny_cfg):
    scores = iter([50.0, 40.0])
    seen = []

    def hook(epoch, method):
        seen.append((epoch, method.training))
        return {"score": next(scores)}

    method = tiny_method("supervised")
    result = fit(method, tiny_dataset(synth_root, method), tiny_cfg(tmp_path), on_epoch_end=hook)
    assert seen == [(0, False), (1, False)] and result.best_score == 50.0
    best = json.loads((tmp_path / "run" / "best" / "config.json").read_text())
    assert best["epoch"] == 1 and best["metrics"]["score"] == 50.0
    assert [h["score"] for h in result.history] == [50.0, 40.0]


def test_scratch_saves_seeded_init(tmp_path, tiny_method, tiny_cfg):
    from ssvzoo.zoo.checkpoint import load_model

    method = tiny_method("scratch")
    before = _weights(method.backbone)
    result = fit(method, None, tiny_cfg(tmp_path))
    assert result.global_step == 0
    config = json.loads((tmp_path / "run" / "last" / "config.json").read_text())
    assert config["method"] == "scratch" and config["pretrained"] is False
    loaded = load_model(str(tmp_path / "run" / "last")).backbone.state_dict()
    assert all(torch.equal(loaded[k], v) for k, v in before.items())


def test_resume_with_another_method_is_a_clear_error(tmp_path, synth_root, tiny_method,
                                                     tiny_dataset, tiny_cfg):
    from ssvzoo.errors import CheckpointError

    method = tiny_method("supervised")
    fit(method, tiny_dataset(synth_root, method), tiny_cfg(tmp_path, stop_after_steps=1))
    other = tiny_method("moco")
    with pytest.raises(CheckpointError, match="cannot resume"):
        fit(other, tiny_dataset(synth_root, other), tiny_cfg(tmp_path, resume=True))


@pytest.mark.parametrize("workers", [0, 1])
def test_frame_cache_trains_the_same_run(tmp_path, synth_root, tiny_method, tiny_dataset,
                                         tiny_cfg, workers):
    """`frame_cache_mb` only changes where frames come from: the same losses, step by step."""
    method = tiny_method("moco")
    plain = fit(method, tiny_dataset(synth_root, method), tiny_cfg(tmp_path / "a"))
    again = tiny_method("moco")
    data = tiny_dataset(synth_root, again)
    cached = fit(again, data, tiny_cfg(tmp_path / "b", frame_cache_mb=64, num_workers=workers))
    assert [h["loss"] for h in cached.history] == pytest.approx([h["loss"] for h in plain.history])
    if workers == 0:  # the cache lives in this process: 6 videos decoded once over 2 epochs
        assert (data.frame_cache.misses, data.frame_cache.hits) == (6, 6)
    config = json.loads((tmp_path / "b" / "run" / "last" / "config.json").read_text())
    assert config["train_config"]["frame_cache_mb"] == 64
