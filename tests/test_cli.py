"""The root command: groups listed, one-line errors with exit code 2, --version."""

import subprocess
import sys

from ssvzoo import __version__
from ssvzoo.cli import main


def test_help_lists_command_groups(capsys):
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    for group in ("data", "zoo", "train", "eval", "leaderboard"):
        assert group in out


def test_version(capsys):
    assert main(["--version"]) == 0
    assert __version__ in capsys.readouterr().out


def test_unknown_command_is_one_line_exit_2(capsys):
    assert main(["no-such-command"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error:") and "no-such-command" in err
    assert len(err.splitlines()) == 1


def test_unknown_option_is_one_line_exit_2(capsys):
    assert main(["data", "synth", "--no-such-option"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "--no-such-option" in err


def test_console_script_runs_without_traceback():
    proc = subprocess.run(
        [sys.executable, "-m", "ssvzoo", "data", "check", "--dataset", "ucf101"],
        capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert proc.stderr.strip().startswith("error:")


def test_unwritable_output_path_is_one_line_exit_2(tmp_path, capsys):
    """A path that cannot be written (a file where a folder should be) is refused in one line."""
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert main(["train", "--method", "scratch", "--backbone", "r3d_18-tiny",
                 "--out", str(blocker / "run")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error:") and len(err.splitlines()) == 1
    assert main(["train", "--method", "supervised", "--backbone", "r3d_18-tiny", "--dataset",
                 "synthactions", "--root", str(tmp_path), "--lr", "-1"]) == 2
    assert "lr must be > 0" in capsys.readouterr().err
