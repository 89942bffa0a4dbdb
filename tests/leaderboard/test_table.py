"""Pure pieces of the leaderboard table: keys, record checks, filtering, ranking and marking."""

import json

import pytest
from ssvzoo.errors import ConfigError
from ssvzoo.leaderboard.table import (
    Filters,
    Row,
    backbone_family,
    backbone_key,
    dataset_key,
    filter_rows,
    leaderboard_rows,
    load_reported,
    load_reproduced,
    normalise_metric,
    rank_rows,
    record_problems,
    record_rows,
    to_csv,
    to_markdown,
)


def _row(value, source="reproduced", fp="aaa", metric="R@1", dataset="synthactions", **kw):
    return Row(source=source, dataset=dataset, protocol="retrieval", metric=metric, value=value,
               method=kw.pop("method", f"m{value:g}"), backbone="r3d_18", fingerprint=fp, **kw)


def test_keys_normalise_spellings():
    assert dataset_key("UCF101") == "ucf101" and dataset_key("SSv2") == "ssv2"
    assert normalise_metric("r@10") == "R@10" and normalise_metric("TOP1") == "top1"
    assert "r2plus1d" in backbone_key("R(2+1)D") and "r2plus1d" in backbone_key("r2plus1d_18-tiny")
    assert backbone_family("r2plus1d_18-tiny") == backbone_family("R(2+1)D") == "r2plus1d"
    assert backbone_family("r21d_10") == "r2plus1d" and backbone_family("r3d_18") == "r3d"


def test_reported_csv_keeps_every_seed_number_as_printed():
    rows = load_reported()
    assert len(rows) == 351
    bu = [r for r in rows if r.method == "BU init" and r.dataset == "ucf101"]
    assert bu[0].value_text == "85" and bu[0].value == pytest.approx(85.0)
    dtg = [r for r in rows if r.method.startswith("DTG-Net (bu+stanford")]
    assert {r.value_text for r in dtg} == {"85.6", "49.9"} and all(r.teacher_supervised for r in dtg)
    assert all(r.paper_url.startswith("https://arxiv.org/abs/") for r in rows)
    rsp = [r for r in rows if r.method == "RSPNet" and r.backbone == "R(2+1)D" and r.dataset == "hmdb51"]
    assert "DISCREPANCY" in rsp[0].notes
    moco = [r for r in rows if r.method == "MoCo" and r.paper_table == "Table IX"]
    assert moco[0].params_m == pytest.approx(33.4) and moco[0].gflops == pytest.approx(38.7)


def test_record_problems(record_factory):
    good = record_factory()
    assert record_problems(good) == []
    assert record_problems([1]) == ["not a JSON object"]
    assert "schema" in record_problems({**good, "schema": "other/2"})[0]
    assert "missing keys" in record_problems({"schema": "ssvzoo.result/1"})[0]
    assert "schema is None" in record_problems({"metrics": {}})[0]
    tampered = json.loads(json.dumps(good))
    tampered["protocol"]["params"]["clips"] = 3
    assert "fingerprint" in record_problems(tampered)[0]


def test_record_rows_one_per_metric_with_std(record_factory):
    rec = record_factory(split="all", metrics={"R@1": 40.0, "R@1_std": 2.0, "R@5": 70.0})
    rows = record_rows(rec, "x/rec.json")
    assert [(r.metric, r.value, r.std) for r in rows] == [("R@1", 40.0, 2.0), ("R@5", 70.0, None)]
    assert rows[0].split == "all" and rows[0].pretrain_data == "none"
    assert rows[0].params_m == pytest.approx(1.234567)
    assert rows[0].fingerprint == rec["fingerprint"] and rows[0].record == "x/rec.json"


def test_load_reproduced_warns_once_per_bad_file_and_dedupes(tmp_path, record_factory):
    make_record = record_factory
    (tmp_path / "bad.json").write_text("{not json")
    (tmp_path / "wrong.json").write_text(json.dumps({"schema": "nope"}))
    (tmp_path / "ok.json").write_text(json.dumps(make_record()))
    (tmp_path / "list.json").write_text(json.dumps([make_record(), {"schema": "x"}]))
    warnings = []
    rows = load_reproduced([tmp_path, tmp_path / "missing"], warnings.append)
    assert len(warnings) == 3
    assert any("bad.json" in w for w in warnings) and any("list.json[1]" in w for w in warnings)
    assert len(rows) == 4  # the record in list.json equals ok.json: counted once


def test_rank_ties_share_rank_and_groups_rank_separately():
    rows = rank_rows([_row(50), _row(70), _row(70), _row(60, fp="bbb"), _row(65, fp="bbb"),
                      _row(90, fp="ccc")])
    got = [(r.value, r.fingerprint, r.rank, bool(r.mismatch)) for r in rows]
    # "aaa" has most rows: it is the main group, ranked first; others ranked apart and marked.
    assert got == [(70, "aaa", 1, False), (70, "aaa", 1, False), (50, "aaa", 3, False),
                   (65, "bbb", 1, True), (60, "bbb", 2, True), (90, "ccc", 1, True)]


def test_mismatch_reason_names_the_differing_params():
    a = _row(50, protocol_params={"clips": 10, "crop": 112}, split="1")
    b = _row(40, protocol_params={"clips": 10, "crop": 112}, split="1")
    c = _row(60, fp="zzz", protocol_params={"clips": 5, "crop": 112}, split="2")
    marked = [r for r in rank_rows([a, b, c]) if r.mismatch]
    assert [r.mismatch for r in marked] == ["split 2 vs 1; clips 5 vs 10"]


def test_reported_unstated_settings_join_the_main_group():
    common = dict(source="reported", dataset="ucf101", fp="", metric="top1")
    rows = rank_rows([
        _row(90, protocol_params={"resolution": "112x112", "clip_len": "16"}, **common),
        _row(80, protocol_params={"resolution": "112x112", "clip_len": "16"}, **common),
        _row(95, protocol_params={"resolution": "n/s", "clip_len": "n/s"}, **common),
        _row(85, protocol_params={"resolution": "128x128", "clip_len": "16"}, **common)])
    assert [(r.value, r.rank, r.mismatch) for r in rows] == [
        (95, 1, ""), (90, 2, ""), (80, 3, ""), (85, 1, 'resolution "128x128" vs "112x112"')]


def test_datasets_never_share_a_ranking():
    rows = leaderboard_rows([_row(99, source="reported", dataset="ucf101", fp=""), _row(10)])
    assert [(r.dataset, r.rank) for r in rows] == [("synthactions", 1), ("ucf101", 1)]


def test_filters():
    rows = load_reported()
    sel = filter_rows(rows, Filters(dataset="UCF101", backbone="r2plus1d", pretrain_data="kinetics",
                                    metric="top1"))
    assert sel and all(r.dataset == "ucf101" and "(2+1)" in r.backbone and
                       "Kinetics" in r.pretrain_data and r.metric == "top1" for r in sel)
    for bad in (dict(source="mine"), dict(protocol="knn"), dict(metric="R@3")):
        with pytest.raises(ConfigError):
            Filters(**bad)


def test_text_formats_hold_every_row():
    rows = leaderboard_rows([_row(50), _row(60, fp="bbb"), _row(70, source="reported",
                                                              dataset="ucf101", fp="")])
    md = to_markdown(rows)
    assert md.count("### ") == 2 and "| 1 | reproduced | m50 |" in md
    csv_text = to_csv(rows)
    assert len(csv_text.strip().splitlines()) == 4 and csv_text.startswith("source,")
