"""The records published in leaderboard/runs/ are valid and show up as reproduced rows."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import ssvzoo.leaderboard as leaderboard_pkg

RUNS = Path(leaderboard_pkg.__file__).parent / "runs"
PUBLISHED = sorted(RUNS.glob("*.json"))


@pytest.mark.parametrize("path", PUBLISHED, ids=[p.name for p in PUBLISHED])
def test_published_record_is_valid(path):
    from ssvzoo.eval.records import fingerprint, validate_record

    record = json.loads(path.read_text())
    validate_record(record)
    ds, proto = record["dataset"], record["protocol"]
    assert record["fingerprint"] == fingerprint(ds["name"], ds["split"], proto["name"],
                                                proto["params"])
    if ds["name"] == "synthactions":  # generated data must say which generation it was
        assert proto["params"]["dataset_version"].startswith("g")


def test_published_rows_listed_and_never_ranked_with_reported(monkeypatch):
    import ssvzoo.leaderboard.table as table

    monkeypatch.setattr(table, "PACKAGE_RUNS", RUNS)
    warnings = []
    rows = table.load_rows(warn=warnings.append)
    assert not warnings
    reproduced = [r for r in rows if r.source == "reproduced"]
    published = {p.name for p in PUBLISHED}
    assert published and {Path(r.record).name for r in reproduced} == published
    assert all(r.fingerprint for r in reproduced)
    for (dataset, _), section in table.sections(rows).items():
        # a table holds one dataset: SynthActions rows never rank against UCF101 rows
        assert {r.dataset for r in section} == {dataset}


def test_published_synthactions_rows_have_their_floor_on_the_same_data():
    """Method rows are comparable only with a floor on the same generated data and protocol:
    every (dataset_version, fingerprint) with a trained model also has random-init records."""
    records = [json.loads(p.read_text()) for p in PUBLISHED]
    synth = [r for r in records if r["dataset"]["name"] == "synthactions"]
    key = lambda r: (r["protocol"]["params"]["dataset_version"], r["fingerprint"])  # noqa: E731
    floors = {key(r) for r in synth if r["model"]["id"].startswith("random:")}
    trained = [r for r in synth if not r["model"]["id"].startswith("random:")
               and r["protocol"]["name"] != "finetune"]
    assert trained and floors
    for r in trained:
        assert key(r) in floors, (r["model"]["id"], key(r))
        pre = (r.get("details") or {}).get("pretraining")
        if pre is not None and "dataset_version" in pre:  # pre-trained on this data's train split
            assert pre["dataset_version"] == key(r)[0] and pre["steps"] > 0
