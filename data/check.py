"""`ssvzoo data check`: is every video of a split on disk and decodable?"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

EXAMPLES_SHOWN = 5


def check_video(path: Path) -> str | None:
    """None when the header, packet index and first frame decode; else the cause."""
    from ssvzoo.data.decode import Video
    from ssvzoo.errors import VideoReadError

    try:
        with Video(path) as video:
            video.frames([0])
    except VideoReadError as e:
        return e.cause
    return None


def index_split(dataset: str, root: Path, split: int) -> dict[str, Any]:
    """{"train": ds, "test": ds}: the split's records (no video opened); DatasetError if bad."""
    from ssvzoo.data.datasets import DATASETS

    cls = DATASETS.get(dataset)
    return {s: cls(root, split=split, subset=s) for s in ("train", "test")}


def check_dataset(dataset: str, root: Path, split: int = 1, workers: int = 2,
                  on_progress=None, subsets: dict[str, Any] | None = None) -> dict[str, Any]:
    """Walk train and test of `split`: found / missing / unreadable per subset (a JSON-able dict)."""
    from concurrent.futures import ThreadPoolExecutor

    subsets = subsets if subsets is not None else index_split(dataset, root, split)
    report: dict[str, Any] = {"dataset": dataset, "root": str(root), "split": split, "subsets": {}}
    # PyAV releases the GIL while demuxing and decoding, so threads overlap the I/O.
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        for subset, ds in subsets.items():
            unreadable = []
            for record, cause in zip(ds.records, pool.map(check_video, [r.path for r in ds.records])):
                if cause is not None:
                    unreadable.append({"path": str(record.path), "cause": cause})
                if on_progress is not None:
                    on_progress(subset)
            report["subsets"][subset] = {
                "listed": len(ds.records) + len(ds.missing),
                "found": len(ds.records),
                "missing": len(ds.missing),
                "unreadable": len(unreadable),
                "num_classes": len(ds.classes),
                "missing_files": [str(r.path) for r in ds.missing],
                "unreadable_files": unreadable,
            }
    report["ok"] = all(s["missing"] == 0 and s["unreadable"] == 0
                       for s in report["subsets"].values())
    return report


def _summary_table(report: dict[str, Any]):
    from rich.table import Table

    table = Table(title=f"{report['dataset']} split {report['split']} at {report['root']}")
    for col in ("subset", "listed", "found", "missing", "unreadable", "classes"):
        table.add_column(col, justify="left" if col == "subset" else "right")
    for name, s in report["subsets"].items():
        bad = lambda n: f"[red]{n}[/red]" if n else "0"  # noqa: E731
        table.add_row(name, str(s["listed"]), str(s["found"]), bad(s["missing"]),
                      bad(s["unreadable"]), str(s["num_classes"]))
    return table


def check_command(
    dataset: Annotated[str, typer.Option("--dataset", help="Dataset name: synthactions, ucf101, "
                                         "hmdb51, kinetics400, ssv2.")],
    root: Annotated[Path, typer.Option("--root", help="The dataset folder.")],
    split: Annotated[int, typer.Option("--split", help="Split 1..3 (UCF101, HMDB51) or 1.")] = 1,
    out: Annotated[Optional[Path], typer.Option(
        "--out", help="JSON report path (default: ROOT/ssvzoo_check_<dataset>_split<k>.json).")] = None,
    workers: Annotated[int, typer.Option("--workers", help="Files probed in parallel.")] =
        min(4, os.cpu_count() or 1),
) -> None:
    """Check that every video of a split is on disk and decodes; write a JSON report.

    Exit code 0 when all is well, 1 when a video is missing or unreadable, 2 for bad arguments.

    Example: ssvzoo data check --dataset ucf101 --root /data/UCF101 --split 1
    """
    from ssvzoo.utils.console import console, progress
    from ssvzoo.utils.io import write_json_atomic

    # Index first so argument errors (root, split) come before the progress bar.
    subsets = index_split(dataset, root, split)
    total = sum(len(ds.records) for ds in subsets.values())
    with progress() as bar:
        task = bar.add_task("probing videos", total=total, info="")
        report = check_dataset(dataset, root, split, workers, subsets=subsets,
                               on_progress=lambda subset: bar.advance(task))
    console.print(_summary_table(report))
    for name, s in report["subsets"].items():
        for path in s["missing_files"][:EXAMPLES_SHOWN]:
            console.print(f"  [red]missing[/red] ({name}) {path}")
        for bad in s["unreadable_files"][:EXAMPLES_SHOWN]:
            console.print(f"  [red]unreadable[/red] ({name}) {bad['path']}: {bad['cause']}")
    out = out or root / f"ssvzoo_check_{dataset}_split{split}.json"
    write_json_atomic(out, report)
    console.print(f"report: {out}")
    if not report["ok"]:
        raise typer.Exit(1)
