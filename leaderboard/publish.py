"""`ssvzoo leaderboard publish`: the static site (index.html, data.json, records, plots).

The page is rendered here, in Python, so it holds every row even without JavaScript; the small
`site/leaderboard.js` only adds sorting and filtering. Nothing is fetched from the network.
The site is built in a temp folder next to OUT and swapped in at the end, so a failed build
never leaves half a site behind.
"""

from __future__ import annotations

import datetime as _dt
import html
import json
import os
import re
import shutil
import tempfile
from pathlib import Path

from ssvzoo.errors import ConfigError
from ssvzoo.leaderboard.table import (
    COLUMNS,
    Row,
    display_cells,
    section_title,
    sections_in_order,
)
from ssvzoo.utils.io import write_text_atomic

SITE_DIR = Path(__file__).resolve().parent / "site"
MARKER = ".ssvzoo-leaderboard"  # a folder holding this file may be replaced by publish
HEADERS = {"rank": "#", "source": "source", "method": "method", "backbone": "backbone",
           "pretrain": "pretrain data", "metric": "metric", "value": "value",
           "paper": "paper / record", "fingerprint": "fingerprint",
           "protocol_mismatch": "≠ protocol"}
_NUMERIC = ("rank", "value")


def section_id(dataset: str, protocol: str) -> str:
    return "t-" + re.sub(r"[^a-z0-9]+", "-", f"{dataset}-{protocol}".lower()).strip("-")


def record_site_name(path: str) -> str:
    """Where a record file is copied inside the site (`records/<file name>`)."""
    return f"records/{Path(path).name}"


def _cell_html(row: Row, column: str, text: str) -> str:
    esc = html.escape(text)
    if column == "method" and row.model_card:
        esc = f'<a href="{html.escape(row.model_card)}">{esc}</a> <small>(card)</small>'
    elif column == "method" and row.teacher_supervised:
        esc += ' <small title="teacher trained with action labels">(label-supervised teacher)</small>'
    elif column == "paper" and row.source == "reported" and row.paper_url:
        esc = f'<a href="{html.escape(row.paper_url)}" title="{html.escape(row.notes)}">{esc}</a>'
    elif column == "paper" and row.record:
        esc = f'<a href="{html.escape(record_site_name(row.record))}">{esc}</a>'
    classes = [c for c, on in (("num", column in _NUMERIC), ("fp", column == "fingerprint"),
                               ("mm", column == "protocol_mismatch")) if on]
    cls = f' class="{" ".join(classes)}"' if classes else ""
    return f"<td{cls}>{esc}</td>"


def render_sections(rows: list[Row], *, with_tools: bool = True) -> str:
    """One `<table class="lb">` per (dataset, protocol); each `<tr>` carries its row key."""
    parts = []
    for (dataset, protocol), sec in sections_in_order(rows).items():
        tid = section_id(dataset, protocol)
        head = "".join(f"<th>{html.escape(HEADERS[c])}</th>" for c in COLUMNS)
        body = []
        for r in sec:
            cells = display_cells(r)
            cls = " ".join([r.source] + (["mismatch"] if r.mismatch else []))
            tds = "".join(_cell_html(r, c, cells[c]) for c in COLUMNS)
            body.append(f'<tr class="{cls}" data-key="{html.escape(r.key)}">{tds}</tr>')
        tools = (f'<div class="tools"><input id="{tid}-filter" type="search" placeholder="filter"'
                 f' aria-label="filter {html.escape(section_title(dataset, protocol))}">'
                 f'<span class="count" id="{tid}-count"></span></div>') if with_tools else ""
        parts.append(f'<section><h2 id="{tid}-title">{html.escape(section_title(dataset, protocol))}'
                     f"</h2>{tools}<table class=\"lb\" id=\"{tid}\"><thead><tr>{head}</tr></thead>"
                     f"<tbody>\n" + "\n".join(body) + "\n</tbody></table></section>")
    return "\n".join(parts)


def render_page(rows: list[Row], plots: list[str] = (), generated: str | None = None) -> str:
    """The whole index.html: the site template filled with the tables and plot links."""
    template = (SITE_DIR / "index.html").read_text(encoding="utf-8")
    generated = generated or _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat()
    pngs = [p for p in plots if p.endswith(".png")]
    plot_html = '<div class="plots">' + "".join(
        f'<a href="{html.escape(p[:-4])}.svg"><img src="{html.escape(p)}" alt="{html.escape(p)}"></a>'
        for p in pngs) + "</div>" if pngs else "<p>No plots.</p>"
    return (template.replace("{{GENERATED}}", html.escape(generated))
            .replace("{{NROWS}}", str(len(rows)))
            .replace("{{SECTIONS}}", render_sections(rows) or "<p>No rows.</p>")
            .replace("{{PLOTS}}", plot_html))


def render_standalone(rows: list[Row]) -> str:
    """`--format html`: the tables in one self-contained document with inline CSS, no JS."""
    css = (SITE_DIR / "style.css").read_text(encoding="utf-8")
    return ("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>ssvzoo leaderboard</title><style>{css}</style></head><body>\n"
            f"{render_sections(rows, with_tools=False)}\n</body></html>\n")


def publish(rows: list[Row], out: str | os.PathLike, *, plots: bool = True) -> Path:
    """Write the site to `out` (index.html, data.json, style/JS, records/, plots/)."""
    out = Path(out).expanduser().resolve()
    if out.exists() and (not out.is_dir() or (any(out.iterdir()) and not (out / MARKER).exists())):
        raise ConfigError(f"{out} exists and is not an ssvzoo leaderboard site; "
                          "choose an empty or new --out folder")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    tmp.chmod(0o755)  # mkdtemp makes it private; a site is meant to be served
    try:
        _build(rows, tmp, plots)
        _swap_in(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out


def _build(rows: list[Row], site: Path, plots: bool) -> None:
    for name in ("style.css", "leaderboard.js"):
        shutil.copyfile(SITE_DIR / name, site / name)
    for path in sorted({r.record for r in rows if r.record}):
        target = site / record_site_name(path)
        target.parent.mkdir(exist_ok=True)
        shutil.copyfile(path, target)
    plot_files: list[str] = []
    if plots:
        from ssvzoo.leaderboard.plots import make_plots

        plot_files = [f"plots/{p.name}" for p in make_plots(rows, site / "plots")]
    data = {"schema": "ssvzoo.leaderboard/1", "rows": [r.to_dict() for r in rows],
            "plots": plot_files}
    write_text_atomic(site / "data.json", json.dumps(data, indent=1, ensure_ascii=False) + "\n")
    write_text_atomic(site / "index.html", render_page(rows, plot_files))
    write_text_atomic(site / MARKER, "built by ssvzoo leaderboard publish\n")
    for path in site.rglob("*"):  # temp files are created private; a site is meant to be read
        path.chmod(0o755 if path.is_dir() else 0o644)


def _swap_in(tmp: Path, out: Path) -> None:
    # os.replace cannot replace a non-empty folder: move the old site aside first.
    old = None
    if out.exists():
        old = out.with_name(f".{out.name}.old-{os.getpid()}")
        os.replace(out, old)
    os.replace(tmp, out)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
