"""Synthetic result records (SynthActions, two protocol fingerprints) and isolated record dirs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ssvzoo.utils.io import sha256_json

BASE_PARAMS = {"clips": 10, "frames": 16, "resize": [128, 171], "crop": 112, "crops": 1,
               "feature": "gap", "variant": "default", "level": "video"}


def make_record(model_id="random:r2plus1d_18-tiny", method="scratch",
                backbone="r2plus1d_18-tiny", dataset="synthactions", split=1,
                protocol="retrieval", params=None, metrics=None, params_count=1_234_567,
                details=None) -> dict:
    """A well-formed `ssvzoo.result/1` record, fingerprint computed as ARCHITECTURE.md says."""
    params = dict(BASE_PARAMS if params is None else params)
    record = {
        "schema": "ssvzoo.result/1",
        "model": {"id": model_id, "weights_sha256": "0" * 64, "backbone": backbone,
                  "method": method, "params": params_count, "gflops": 1.2},
        "dataset": {"name": dataset, "split": split, "num_train": 30, "num_test": 10,
                    "num_classes": 5},
        "protocol": {"name": protocol, "params": params},
        "fingerprint": sha256_json({"dataset": dataset, "split": split, "protocol": protocol,
                                    "params": params})[:12],
        "metrics": metrics or {"R@1": 41.0, "R@5": 70.0, "R@10": 80.0, "R@20": 90.0},
        "seed": 0, "skipped_videos": [],
        "provenance": {"ssvzoo_version": "0.1.0", "git_commit": "abc", "hardware": {}},
        "wall_time_s": 1.5, "date": "2026-11-23T10:00:00+00:00",
    }
    if details:
        record["details"] = details
    return record


def write_record(folder: Path, name: str, record) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(json.dumps(record))
    return path


@pytest.fixture(autouse=True)
def isolated_results(tmp_path, monkeypatch):
    """Never read the developer's own ~/.cache/ssvzoo/results, nor the package's published
    runs/ (tests/leaderboard/test_published_runs.py checks those on their own)."""
    import ssvzoo.leaderboard.table as table

    user = tmp_path / "user-results"
    monkeypatch.setenv("SSVZOO_RESULTS", str(user))
    monkeypatch.setattr(table, "PACKAGE_RUNS", tmp_path / "no-published-runs")
    return user


@pytest.fixture
def runs_dir(tmp_path) -> Path:
    """Three SynthActions retrieval records: two share a fingerprint (clips=10), one has clips=5."""
    folder = tmp_path / "runs"
    write_record(folder, "a.json", make_record(
        model_id="runs/rspnet-tiny", method="rspnet",
        metrics={"R@1": 55.0, "R@5": 80.0, "R@10": 90.0, "R@20": 95.0},
        details={"model_card": "https://huggingface.co/ssvzoo/rspnet-tiny"}))
    write_record(folder, "b.json", make_record(
        metrics={"R@1": 30.0, "R@5": 60.0, "R@10": 75.0, "R@20": 88.0}))
    write_record(folder, "c.json", make_record(
        model_id="runs/moco-tiny", method="moco", params={**BASE_PARAMS, "clips": 5},
        metrics={"R@1": 60.0, "R@5": 82.0, "R@10": 91.0, "R@20": 96.0}))
    return folder


@pytest.fixture
def record_factory():
    """`make_record` for tests (conftest is not importable under --import-mode=importlib)."""
    return make_record
