"""Result records (`ssvzoo.result/1`): build, validate, aggregate over splits, write atomically.

One record per (model, dataset, split, protocol) run; the leaderboard reads nothing else. The
fingerprint hashes what makes two numbers comparable (dataset, split, protocol and its
parameters), never the model. Core keys are those of ARCHITECTURE.md; two optional keys carry
facts that must not change the fingerprint: `details` (e.g. the regularisation the linear probe
chose, the fine-tune's best epoch) and, on a `--split all` aggregate, `aggregate` (which split
records it averages and how the std is taken).
"""

from __future__ import annotations

import datetime as _dt
import json
import math
import os
import re
from pathlib import Path
from typing import Any, Iterable

from ssvzoo.errors import ConfigError
from ssvzoo.utils.io import sha256_json, write_json_atomic

SCHEMA = "ssvzoo.result/1"
METRICS = ("top1", "top5", "R@1", "R@5", "R@10", "R@20", "R@50", "mAP")
LEVELS = ("video", "clip")
CORE_KEYS = ("schema", "model", "dataset", "protocol", "fingerprint", "metrics", "seed",
             "skipped_videos", "provenance", "wall_time_s", "date")
OPTIONAL_KEYS = ("details", "aggregate")
MODEL_KEYS = ("id", "weights_sha256", "backbone", "method", "params", "gflops")


def fingerprint(dataset: str, split: int | str, protocol: str, params: dict) -> str:
    """First 12 hex digits of sha256 over (dataset, split, protocol, params); no model."""
    return sha256_json({"dataset": dataset, "split": split, "protocol": protocol,
                        "params": params})[:12]


def utc_now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat()


def build_record(*, model: dict, dataset: dict, protocol: str, params: dict,
                 metrics: dict[str, float], seed: int, skipped_videos: Iterable[str] = (),
                 wall_time_s: float, provenance: dict | None = None, date: str | None = None,
                 details: dict | None = None) -> dict:
    """A validated result record; `dataset` = {name, split, num_train, num_test, num_classes}."""
    if provenance is None:
        from ssvzoo.utils.env import provenance as current_provenance

        provenance = current_provenance()
    record: dict[str, Any] = {
        "schema": SCHEMA,
        "model": {k: model.get(k) for k in MODEL_KEYS},
        "dataset": dict(dataset),
        "protocol": {"name": protocol, "params": _jsonable(params)},
        "fingerprint": fingerprint(dataset["name"], dataset["split"], protocol,
                                   _jsonable(params)),
        "metrics": {k: round(float(v), 4) for k, v in metrics.items()},
        "seed": int(seed),
        "skipped_videos": sorted(set(map(str, skipped_videos))),
        "provenance": provenance,
        "wall_time_s": round(float(wall_time_s), 3),
        "date": date or utc_now(),
    }
    if details:
        record["details"] = _jsonable(details)
    validate_record(record)
    return record


def _jsonable(obj: Any) -> Any:
    # Tuples become lists, numpy scalars become floats: the fingerprint hashes the JSON form.
    return json.loads(json.dumps(obj, default=_default))


def _default(obj: Any) -> Any:
    if hasattr(obj, "item"):
        return obj.item()
    if hasattr(obj, "tolist"):
        return obj.tolist()
    return str(obj)


def validate_record(record: Any) -> dict:
    """Return `record` if it is a well-formed `ssvzoo.result/1`, else raise ConfigError."""
    problems = list(_problems(record))
    if problems:
        raise ConfigError(f"invalid result record: {'; '.join(problems)}")
    return record


def _problems(r: Any) -> Iterable[str]:
    if not isinstance(r, dict):
        yield "not a JSON object"
        return
    missing = [k for k in CORE_KEYS if k not in r]
    if missing:
        yield f"missing keys {', '.join(missing)}"
        return
    extra = sorted(set(r) - set(CORE_KEYS) - set(OPTIONAL_KEYS))
    if extra:
        yield f"unknown keys {', '.join(extra)}"
    if r["schema"] != SCHEMA:
        yield f"schema is {r['schema']!r}, expected {SCHEMA!r}"
    model = r["model"]
    if not isinstance(model, dict) or set(model) != set(MODEL_KEYS):
        yield f"model must have exactly the keys {', '.join(MODEL_KEYS)}"
    elif not isinstance(model["id"], str) or not model["id"]:
        yield "model.id must be a non-empty string"
    ds = r["dataset"]
    if not isinstance(ds, dict) or not {"name", "split"} <= set(ds):
        yield "dataset must have name and split"
    else:
        split = ds["split"]
        if not (split == "all" or (isinstance(split, int) and split >= 1)):
            yield f"dataset.split must be a positive int or 'all', got {split!r}"
    proto = r["protocol"]
    if not isinstance(proto, dict) or set(proto) != {"name", "params"} or not isinstance(
            proto.get("params"), dict):
        yield "protocol must be {name, params}"
    else:
        level = proto["params"].get("level")
        if level not in LEVELS:
            yield f"protocol.params.level must be one of {LEVELS}, got {level!r}"
        if isinstance(ds, dict) and "name" in ds and "split" in ds:
            want = fingerprint(ds["name"], ds["split"], proto["name"], proto["params"])
            if r["fingerprint"] != want:
                yield f"fingerprint {r['fingerprint']!r} does not match its params ({want})"
    metrics = r["metrics"]
    if not isinstance(metrics, dict) or not metrics:
        yield "metrics must be a non-empty object"
    else:
        for name, value in metrics.items():
            base = name[:-4] if name.endswith("_std") else name
            if base not in METRICS:
                yield f"unknown metric {name!r} (known: {', '.join(METRICS)}, each +_std)"
            elif not isinstance(value, (int, float)) or not math.isfinite(value):
                yield f"metric {name} must be a finite number, got {value!r}"
            elif not name.endswith("_std") and not 0.0 <= value <= 100.0:
                yield f"metric {name} = {value} is not a percentage in [0, 100]"
    if not isinstance(r["seed"], int):
        yield "seed must be an int"
    if not isinstance(r["skipped_videos"], list):
        yield "skipped_videos must be a list"
    if not isinstance(r["wall_time_s"], (int, float)) or r["wall_time_s"] < 0:
        yield "wall_time_s must be a non-negative number"
    try:
        _dt.datetime.fromisoformat(str(r["date"]))
    except ValueError:
        yield f"date {r['date']!r} is not ISO 8601"


