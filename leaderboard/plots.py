"""Leaderboard plots (matplotlib, Agg): accuracy vs cost, R@k curves, reported vs reproduced.

Each plot is written as PNG and SVG. A plot with nothing to show says so in its own canvas
instead of coming out blank, so a reader of the site knows the data is missing, not the plot.
"""

from __future__ import annotations

import re
from pathlib import Path

from ssvzoo.leaderboard.table import Row, backbone_family, method_key
from ssvzoo.utils.io import atomic_path

COLORS = {"reported": "#1f77b4", "reproduced": "#2ca02c"}


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")  # no display; must come before pyplot is imported
    import matplotlib.pyplot as plt

    return plt


def _save(fig, out_dir: Path, stem: str) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for ext in ("png", "svg"):
        path = out_dir / f"{stem}.{ext}"
        with atomic_path(path) as tmp:
            fig.savefig(tmp, format=ext, dpi=110, bbox_inches="tight")
        paths.append(path)
    _pyplot().close(fig)
    return paths


def _empty(ax, message: str) -> None:
    ax.text(0.5, 0.5, message, ha="center", va="center", wrap=True, transform=ax.transAxes)
    ax.set_xticks([])
    ax.set_yticks([])


def recall_k(metric: str) -> int | None:
    """'R@10' -> 10; anything else -> None."""
    m = re.fullmatch(r"R@(\d+)", metric)
    return int(m.group(1)) if m else None


def reported_reproduced_pairs(rows: list[Row]) -> list[tuple[Row, Row]]:
    """(reported, reproduced) pairs: same method, backbone family, dataset, protocol, metric.

    When a paper gives several such numbers (ablations, other pre-training data), the one with
    the same pre-training data is taken, else the paper's best: the headline a reproduction aims at.
    """
    def key(r: Row) -> tuple:
        return method_key(r.method), backbone_family(r.backbone), r.dataset, r.protocol, r.metric

    reported: dict[tuple, list[Row]] = {}
    for r in rows:
        if r.source == "reported":
            reported.setdefault(key(r), []).append(r)
    pairs = []
    for r in rows:
        candidates = reported.get(key(r)) if r.source == "reproduced" else None
        if candidates:
            best = max(candidates, key=lambda c: (method_key(c.pretrain_data) ==
                                                  method_key(r.pretrain_data), c.value))
            pairs.append((best, r))
    return pairs


def plot_accuracy_vs_cost(rows: list[Row], out_dir: Path) -> list[Path]:
    """top1 against params (M) and GFLOPs for rows that know them: colour = dataset,
    marker = source (o reported, ^ reproduced)."""
    plt = _pyplot()
    fig, axes = plt.subplots(1, 2, figsize=(12, 5))
    palette = plt.get_cmap("tab10")
    for ax, attr, label in ((axes[0], "params_m", "parameters (M)"),
                            (axes[1], "gflops", "GFLOPs per clip")):
        pts = [r for r in rows if r.metric == "top1" and getattr(r, attr) is not None]
        if not pts:
            _empty(ax, f"no top1 rows with {label} yet")
            continue
        datasets = sorted({r.dataset for r in pts})
        for i, dataset in enumerate(datasets):
            for source, marker in (("reported", "o"), ("reproduced", "^")):
                sel = [r for r in pts if r.dataset == dataset and r.source == source]
                if sel:
                    ax.scatter([getattr(r, attr) for r in sel], [r.value for r in sel],
                               color=palette(i % 10), marker=marker, alpha=.8,
                               label=f"{dataset} ({source})")
        seen = set()
        for r in sorted(pts, key=lambda r: -r.value):
            name = r.method.split(" (")[0]
            if (name, r.dataset) not in seen:  # one label per method and dataset keeps it legible
                seen.add((name, r.dataset))
                ax.annotate(name, (getattr(r, attr), r.value), fontsize=6, alpha=.8,
                            xytext=(3, 2), textcoords="offset points")
        ax.set_xlabel(label)
        ax.set_ylabel("top-1 (%)")
        ax.legend(loc="lower right", fontsize=7)
    fig.suptitle("accuracy vs cost (top-1)")
    return _save(fig, out_dir, "accuracy_vs_cost")


def plot_recall_curves(rows: list[Row], out_dir: Path) -> list[Path]:
    """R@k against k, one line per (source, method, backbone, fingerprint), one panel per dataset."""
    plt = _pyplot()
    curves: dict[str, dict[tuple, list[tuple[int, float]]]] = {}
    for r in rows:
        k = recall_k(r.metric)
        if r.protocol == "retrieval" and k is not None:
            line = (r.source, r.method, r.backbone, r.fingerprint or r.paper)
            curves.setdefault(r.dataset, {}).setdefault(line, []).append((k, r.value))
    datasets = sorted(curves) or ["-"]
    fig, axes = plt.subplots(1, len(datasets), figsize=(5.5 * len(datasets), 4.5), squeeze=False)
    for ax, dataset in zip(axes[0], datasets):
        if dataset not in curves:
            _empty(ax, "no retrieval rows yet")
            continue
        for (source, method, backbone, ref), pts in sorted(curves[dataset].items()):
            pts.sort()
            ax.plot([k for k, _ in pts], [v for _, v in pts], marker="o",
                    linestyle="-" if source == "reported" else "--",
                    label=f"{method} {backbone}" + (f" [{ref}]" if source == "reproduced" else ""))
        ks = sorted({k for pts in curves[dataset].values() for k, _ in pts})
        ax.set_xscale("log")
        ax.set_xticks(ks, [str(k) for k in ks])
        ax.minorticks_off()
        ax.set_xlabel("k")
        ax.set_ylabel("R@k (%)")
        ax.set_title(dataset)
        ax.legend(fontsize=6)
    fig.suptitle("retrieval: R@k curves (dashed = reproduced)")
    return _save(fig, out_dir, "recall_curves")


def plot_reported_vs_reproduced(rows: list[Row], out_dir: Path) -> list[Path]:
    """Each reproduced number against the paper's, with the y = x line."""
    plt = _pyplot()
    pairs = reported_reproduced_pairs(rows)
    fig, ax = plt.subplots(figsize=(5.5, 5))
    if not pairs:
        _empty(ax, "no reported/reproduced pairs yet\n(same method, backbone, dataset and "
                   "metric on both sides)")
    else:
        ax.plot([0, 100], [0, 100], color="#999", linewidth=1)
        ax.scatter([p.value for p, _ in pairs], [q.value for _, q in pairs], c=COLORS["reproduced"])
        for p, q in pairs:
            ax.annotate(f"{p.method} {q.backbone} {q.dataset} {q.metric}", (p.value, q.value),
                        fontsize=6)
        ax.set_xlabel("reported (%)")
        ax.set_ylabel("reproduced (%)")
    ax.set_title("reported vs reproduced")
    return _save(fig, out_dir, "reported_vs_reproduced")


def make_plots(rows: list[Row], out_dir: str | Path) -> list[Path]:
    """All plots for `rows` into `out_dir`; returns the files written."""
    out_dir = Path(out_dir)
    return [*plot_accuracy_vs_cost(rows, out_dir), *plot_recall_curves(rows, out_dir),
            *plot_reported_vs_reproduced(rows, out_dir)]
