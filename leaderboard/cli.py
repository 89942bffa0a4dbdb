"""`ssvzoo leaderboard`: reported and reproduced numbers side by side; `publish` writes the site."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from ssvzoo.errors import ConfigError

FORMATS = ("table", "md", "csv", "json", "html")

app = typer.Typer()

RunsOpt = Annotated[Optional[list[str]], typer.Option(
    "--runs", help="Extra folder of result records (*.json); repeatable. Always read: the "
                   "package's leaderboard/runs/ and $SSVZOO_RESULTS or ~/.cache/ssvzoo/results.")]


def _run_dirs(runs: Optional[list[str]]) -> list[str]:
    missing = [d for d in runs or () if not Path(d).expanduser().is_dir()]
    if missing:
        raise ConfigError(f"--runs {missing[0]}: no such folder; give a folder of result records")
    return list(runs or ())


def _known_dataset(name: str, rows) -> bool:
    """A registered dataset (it may have no rows yet) or one that some row names."""
    import ssvzoo.data.datasets  # noqa: F401  (registers the datasets)
    from ssvzoo.data.datasets.base import DATASETS

    return name.lower() in {str(k).lower() for k in DATASETS.names()} or any(
        r.dataset.lower() == name.lower() for r in rows)


def _warn(message: str) -> None:
    from ssvzoo.utils.console import err_console

    err_console.print(f"warning: {message}", markup=False, highlight=False, soft_wrap=True)


@app.callback(invoke_without_command=True)
def leaderboard(
    ctx: typer.Context,
    dataset: Annotated[Optional[str], typer.Option(
        "--dataset", help="Dataset key: ucf101, hmdb51, ssv2, synthactions, ...")] = None,
    protocol: Annotated[Optional[str], typer.Option(
        "--protocol", help="finetune | linear | retrieval | supervised")] = None,
    backbone: Annotated[Optional[str], typer.Option(
        "--backbone", help="Backbone substring, spelling-insensitive (r2plus1d matches R(2+1)D).")] = None,
    pretrain_data: Annotated[Optional[str], typer.Option(
        "--pretrain-data", help="Pre-training data substring (kinetics, ucf101, none, ...).")] = None,
    source: Annotated[str, typer.Option(
        "--source", help="reported | reproduced | all")] = "all",
    metric: Annotated[Optional[str], typer.Option(
        "--metric", help="top1 | top5 | R@1 | R@5 | R@10 | R@20 | R@50 | mAP")] = None,
    runs: RunsOpt = None,
    fmt: Annotated[str, typer.Option(
        "--format", help="table (rich) | md | csv | json | html")] = "table",
) -> None:
    """Leaderboard: paper numbers next to reproduced result records.

    One table per (dataset, protocol), ranked per metric. Reproduced rows (green) show their protocol fingerprint; rows whose protocol differs from the table's main group are marked in the "≠ protocol" column instead of being ranked with it.

    Examples:

      ssvzoo leaderboard --dataset ucf101 --protocol finetune --source reported

      ssvzoo leaderboard --dataset synthactions --source reproduced --runs results/

      ssvzoo leaderboard --protocol retrieval --metric R@1 --format md

      ssvzoo leaderboard publish --out site/
    """
    if ctx.invoked_subcommand is not None:
        return
    from ssvzoo.leaderboard.table import Filters, leaderboard_rows, load_rows

    if fmt not in FORMATS:
        raise ConfigError(f"unknown --format {fmt!r}; use one of {', '.join(FORMATS)}")
    filters = Filters(dataset=dataset, protocol=protocol, backbone=backbone,
                      pretrain_data=pretrain_data, source=source, metric=metric)
    rows = load_rows(_run_dirs(runs), warn=_warn)
    shown = leaderboard_rows(rows, filters)
    if not shown:
        datasets = ", ".join(sorted({r.dataset for r in rows}))
        if dataset and not _known_dataset(dataset, rows):
            raise ConfigError(f"unknown --dataset {dataset!r}; datasets with rows: {datasets}")
        _warn(f"no rows match the filters (datasets with rows: {datasets})")
        return
    _print(shown, fmt)


def _print(rows, fmt: str) -> None:
    from ssvzoo.leaderboard import table as T

    if fmt == "table":
        from rich.console import Console

        from ssvzoo.utils.console import console

        # Piped output would be cut to 80 columns and fold every name; give it room instead.
        out = console if console.is_terminal else Console(width=200)
        for renderable in _rich_tables(rows):
            out.print(renderable)
        return
    if fmt == "html":
        from ssvzoo.leaderboard.publish import render_standalone

        text = render_standalone(rows)
    else:
        text = {"md": T.to_markdown, "csv": T.to_csv, "json": T.to_json}[fmt](rows)
    typer.echo(text, nl=False)


def _rich_tables(rows):
    from rich.markup import escape
    from rich.table import Table

    from ssvzoo.leaderboard.table import COLUMNS, display_cells, section_title, sections_in_order

    headers = {"rank": "#", "pretrain": "pretrain data", "paper": "paper / record",
               "protocol_mismatch": "≠ protocol"}
    for (dataset, protocol), sec in sections_in_order(rows).items():
        table = Table(title=f"{section_title(dataset, protocol)}  "
                            "(green = reproduced, ≠ protocol = not comparable with the main group)",
                      title_justify="left", show_lines=False)
        for c in COLUMNS:
            table.add_column(headers.get(c, c), justify="right" if c in ("rank", "value") else "left",
                             overflow="fold", no_wrap=c in ("rank", "source", "metric", "value",
                                                            "fingerprint"))
        for r in sec:
            cells = display_cells(r)
            style = "green" if r.source == "reproduced" else None
            if r.mismatch:
                cells["protocol_mismatch"] = f"≠ {r.mismatch}"
                style = "yellow" if style is None else "dark_orange"
            # Names come from papers and user records: never let "[...]" be read as markup.
            table.add_row(*(escape(cells[c]) for c in COLUMNS), style=style)
        yield table


@app.command("publish")
def publish_command(
    out: Annotated[str, typer.Option("--out", help="Folder to write the site into (replaced atomically).")],
    runs: RunsOpt = None,
    no_plots: Annotated[bool, typer.Option("--no-plots", help="Skip the matplotlib plots.")] = False,
) -> None:
    """Write the static leaderboard site into --out.

    index.html holds one sortable, filterable table per (dataset, protocol); data.json every row; records/ the result records shown; plots/ accuracy vs cost, R@k curves and reported vs reproduced (PNG and SVG).

    Example: ssvzoo leaderboard publish --out site/ --runs results/ && python -m http.server -d site
    """
    from ssvzoo.leaderboard.publish import publish
    from ssvzoo.leaderboard.table import leaderboard_rows, load_rows
    from ssvzoo.utils.console import console

    rows = leaderboard_rows(load_rows(_run_dirs(runs), warn=_warn))
    path = publish(rows, out, plots=not no_plots)
    console.print(f"wrote {path}/index.html ({len(rows)} rows)", markup=False, highlight=False)