def aggregate_records(records: list[dict]) -> dict:
    """The `--split all` record: mean of each metric over the split records, plus `<m>_std`.

    The std is the population std (ddof=0) over the splits, as `aggregate.std` says.
    All records must share model, dataset, protocol and params.
    """
    if not records:
        raise ValueError("no records to aggregate")
    first = records[0]
    for r in records[1:]:
        for key in ("model", "protocol"):
            if r[key] != first[key]:
                raise ValueError(f"cannot aggregate records with different {key}")
        if r["dataset"]["name"] != first["dataset"]["name"]:
            raise ValueError("cannot aggregate records of different datasets")
    names = [m for m in first["metrics"] if all(m in r["metrics"] for r in records)]
    metrics: dict[str, float] = {}
    for name in names:
        values = [float(r["metrics"][name]) for r in records]
        mean = sum(values) / len(values)
        metrics[name] = mean
        metrics[f"{name}_std"] = math.sqrt(sum((v - mean) ** 2 for v in values) / len(values))
    ds = first["dataset"]
    dataset = {"name": ds["name"], "split": "all",
               **{k: [r["dataset"].get(k) for r in records]
                  for k in ("num_train", "num_test") if k in ds},
               **({"num_classes": ds["num_classes"]} if "num_classes" in ds else {})}
    record = build_record(
        model=first["model"], dataset=dataset, protocol=first["protocol"]["name"],
        params=first["protocol"]["params"], metrics=metrics, seed=first["seed"],
        skipped_videos=[v for r in records for v in r["skipped_videos"]],
        wall_time_s=sum(r["wall_time_s"] for r in records), provenance=first["provenance"])
    record["aggregate"] = {"splits": [r["dataset"]["split"] for r in records],
                           "fingerprints": [r["fingerprint"] for r in records],
                           "std": "population (ddof=0) over splits"}
    return validate_record(record)


def default_results_dir() -> Path:
    """`$SSVZOO_RESULTS`, else `~/.cache/ssvzoo/results`."""
    env = os.environ.get("SSVZOO_RESULTS")
    return Path(env).expanduser() if env else Path.home() / ".cache" / "ssvzoo" / "results"


def record_filename(record: dict) -> str:
    """`<date>_<model>_<dataset>-s<split>_<protocol>_<fingerprint>.json`, filesystem-safe."""
    stamp = re.sub(r"[^0-9T]", "", record["date"])[:15]
    model = re.sub(r"[^A-Za-z0-9._-]+", "-", record["model"]["id"]).strip("-")[:60]
    ds = record["dataset"]
    return (f"{stamp}_{model}_{ds['name']}-s{ds['split']}_{record['protocol']['name']}_"
            f"{record['fingerprint']}.json")


def write_records(records: list[dict], results_dir: str | os.PathLike | None = None
                  ) -> list[Path]:
    """Validate, then write each record atomically to its own file in the results dir."""
    for r in records:
        validate_record(r)
    folder = Path(results_dir) if results_dir else default_results_dir()
    paths = []
    for r in records:
        path = folder / record_filename(r)
        write_json_atomic(path, r)
        paths.append(path)
    return paths


def write_out_file(records: list[dict], out: str | os.PathLike) -> Path:
    """`--out FILE`: the record object when the run made one record, else a JSON list of them
    (`load_records` reads both). Validated first, written atomically."""
    for r in records:
        validate_record(r)
    write_json_atomic(out, records[0] if len(records) == 1 else records)
    return Path(out)


def load_records(path: str | os.PathLike) -> list[dict]:
    """Records from a file holding one record object or a list of them, each validated."""
    try:
        data = json.loads(Path(path).read_text())
    except (OSError, json.JSONDecodeError) as e:
        raise ConfigError(f"cannot read result record {path}: {e}") from None
    return [validate_record(r) for r in (data if isinstance(data, list) else [data])]
