"""One `ssvzoo eval` run: resolve the model, run each protocol on each split, write records.

Everything the user can get wrong (dataset name and root, split, protocol names, model name,
checkpoint shapes) is checked before the first feature is extracted, so a bad input ends in a
one-line error and no result file. Frozen features are extracted once per (subset, feature
parameters) in a run (and cached on disk across runs), so retrieval and the linear probe share
them. Records are written as each protocol finishes (atomically); the `--split all` aggregate
and `--out` come at the end.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ssvzoo.errors import ConfigError, DatasetError

DEVICES = ("auto", "cpu", "cuda")


@dataclass
class EvalOptions:
    """Every knob of `ssvzoo eval`; the CLI fills it, tests and notebooks may too."""

    model: str
    dataset: str
    root: str
    protocols: tuple[str, ...] = ("retrieval", "linear")
    split: str = "1"  # "1".."3" or "all"
    device: str = "auto"
    out: str | None = None
    clips: int = 10
    crops: int | None = None  # None: the protocol's default (1; fine-tune test 3)
    frames: int | None = None  # None: the model's input spec
    variant: str = "default"
    clip_level: bool = False
    features_out: str | None = None
    cache_dir: str | None = None  # features cache; None: $SSVZOO_CACHE or ~/.cache/ssvzoo
    results_dir: str | None = None  # None: $SSVZOO_RESULTS or ~/.cache/ssvzoo/results
    seed: int = 0
    workers: int = 2
    batch_size: int = 32
    finetune: dict[str, Any] = field(default_factory=dict)  # FinetuneRecipe overrides
    resume: bool = False


class EvalContext:
    """What a protocol sees: model, dataset split, options, and shared frozen features."""

    def __init__(self, model, options: EvalOptions, split: int, device: str):
        self.model, self.options, self.split, self.device = model, options, split, device
        self.dataset, self.root = options.dataset, options.root
        self._features: dict = {}

    @property
    def input_spec(self):
        return self.model.backbone.input_spec

    def feature_params(self, feature: str = "gap", crops: int = 1):
        from ssvzoo.eval.features import feature_params_for

        return feature_params_for(self.input_spec, clips=self.options.clips, crops=crops,
                                  frames=self.options.frames, feature=feature)

    def features(self, subset: str, params):
        """Frozen features of `subset`, extracted at most once per run (and cached on disk)."""
        from ssvzoo.eval.features import extract_features, write_open_format
        from ssvzoo.utils.console import console

        key = (subset, params)
        if key not in self._features:
            opts = self.options
            feats = extract_features(
                self.model, self.dataset, self.root, self.split, subset, params,
                device=self.device, batch_size=opts.batch_size, workers=opts.workers,
                cache_dir=Path(opts.cache_dir) / "features" if opts.cache_dir else None)
            if feats.skipped:
                console.print(f"[yellow]warning[/]: {len(feats.skipped)} unreadable or missing "
                              f"video(s) skipped in {subset} (listed in the record)")
            if opts.features_out:
                folder = write_open_format(feats, opts.features_out, self.dataset, self.split,
                                           subset)
                console.print(f"features written to {folder}")
            self._features[key] = feats
        return self._features[key]


def resolve_splits(dataset_cls, split: str) -> list[int]:
    """`--split` -> split numbers; `all` = every official split of the dataset."""
    n = int(getattr(dataset_cls, "num_splits", 1))
    if split == "all":
        return list(range(1, n + 1))
    if not str(split).isdigit() or not 1 <= int(split) <= n:
        choices = "1" if n == 1 else f"1..{n}"
        raise ConfigError(f"--split must be {choices} or all for {dataset_cls.name}, got "
                          f"{split!r}")
    return [int(split)]


def resolve_device(name: str) -> str:
    import torch

    if name not in DEVICES:
        raise ConfigError(f"--device must be one of {', '.join(DEVICES)}, got {name!r}")
    if name == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if name == "cuda" and not torch.cuda.is_available():
        raise ConfigError("--device cuda was asked for but CUDA is not available; use --device cpu")
    return name


def model_summary(model) -> dict:
    """The record's `model` block: id, weights sha256, backbone, method, params, GFLOPs.

    `gflops` holds multiply-accumulates (GMACs) of one clip of the model's input spec: the
    number the video papers and torchvision's tables call "GFLOPs" (see `zoo/profile.py`).
    """
    from ssvzoo.zoo.profile import count_flops, count_params

    backbone, config = model.backbone, model.config or {}
    spec = backbone.input_spec
    return {"id": model.model_id, "weights_sha256": model.weights_sha256,
            "backbone": getattr(backbone, "name", config.get("backbone")),
            "method": config.get("method", "unknown"), "params": count_params(backbone),
            "gflops": round(count_flops(backbone, spec.frames, spec.size).gmacs, 4)}


def pretraining_summary(config: dict) -> dict | None:
    """What a checkpoint was pre-trained with (from its config.json), for the record's details.

    None for a random init; the leaderboard's "pretrain data" column reads `dataset`."""
    method = config.get("method")
    if not method or method == "scratch":
        return None
    data = config.get("dataset") or {}
    if isinstance(data, str):  # a fine-tune checkpoint names its dataset only
        data = {"name": data}
    train = config.get("train_config") or {}
    summary = {"method": method, "dataset": data.get("name"), "init_model": config.get("init_model"),
               "dataset_version": data.get("version"), "num_videos": data.get("num_train"),
               "epochs": config.get("epoch"), "steps": config.get("global_step"),
               "batch_size": train.get("batch_size"), "world_size": config.get("world_size"),
               "optimizer": train.get("optimizer"), "lr": train.get("lr"),
               "seed": config.get("seed"),
               "git_commit": (config.get("provenance") or {}).get("git_commit")}
    return {k: v for k, v in summary.items() if v is not None}


