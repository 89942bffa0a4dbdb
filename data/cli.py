"""`ssvzoo data ...`: generate SynthActions, check a dataset on disk."""

from __future__ import annotations

import typer

from ssvzoo.data.check import check_command
from ssvzoo.data.synth.cli import synth_command

app = typer.Typer(help="Datasets: generate SynthActions, check a dataset on disk.", no_args_is_help=True)
app.command("synth", help=synth_command.__doc__)(synth_command)
app.command("check", help=check_command.__doc__)(check_command)
