"""`ssvzoo data check` through the real CLI entry point."""

from __future__ import annotations

import json

import pytest

from ssvzoo.cli import main


@pytest.fixture
def synth_copy(tmp_path, ucf_style_writer):
    root = tmp_path / "synth"
    ucf_style_writer(root, ["Walk", "Jump"], train_per_class=2, test_per_class=1, num_frames=6)
    return root


def test_clean_dataset_exits_0_and_writes_report(synth_copy, capsys):
    assert main(["data", "check", "--dataset", "synthactions", "--root", str(synth_copy)]) == 0
    report = json.loads((synth_copy / "ssvzoo_check_synthactions_split1.json").read_text())
    assert report["ok"] is True
    assert report["subsets"]["train"]["found"] == 4 and report["subsets"]["test"]["found"] == 2
    assert report["subsets"]["train"]["num_classes"] == 2
    assert "synthactions split 1" in capsys.readouterr().out


def test_missing_and_unreadable_exit_1(synth_copy, tmp_path):
    (synth_copy / "Walk" / "v_Walk_g01_c01.mp4").unlink()
    (synth_copy / "Jump" / "v_Jump_g03_c01.mp4").write_text("not a video")
    out = tmp_path / "report.json"
    rc = main(["data", "check", "--dataset", "synthactions", "--root", str(synth_copy),
               "--out", str(out)])
    assert rc == 1
    report = json.loads(out.read_text())
    train, test = report["subsets"]["train"], report["subsets"]["test"]
    assert (train["listed"], train["found"], train["missing"], train["unreadable"]) == (4, 3, 1, 0)
    assert (test["listed"], test["found"], test["missing"], test["unreadable"]) == (2, 2, 0, 1)
    assert train["missing_files"] == [str(synth_copy / "Walk" / "v_Walk_g01_c01.mp4")]
    assert test["unreadable_files"][0]["path"].endswith("v_Jump_g03_c01.mp4")
    assert report["ok"] is False


def test_bad_arguments_exit_2(synth_copy, tmp_path, capsys):
    assert main(["data", "check", "--dataset", "synthactions", "--root", str(synth_copy),
                 "--split", "2"]) == 2
    assert main(["data", "check", "--dataset", "ucf", "--root", str(synth_copy)]) == 2
    assert main(["data", "check", "--dataset", "ucf101", "--root", str(tmp_path / "nope")]) == 2
    err = capsys.readouterr().err
    assert err.count("error:") == 3 and "Traceback" not in err


def test_help_has_example(capsys):
    assert main(["data", "check", "--help"]) == 0
    assert "Example: ssvzoo data check" in capsys.readouterr().out
