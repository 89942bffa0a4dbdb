"""Reported (paper) and reproduced (result-record) numbers as one row type, filtered and ranked.

The leaderboard reads only `reported.csv` and `ssvzoo.result/1` JSON records; it imports
nothing from train, eval or zoo. A leaderboard *section* is one (dataset, protocol): a UCF101
paper number and a SynthActions reproduction never share a section, so they are never ranked
together. Inside a section, ranks are taken per (metric, source, comparability group): for
reproduced rows the group is the protocol fingerprint, for reported rows the stated test
resolution and clip length. Rows outside their section's main group are kept but marked
(`mismatch` says how the protocol differs) instead of being ranked silently alongside.
"""

from __future__ import annotations

import csv
import json
import math
import os
import re
from collections import Counter
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, Callable, Iterable

from ssvzoo.errors import ConfigError
from ssvzoo.utils.io import sha256_json

SCHEMA = "ssvzoo.result/1"
SOURCES = ("reported", "reproduced", "all")
PROTOCOLS = ("finetune", "linear", "retrieval", "supervised")
METRICS = ("top1", "top5", "R@1", "R@5", "R@10", "R@20", "R@50", "mAP")
PACKAGE_DIR = Path(__file__).resolve().parent
REPORTED_CSV = PACKAGE_DIR / "reported.csv"
PACKAGE_RUNS = PACKAGE_DIR / "runs"
_RECORD_KEYS = ("schema", "model", "dataset", "protocol", "fingerprint", "metrics")

Warn = Callable[[str], None]


@dataclass
class Row:
    """One number on the leaderboard, reported by a paper or reproduced by a result record."""

    source: str  # "reported" | "reproduced"
    dataset: str  # normalised key: "ucf101", "synthactions"
    protocol: str  # finetune | linear | retrieval | supervised
    metric: str  # top1, R@1, ...
    value: float  # percent
    method: str
    backbone: str
    pretrain_data: str = "n/s"
    value_text: str = ""  # as printed in the paper ("85"), or the record's number
    std: float | None = None  # `<metric>_std` of a --split all aggregate record
    split: str = "n/s"
    fingerprint: str = ""  # reproduced rows only
    paper: str = ""  # reported rows: HCP-TD | DTG-Net | CSVR
    paper_table: str = ""
    paper_url: str = ""
    record: str = ""  # reproduced rows: path of the record file
    model_id: str = ""
    model_card: str = ""
    params_m: float | None = None
    gflops: float | None = None
    teacher_supervised: bool = False
    notes: str = ""
    protocol_params: dict = field(default_factory=dict)
    rank: int | None = None
    mismatch: str = ""  # why this row's protocol differs from its section's main group

    @property
    def key(self) -> str:
        """Stable identity of a row, shared by the CLI table, data.json and the page."""
        ref = self.record or f"{self.paper} {self.paper_table}"
        return "|".join([self.source, self.dataset, self.protocol, self.metric, self.method,
                         self.backbone, self.pretrain_data, self.split, self.fingerprint,
                         ref, f"{self.value:g}"])

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "key": self.key}


@dataclass(frozen=True)
class Filters:
    """What `ssvzoo leaderboard` options select; None = no constraint."""

    dataset: str | None = None
    protocol: str | None = None
    backbone: str | None = None
    pretrain_data: str | None = None
    source: str = "all"
    metric: str | None = None

    def __post_init__(self) -> None:
        if self.source not in SOURCES:
            raise ConfigError(f"unknown --source {self.source!r}; use one of {', '.join(SOURCES)}")
        if self.protocol is not None and self.protocol not in PROTOCOLS:
            raise ConfigError(f"unknown --protocol {self.protocol!r}; use one of "
                              f"{', '.join(PROTOCOLS)}")
        if self.metric is not None and normalise_metric(self.metric) not in METRICS:
            raise ConfigError(f"unknown --metric {self.metric!r}; use one of {', '.join(METRICS)}")


# ---------------------------------------------------------------- normalisation (pure)

def dataset_key(name: str) -> str:
    """'UCF101' -> 'ucf101', 'SSv2' -> 'ssv2', 'SynthActions' -> 'synthactions'."""
    return re.sub(r"[^a-z0-9]", "", str(name).lower())


def normalise_metric(name: str) -> str:
    """Case-insensitive metric name -> its canonical spelling ('r@1' -> 'R@1')."""
    lookup = {m.lower(): m for m in METRICS}
    return lookup.get(str(name).lower(), str(name))


