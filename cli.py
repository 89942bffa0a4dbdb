"""The `ssvzoo` command: mounts each area's own cli.py; no logic of its own."""

from __future__ import annotations

import sys

import typer

try:  # typer >= 0.22 vendors click as typer._click
    from typer._click import exceptions as click_exc
except ImportError:  # pragma: no cover - older typer on real click
    from click import exceptions as click_exc

from ssvzoo import __version__
from ssvzoo.data.cli import app as data_app
from ssvzoo.eval.cli import eval_command
from ssvzoo.leaderboard.cli import app as leaderboard_app
from ssvzoo.train.cli import train_command
from ssvzoo.zoo.cli import app as zoo_app

app = typer.Typer(
    name="ssvzoo",
    help="Benchmark and model zoo for self-supervised video representation learning.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
_state = {"debug": False}


def _version(value: bool) -> None:
    if value:
        typer.echo(f"ssvzoo {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    debug: bool = typer.Option(False, "--debug", help="Show full tracebacks."),
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                 help="Print the version and exit."),
) -> None:
    """Benchmark and model zoo for self-supervised video representation learning.

    Example: ssvzoo data synth --out synth && ssvzoo eval --model random:r2plus1d_18-tiny
    --dataset synthactions --root synth
    """
    _state["debug"] = debug


app.add_typer(data_app, name="data")
app.add_typer(zoo_app, name="zoo")
app.command("train", help=train_command.__doc__)(train_command)
app.command("eval", help=eval_command.__doc__)(eval_command)
app.add_typer(leaderboard_app, name="leaderboard")


def main(argv: list[str] | None = None) -> int:
    """Entry point: user errors become one line on stderr and exit code 2."""
    from ssvzoo.errors import SsvzooError

    argv = sys.argv[1:] if argv is None else argv
    _state["debug"] = "--debug" in argv
    try:
        rv = app(args=argv, prog_name="ssvzoo", standalone_mode=False)
        return rv if isinstance(rv, int) else 0
    except typer.Exit as e:
        return e.exit_code
    except typer.Abort:
        typer.echo("aborted", err=True)
        return 130
    except click_exc.UsageError as e:
        if type(e).__name__ == "NoArgsIsHelpError" and e.ctx is not None:
            typer.echo(e.ctx.get_help())
            return 0
        if _state["debug"]:
            raise
        cmd = e.ctx.command_path if e.ctx else "ssvzoo"
        typer.echo(f"error: {e.format_message()} (see '{cmd} --help')", err=True)
        return 2
    except click_exc.ClickException as e:
        if _state["debug"]:
            raise
        typer.echo(f"error: {e.format_message()}", err=True)
        return e.exit_code or 1
    except SsvzooError as e:
        if _state["debug"]:
            raise
        typer.echo(f"error: {e}", err=True)
        return 2
    except OSError as e:  # a path we were told to write to or read from is unusable
        if _state["debug"]:
            raise
        where = f" {e.filename}" if getattr(e, "filename", None) else ""
        typer.echo(f"error:{where}: {e.strerror or e}", err=True)
        return 2
    except KeyboardInterrupt:
        typer.echo("interrupted", err=True)
        return 130


if __name__ == "__main__":
    sys.exit(main())
