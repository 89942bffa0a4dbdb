"""`ssvzoo train`: a real run, and one-line errors for what the user can get wrong."""

from __future__ import annotations

import json

import pytest

from ssvzoo.cli import main


def _err(capsys) -> str:
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1, err
    return err


BASE = ["train", "--backbone", "r3d_18-tiny", "--dataset", "synthactions"]


def test_train_moco_writes_loadable_checkpoint(tmp_path, synth_root, capsys, monkeypatch):
    from ssvzoo.leaderboard.table import record_rows
    from ssvzoo.zoo.checkpoint import load_model

    cfg = tmp_path / "cfg.json"
    cfg.write_text(json.dumps({"queue_size": 8, "frames": 4, "size": 32, "log_every": 1}))
    out = tmp_path / "run"
    argv = BASE + ["--method", "moco", "--root", str(synth_root), "--epochs", "1",
                   "--batch-size", "2", "--workers", "0", "--max-steps-per-epoch", "1",
                   "--config", str(cfg), "--out", str(out), "--seed", "3",
                   "--frame-cache-mb", "16"]
    assert main(argv) == 0
    config = json.loads((out / "last" / "config.json").read_text())
    assert config["method_config"]["queue_size"] == 8 and config["train_config"]["seed"] == 3
    assert config["train_config"]["lr"] == 0.03  # MoCo v2 recipe under no --lr flag
    assert config["train_config"]["frame_cache_mb"] == 16
    assert config["dataset"]["version"].startswith("g3-")  # which generated data it saw
    assert load_model(str(out / "last")).config["method"] == "moco"

    # The eval record says what the checkpoint was pre-trained with; the leaderboard shows it.
    monkeypatch.setenv("SSVZOO_RESULTS", str(tmp_path / "results"))
    monkeypatch.setenv("SSVZOO_CACHE", str(tmp_path / "cache"))
    record_file = tmp_path / "rec.json"
    assert main(["eval", "--model", str(out / "last"), "--dataset", "synthactions", "--root",
                 str(synth_root), "--protocol", "retrieval", "--clips", "2", "--workers", "0",
                 "--out", str(record_file)]) == 0
    record = json.loads(record_file.read_text())
    record = record[0] if isinstance(record, list) else record
    pre = record["details"]["pretraining"]
    assert pre["method"] == "moco" and pre["dataset"] == "synthactions"
    assert pre["dataset_version"] == config["dataset"]["version"]
    assert (pre["steps"], pre["epochs"], pre["batch_size"], pre["seed"]) == (1, 1, 2, 3)
    assert {r.pretrain_data for r in record_rows(record)} == {"synthactions"}


def test_scratch_needs_no_dataset(tmp_path):
    out = tmp_path / "scratch"
    assert main(["train", "--method", "scratch", "--backbone", "r3d_18-tiny",
                 "--out", str(out)]) == 0
    assert json.loads((out / "last" / "config.json").read_text())["pretrained"] is False


@pytest.mark.parametrize("argv, needle", [
    (["--method", "nope", "--root", "."], "unknown method"),
    (["--method", "moco", "--root", "/no/such/dir"], "/no/such/dir"),
    (["--method", "moco"], "--root"),
])
def test_user_errors_are_one_line(argv, needle, capsys):
    assert main(BASE + argv) == 2
    assert needle in _err(capsys)


def test_unknown_backbone_and_dataset(synth_root, capsys):
    assert main(["train", "--method", "moco", "--backbone", "r3d_18-tinyy",
                 "--dataset", "synthactions", "--root", str(synth_root)]) == 2
    assert "r3d_18-tinyy" in _err(capsys)
    assert main(["train", "--method", "moco", "--backbone", "r3d_18-tiny",
                 "--dataset", "nosuch", "--root", str(synth_root)]) == 2
    assert "nosuch" in _err(capsys)


@pytest.mark.parametrize("content, needle", [
    ("{not json", "not valid JSON"),
    ("[1, 2]", "JSON object"),
    ('{"no_such_field": 1}', "no_such_field"),
    ('{"momentum": 0.99}', "ambiguous"),
    ('{"method": [1]}', "JSON objects"),
])
def test_bad_config_file(tmp_path, synth_root, content, needle, capsys):
    cfg = tmp_path / "cfg.json"
    cfg.write_text(content)
    assert main(BASE + ["--method", "moco", "--root", str(synth_root), "--config", str(cfg)]) == 2
    assert needle in _err(capsys)


def test_missing_config_file(synth_root, capsys):
    assert main(BASE + ["--method", "moco", "--root", str(synth_root),
                        "--config", "/no/cfg.json"]) == 2
    assert "does not exist" in _err(capsys)