def check_writable_file(path: str, option: str) -> None:
    """A result file must be writable before hours of evaluation, not after."""
    target = Path(path).expanduser()
    if target.is_dir():
        raise ConfigError(f"{option} {path} is a folder; give a file name")
    parent = target.parent
    while not parent.exists():
        parent = parent.parent
    if not parent.is_dir() or not os.access(parent, os.W_OK):
        raise ConfigError(f"{option} {path}: cannot create a file under {parent}")


def check_inputs(opts: EvalOptions):
    """Fail fast, before any model is loaded: protocols, dataset, root, split, split files."""
    from ssvzoo.data.datasets import DATASETS, create_dataset
    from ssvzoo.eval.protocols import PROTOCOLS
    from ssvzoo.eval.protocols.finetune import make_recipe
    from ssvzoo.eval.protocols.retrieval import VARIANTS

    if not opts.protocols:
        raise ConfigError("--protocol is empty; use retrieval, linear and/or finetune")
    for name in opts.protocols:
        PROTOCOLS.get(name)
    dataset_cls = DATASETS.get(opts.dataset)
    if not Path(opts.root).expanduser().is_dir():
        raise DatasetError(f"dataset root {opts.root!r} is not a folder; pass --root pointing "
                           f"at the {opts.dataset} videos")
    splits = resolve_splits(dataset_cls, opts.split)
    for split in splits:
        for subset in ("train", "test"):
            ds = create_dataset(opts.dataset, opts.root, split=split, subset=subset)
            if len(ds) == 0:
                raise DatasetError(f"{opts.dataset} split {split} has an empty {subset} set "
                                   f"under {opts.root} ({len(ds.missing)} listed videos missing)")
    if opts.clips < 1:
        raise ConfigError(f"--clips must be >= 1, got {opts.clips}")
    if opts.batch_size < 1 or opts.workers < 0:
        raise ConfigError(f"--batch-size must be >= 1 and --workers >= 0, got "
                          f"{opts.batch_size} and {opts.workers}")
    if opts.frames is not None and opts.frames < 1:
        raise ConfigError(f"--frames must be >= 1, got {opts.frames}")
    if opts.out:
        check_writable_file(opts.out, "--out")
    if opts.crops not in (None, 1, 3):
        raise ConfigError(f"--crops must be 1 or 3, got {opts.crops}")
    if opts.variant not in VARIANTS:
        raise ConfigError(f"unknown --variant {opts.variant!r}; use one of {', '.join(VARIANTS)}")
    if "finetune" in opts.protocols:
        make_recipe(opts.dataset, opts.finetune)  # unknown --ft-set fields fail here, early
    return splits


