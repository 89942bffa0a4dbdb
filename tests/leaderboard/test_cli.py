"""`ssvzoo leaderboard` through the root CLI: acceptance rows, formats, bad input, bad records."""

import csv
import io
import json

import pytest

from ssvzoo.cli import main
from ssvzoo.leaderboard.table import Filters, leaderboard_rows, load_rows

ACCEPT = ["leaderboard", "--dataset", "ucf101", "--protocol", "finetune", "--source", "reported"]


def test_acceptance_reported_ucf101_finetune(capsys):
    assert main(ACCEPT) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()

    def line_with(*parts):
        return [ln for ln in lines if all(p in ln for p in parts)]

    assert line_with("CSVR", "R3D", "Kinetics-400", "94.5", "CSVR Table VI")
    assert line_with("HCP-TD", "R(2+1)D", "Kinetics-400", "81.6", "HCP-TD Table 1")
    assert line_with("DTG-Net (bu+stanford-guidance)", "85.6", "DTG-Net Table 1")
    assert "│ reproduced" not in out and "hmdb51" not in out


def test_acceptance_through_the_table_function():
    rows = leaderboard_rows(load_rows(warn=print), Filters(dataset="ucf101", protocol="finetune",
                                                           source="reported", metric="top1"))
    by = {(r.method, r.backbone, r.pretrain_data): r for r in rows}
    assert by[("CSVR", "R3D", "Kinetics-400")].value == pytest.approx(94.5)
    assert by[("CSVR", "R3D", "Kinetics-400")].rank == 1
    assert by[("HCP-TD", "R(2+1)D", "Kinetics-400")].paper == "HCP-TD"
    dtg = by[("DTG-Net (bu+stanford-guidance) (dagger)", "3D-ResNet18 (#31.8M)", "UCF101/HMDB51")]
    assert dtg.value == pytest.approx(85.6) and dtg.paper == "DTG-Net"


def test_reproduced_rows_have_fingerprints_and_their_own_table(runs_dir, capsys):
    assert main(["leaderboard", "--runs", str(runs_dir), "--metric", "R@1", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    synth = [r for r in rows if r["dataset"] == "synthactions"]
    ucf = [r for r in rows if r["dataset"] == "ucf101"]
    assert len(synth) == 3 and ucf and all(r["source"] == "reproduced" for r in synth)
    assert all(len(r["fingerprint"]) == 12 for r in synth)
    assert len({r["fingerprint"] for r in synth}) == 2
    # Ranked per dataset: the SynthActions ranks restart, never interleave with UCF101 ones.
    assert [r["rank"] for r in synth] == [1, 2, 1]
    assert [r["value"] for r in synth] == [55.0, 30.0, 60.0]
    assert synth[2]["mismatch"] == "clips 5 vs 10" and not synth[0]["mismatch"]
    assert all(r["source"] == "reported" for r in ucf)


def test_rich_table_escapes_markup(runs_dir, record_factory, capsys):
    (runs_dir / "odd.json").write_text(json.dumps(record_factory(method="[bold]odd[/bold]")))
    assert main(["leaderboard", "--dataset", "synthactions", "--runs", str(runs_dir),
                 "--metric", "R@1"]) == 0
    assert "[bold]odd[/bold]" in capsys.readouterr().out


def test_rich_table_shows_fingerprint_and_mark(runs_dir, capsys):
    assert main(["leaderboard", "--dataset", "synthactions", "--runs", str(runs_dir),
                 "--metric", "R@1"]) == 0
    out = capsys.readouterr().out
    fps = {json.loads(p.read_text())["fingerprint"] for p in runs_dir.glob("*.json")}
    assert all(fp in out for fp in fps)
    assert "≠ clips 5 vs 10" in out and "synthactions · retrieval" in out


def test_formats_md_csv_html(runs_dir, capsys):
    base = ["leaderboard", "--dataset", "synthactions", "--runs", str(runs_dir)]
    assert main(base + ["--format", "md"]) == 0
    md = capsys.readouterr().out
    assert md.startswith("### synthactions · retrieval") and md.count("| reproduced |") == 12
    assert main(base + ["--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert len(rows) == 12 and {r["metric"] for r in rows} == {"R@1", "R@5", "R@10", "R@20"}
    assert main(base + ["--format", "html"]) == 0
    page = capsys.readouterr().out
    assert page.startswith("<!doctype html>") and page.count('<tr class="reproduced') == 12


@pytest.mark.parametrize("args, word", [
    (["--protocol", "knn"], "--protocol"), (["--source", "mine"], "--source"),
    (["--format", "xml"], "--format"), (["--metric", "R@3"], "--metric"),
    (["--runs", "/no/such/folder"], "--runs"), (["publish", "--out", "x", "--runs", "/nope"], "--runs")])
def test_bad_option_values_are_one_line_exit_2(args, word, capsys):
    assert main(["leaderboard", *args]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error:") and word in err and len(err.splitlines()) == 1


def test_bad_records_are_skipped_with_one_warning_each(runs_dir, capsys):
    (runs_dir / "broken.json").write_text("{")
    (runs_dir / "other.json").write_text(json.dumps({"schema": "someone.else/3"}))
    assert main(["leaderboard", "--dataset", "synthactions", "--runs", str(runs_dir),
                 "--format", "json"]) == 0
    captured = capsys.readouterr()
    warnings = [ln for ln in captured.err.splitlines() if ln.startswith("warning:")]
    assert len(warnings) == 2 and "broken.json" in warnings[0] and "someone.else/3" in warnings[1]
    assert len(json.loads(captured.out)) == 12


def test_user_results_dir_is_read(isolated_results, record_factory, capsys):
    isolated_results.mkdir()
    (isolated_results / "mine.json").write_text(json.dumps(record_factory()))
    assert main(["leaderboard", "--source", "reproduced", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {r["record"].split("/")[-1] for r in rows} == {"mine.json"}


def test_no_match_is_a_warning_not_an_error(capsys):
    assert main(["leaderboard", "--dataset", "kinetics400"]) == 0
    assert "no rows match" in capsys.readouterr().err


def test_unknown_dataset_is_a_one_line_error(capsys):
    assert main(["leaderboard", "--dataset", "nosuch"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: unknown --dataset 'nosuch'") and len(err.splitlines()) == 1