def backbone_key(name: str) -> str:
    """Spelling-free backbone key: 'R(2+1)D' and 'r2plus1d_18' both contain 'r2plus1d'."""
    s = str(name).lower().replace("(2+1)", "2plus1").replace("2+1", "2plus1")
    s = re.sub(r"\br21d", "r2plus1d", s)
    return re.sub(r"[^a-z0-9]", "", s)


def backbone_family(name: str) -> str:
    """Backbone without depth or size suffix, to pair papers with reproductions."""
    s = re.sub(r"tiny$", "", backbone_key(re.sub(r"\(.*?\)$", "", str(name)).strip()))
    return re.sub(r"(?<=d)\d+$", "", s)


def method_key(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", str(name).lower())


def _number(text: str) -> float | None:
    try:
        return float(text)
    except (TypeError, ValueError):
        return None


# ---------------------------------------------------------------- loading

def load_reported(path: str | os.PathLike = REPORTED_CSV) -> list[Row]:
    """Every number of `reported.csv` as a Row (value kept as printed in `value_text`)."""
    rows = []
    with open(path, newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            rows.append(Row(
                source="reported", dataset=r.get("dataset") or dataset_key(r["eval_dataset"]),
                protocol=r["protocol"], metric=r["metric"], value=float(r["value"]),
                value_text=r["value"], method=r["method"], backbone=r["backbone"],
                pretrain_data=r["pretrain_dataset"], paper=r["source_paper"],
                paper_table=r["table"], paper_url=r.get("paper_url", ""),
                params_m=_number(r.get("params_m", "")), gflops=_number(r.get("gflops", "")),
                teacher_supervised=r.get("teacher_supervised") == "true", notes=r["notes"],
                protocol_params={"resolution": r["resolution"], "clip_len": r["clip_len"]}))
    return rows


def record_problems(record: Any) -> list[str]:
    """Why `record` is not a usable `ssvzoo.result/1` (empty list = usable)."""
    if not isinstance(record, dict):
        return ["not a JSON object"]
    if record.get("schema") != SCHEMA:
        return [f"schema is {record.get('schema')!r}, expected {SCHEMA!r}"]
    missing = [k for k in _RECORD_KEYS if k not in record]
    if missing:
        return [f"missing keys {', '.join(missing)}"]
    model, ds, proto, metrics = (record[k] for k in ("model", "dataset", "protocol", "metrics"))
    problems = []
    if not isinstance(model, dict) or not isinstance(model.get("id"), str):
        problems.append("model.id missing")
    if not isinstance(ds, dict) or "name" not in ds or "split" not in ds:
        problems.append("dataset needs name and split")
    if not isinstance(proto, dict) or "name" not in proto or not isinstance(
            proto.get("params"), dict):
        problems.append("protocol needs name and params")
    if not isinstance(metrics, dict) or not metrics or not all(
            isinstance(v, (int, float)) and math.isfinite(v) for v in metrics.values()):
        problems.append("metrics must be a non-empty object of finite numbers")
    if not problems:
        # Same contract as ARCHITECTURE.md: the fingerprint hashes dataset, split, protocol, params.
        want = sha256_json({"dataset": ds["name"], "split": ds["split"],
                            "protocol": proto["name"], "params": proto["params"]})[:12]
        if record["fingerprint"] != want:
            problems.append(f"fingerprint {record['fingerprint']!r} does not match its "
                            f"protocol params ({want})")
    return problems


def record_rows(record: dict, path: str = "") -> list[Row]:
    """One Row per metric of a valid record (`<metric>_std` goes into the row's `std`)."""
    model, ds, proto = record["model"], record["dataset"], record["protocol"]
    details = record.get("details") or {}
    method = model.get("method") or "n/s"
    pretrain = details.get("pretrain_dataset") or (
        "none" if method == "scratch" or model["id"].startswith("random:") else "n/s")
    params = model.get("params")
    rows = []
    for name, value in record["metrics"].items():
        if name.endswith("_std"):
            continue
        std = record["metrics"].get(f"{name}_std")
        rows.append(Row(
            source="reproduced", dataset=dataset_key(ds["name"]), protocol=proto["name"],
            metric=name, value=float(value), value_text=f"{float(value):.2f}", std=std,
            method=method, backbone=model.get("backbone") or "n/s", pretrain_data=pretrain,
            split=str(ds["split"]), fingerprint=record["fingerprint"], record=str(path),
            model_id=model["id"], model_card=str(details.get("model_card") or ""),
            params_m=params / 1e6 if isinstance(params, (int, float)) else None,
            gflops=model.get("gflops"), protocol_params=dict(proto["params"])))
    return rows


def default_record_dirs() -> list[Path]:
    """The package's published `runs/`, then `$SSVZOO_RESULTS` or `~/.cache/ssvzoo/results`."""
    env = os.environ.get("SSVZOO_RESULTS")
    user = Path(env).expanduser() if env else Path.home() / ".cache" / "ssvzoo" / "results"
    return [PACKAGE_RUNS, user]


def load_reproduced(dirs: Iterable[str | os.PathLike], warn: Warn) -> list[Row]:
    """Rows from every `*.json` in `dirs`; each unusable file or record costs one warning line.

    A file holds one record or a list of them (what `ssvzoo eval --out` writes). The same record
    found twice (published and in the user's folder) counts once.
    """
    rows, seen = [], set()
    for folder in dirs:
        folder = Path(folder).expanduser()
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob("*.json")):
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
                warn(f"skipped {path}: not readable JSON ({e})")
                continue
            for i, record in enumerate(data if isinstance(data, list) else [data]):
                where = f"{path}[{i}]" if isinstance(data, list) else str(path)
                problems = record_problems(record)
                if problems:
                    warn(f"skipped {where}: {'; '.join(problems)}")
                    continue
                digest = sha256_json(record)
                if digest not in seen:
                    seen.add(digest)
                    rows.extend(record_rows(record, str(path)))
    return rows


def load_rows(run_dirs: Iterable[str | os.PathLike] = (), *, warn: Warn,
              reported_csv: str | os.PathLike = REPORTED_CSV,
              include_defaults: bool = True) -> list[Row]:
    """Reported rows plus reproduced rows from the default record dirs and `run_dirs`."""
    dirs = [*(default_record_dirs() if include_defaults else []), *map(Path, run_dirs)]
    return load_reported(reported_csv) + load_reproduced(dirs, warn)


# ---------------------------------------------------------------- filter, group, rank (pure)

def filter_rows(rows: Iterable[Row], f: Filters) -> list[Row]:
    """Rows matching every given filter (backbone and pretrain data match by substring)."""
    metric = normalise_metric(f.metric) if f.metric else None
    out = []
    for r in rows:
        if f.source != "all" and r.source != f.source:
            continue
        if f.dataset and r.dataset != dataset_key(f.dataset):
            continue
        if f.protocol and r.protocol != f.protocol:
            continue
        if metric and r.metric != metric:
            continue
        if f.backbone and backbone_key(f.backbone) not in backbone_key(r.backbone):
            continue
        if f.pretrain_data and method_key(f.pretrain_data) not in method_key(r.pretrain_data):
            continue
        out.append(r)
    return out


def comparability_group(row: Row) -> str:
    """Rows in one group share a protocol: the fingerprint, or the paper's stated settings."""
    if row.source == "reproduced":
        return row.fingerprint
    return f"resolution={row.protocol_params.get('resolution', 'n/s')}, " \
           f"clip_len={row.protocol_params.get('clip_len', 'n/s')}"


def protocol_difference(row: Row, ref: Row) -> str:
    """Human-readable difference between two rows' protocols ('clips 5 vs 10; split 2 vs 1')."""
    diffs = []
    if row.source == "reproduced" and row.split != ref.split:
        diffs.append(f"split {row.split} vs {ref.split}")
    a, b = row.protocol_params, ref.protocol_params
    for k in sorted(set(a) | set(b)):
        unstated = row.source == "reported" and (a.get(k) in _UNSTATED or b.get(k) in _UNSTATED)
        if a.get(k) != b.get(k) and not unstated:
            diffs.append(f"{k} {json.dumps(a.get(k))} vs {json.dumps(b.get(k))}")
    return "; ".join(diffs) or "different protocol"


def _main_group(rows: list[Row]) -> str:
    # The group holding most rows is the section's reference; ties go to the group with the
    # best number, then to its name, so the choice never depends on file order.
    counts = Counter(comparability_group(r) for r in rows)
    best = {g: max(r.value for r in rows if comparability_group(r) == g) for g in counts}
    return min(counts, key=lambda g: (-counts[g], -best[g], g))


_UNSTATED = ("n/s", "N/A", "", None)


def _stated(row: Row) -> bool:
    return any(v not in _UNSTATED for v in row.protocol_params.values())


def _compatible(row: Row, ref: Row) -> bool:
    a, b = row.protocol_params, ref.protocol_params
    return all(a.get(k) == b.get(k) or a.get(k) in _UNSTATED or b.get(k) in _UNSTATED
               for k in set(a) | set(b))


def rank_rows(rows: Iterable[Row]) -> list[Row]:
    """Sorted copies with `rank` and `mismatch` set; see the module docstring for the rules.

    Order: dataset, protocol, metric, source (reported first), main group first, value down.
    Reported rows whose paper states no resolution/clip length join the main group unmarked.
    """
    rows = list(rows)
    cells: dict[tuple, list[Row]] = {}
    for r in rows:
        cells.setdefault((r.dataset, r.protocol, r.metric, r.source), []).append(r)
    out = []
    for _, cell in sorted(cells.items(), key=lambda kv: _cell_order(kv[0])):
        stated = [r for r in cell if r.source == "reproduced" or _stated(r)]
        main = _main_group(stated) if stated else ""
        ref = next((r for r in stated if comparability_group(r) == main), None)

        def group_of(r: Row) -> str:
            # "n/s" in a paper is not a different protocol: it joins the main group.
            if r.source == "reported" and (ref is None or _compatible(r, ref)):
                return main
            return comparability_group(r)

        ordered = sorted(cell, key=lambda r: (group_of(r) != main, group_of(r), -r.value,
                                              r.method, r.backbone))
        rank, prev_group, prev_value = 0, None, None
        for i, r in enumerate(ordered):
            g = group_of(r)
            if g != prev_group:
                start, prev_group, prev_value = i, g, None
            if r.value != prev_value:  # ties share a rank
                rank, prev_value = i - start + 1, r.value
            mismatch = "" if g == main or ref is None else protocol_difference(r, ref)
            out.append(replace(r, rank=rank, mismatch=mismatch))
    return out


def _cell_order(key: tuple) -> tuple:
    dataset, protocol, metric, source = key
    m = METRICS.index(metric) if metric in METRICS else len(METRICS)
    return (dataset, protocol, m, metric, source != "reported")


def sections(rows: Iterable[Row]) -> dict[tuple[str, str], list[Row]]:
    """Ranked rows per (dataset, protocol), in display order."""
    out: dict[tuple[str, str], list[Row]] = {}
    for r in rank_rows(rows):
        out.setdefault((r.dataset, r.protocol), []).append(r)
    return out


def leaderboard_rows(rows: Iterable[Row], f: Filters = Filters()) -> list[Row]:
    """The rows `ssvzoo leaderboard` shows for `f`, ranked, in display order."""
    return [r for sec in sections(filter_rows(rows, f)).values() for r in sec]


# ---------------------------------------------------------------- text formats (pure)

COLUMNS = ("rank", "source", "method", "backbone", "pretrain", "metric", "value", "paper",
           "fingerprint", "protocol_mismatch")


def display_cells(row: Row) -> dict[str, str]:
    """The cells every format shows, as strings (value as printed, ± std when aggregated)."""
    value = row.value_text or f"{row.value:g}"
    if row.std is not None:
        value += f" ± {row.std:.2f}"
    paper = f"{row.paper} {row.paper_table}".strip() if row.source == "reported" \
        else Path(row.record).name
    return {"rank": "" if row.rank is None else str(row.rank), "source": row.source,
            "method": row.method, "backbone": row.backbone, "pretrain": row.pretrain_data,
            "metric": row.metric, "value": value, "paper": paper,
            "fingerprint": row.fingerprint, "protocol_mismatch": row.mismatch}


def section_title(dataset: str, protocol: str) -> str:
    return f"{dataset} · {protocol}"


def to_markdown(rows: list[Row]) -> str:
    """One GitHub-markdown table per (dataset, protocol)."""
    blocks = []
    for (dataset, protocol), sec in sections_in_order(rows).items():
        lines = [f"### {section_title(dataset, protocol)}", "",
                 "| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
        for r in sec:
            cells = display_cells(r)
            lines.append("| " + " | ".join(cells[c].replace("|", "\\|") for c in COLUMNS) + " |")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"


def to_csv(rows: list[Row]) -> str:
    """All fields of every row, one line each (protocol params as JSON)."""
    import io

    buf = io.StringIO()
    names = [k for k in Row.__dataclass_fields__] + ["key"]
    writer = csv.DictWriter(buf, fieldnames=names, lineterminator="\n")
    writer.writeheader()
    for r in rows:
        d = r.to_dict()
        d["protocol_params"] = json.dumps(d["protocol_params"], sort_keys=True)
        writer.writerow(d)
    return buf.getvalue()


def to_json(rows: list[Row]) -> str:
    return json.dumps([r.to_dict() for r in rows], indent=2, ensure_ascii=False) + "\n"


def sections_in_order(rows: list[Row]) -> dict[tuple[str, str], list[Row]]:
    """Group already-ranked rows by (dataset, protocol), keeping their order."""
    out: dict[tuple[str, str], list[Row]] = {}
    for r in rows:
        out.setdefault((r.dataset, r.protocol), []).append(r)
    return out