def evaluate(opts: EvalOptions) -> list[dict]:
    """Run every protocol on every split; returns (and writes) the result records."""
    from ssvzoo.data.datasets import DATASETS
    from ssvzoo.eval.protocols import PROTOCOLS
    from ssvzoo.eval.records import (aggregate_records, build_record, write_out_file,
                                     write_records)
    from ssvzoo.utils.console import console, err_console
    from ssvzoo.zoo.checkpoint import load_model

    splits = check_inputs(opts)
    device = resolve_device(opts.device)
    # The zoo prints a per-key report of a checkpoint that does not fit before raising; the
    # CheckpointError's own message already summarises it, and bad input must stay one line.
    with err_console.capture():
        model = load_model(opts.model)
    summary = model_summary(model)
    pretraining = pretraining_summary(model.config or {}) if model.source != "random" else None
    console.print(f"model [bold]{summary['id']}[/] ({summary['backbone']}, "
                  f"{summary['params'] / 1e6:.2f} M params) on {device}")
    by_protocol: dict[str, list[dict]] = {name: [] for name in opts.protocols}
    written: list[Path] = []
    for split in splits:
        ctx = EvalContext(model, opts, split, device)
        for name in opts.protocols:
            t0 = time.time()
            console.rule(f"{name} | {opts.dataset} split {split}")
            result = PROTOCOLS.get(name)().run(ctx)
            params = dict(result.params)
            version = DATASETS.get(opts.dataset).version(opts.root)
            if version is not None:  # generated data or custom splits: part of the protocol
                params["dataset_version"] = version
            details = dict(result.details or {})
            if pretraining is not None:
                details.setdefault("pretraining", pretraining)
                if pretraining.get("dataset"):
                    details.setdefault("pretrain_dataset", pretraining["dataset"])
            record = build_record(
                model=summary, protocol=name, params=params, metrics=result.metrics,
                dataset={"name": opts.dataset, "split": split, "num_train": result.num_train,
                         "num_test": result.num_test, "num_classes": _num_classes(ctx)},
                seed=opts.seed, skipped_videos=result.skipped_videos,
                wall_time_s=time.time() - t0, details=details)
            written += write_records([record], results_dir=opts.results_dir)
            by_protocol[name].append(record)
    records = [r for name in opts.protocols for r in by_protocol[name]]
    if len(splits) > 1:
        aggregates = [aggregate_records(by_protocol[name]) for name in opts.protocols]
        written += write_records(aggregates, results_dir=opts.results_dir)
        records += aggregates
    if opts.out:
        written.append(write_out_file(records, opts.out))
    print_table(records, written)
    return records


def _num_classes(ctx: EvalContext) -> int:
    feats = next(iter(ctx._features.values()), None)
    if feats is not None:
        return len(feats.classes)
    from ssvzoo.data.datasets import create_dataset

    return len(create_dataset(ctx.dataset, ctx.root, split=ctx.split, subset="train").classes)


def print_table(records: list[dict], written: list[Path]) -> None:
    """One row per record; metrics as `name value` (mean±std on aggregate rows)."""
    from rich.table import Table

    from ssvzoo.utils.console import console

    first = records[0]
    table = Table(title=f"ssvzoo eval: {first['model']['id']} on {first['dataset']['name']}")
    table.add_column("protocol", no_wrap=True)
    table.add_column("split", no_wrap=True)
    table.add_column("metrics (%)")
    table.add_column("skipped", no_wrap=True)
    table.add_column("fingerprint", no_wrap=True)
    for r in records:
        m = r["metrics"]
        # non-breaking spaces: a line wraps between metrics, never inside one
        shown = "  ".join(f"{k}\u00a0{v:.1f}" + (f"±{m[k + '_std']:.1f}" if k + "_std" in m else "")
                          for k, v in m.items() if not k.endswith("_std"))
        level = "" if r["protocol"]["params"]["level"] == "video" else " (clip)"
        table.add_row(r["protocol"]["name"] + level, str(r["dataset"]["split"]), shown,
                      str(len(r["skipped_videos"])), r["fingerprint"])
    console.print(table)
    if written:
        console.print(f"records: {written[0].parent}" + (
            f" and {written[-1]}" if written[-1].parent != written[0].parent else ""))
