"""What `ssvzoo train` does, as a function: resolve configs, build everything, call `fit`."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ssvzoo.errors import ConfigError


@dataclass
class TrainRequest:
    method: str
    backbone: str
    dataset: str | None = None
    root: Path | None = None
    split: int = 1
    out: Path | None = None
    resume: bool = False
    config: Path | None = None
    flags: dict[str, Any] = field(default_factory=dict)  # TrainConfig fields; None = unset


def resolve_configs(request: TrainRequest):
    """(method class, TrainConfig, method overrides) with the documented precedence."""
    from ssvzoo.train.config import make_config, read_config_file, split_sections
    from ssvzoo.train.engine import TrainConfig
    from ssvzoo.train.methods import METHODS

    method_cls = METHODS.get(request.method)
    file_train, file_method = ({}, {})
    if request.config is not None:
        file_train, file_method = split_sections(read_config_file(request.config), TrainConfig,
                                                 method_cls.Config)
    flags = {k: v for k, v in request.flags.items() if v is not None}
    train = make_config(TrainConfig, {**method_cls.train_defaults, **file_train, **flags},
                        what="train config")
    make_config(method_cls.Config, file_method, what=f"{request.method} config")  # validate
    if train.epochs < 1 or train.batch_size < 1:
        raise ConfigError("epochs and batch size must be at least 1")
    if train.lr <= 0 or train.num_workers < 0:
        raise ConfigError(f"lr must be > 0 and workers >= 0, got {train.lr} and "
                          f"{train.num_workers}")
    if train.frame_cache_mb < 0:
        raise ConfigError(f"frame cache size must be >= 0 MiB, got {train.frame_cache_mb}")
    return method_cls, train, file_method


def run_training(request: TrainRequest):
    """Build backbone, method, dataset; train; print a summary. Returns the FitResult."""
    import torch

    from ssvzoo.train import dist
    from ssvzoo.train.engine import fit
    from ssvzoo.train.methods import create_method
    from ssvzoo.train.state import seed_everything
    from ssvzoo.utils.console import console
    from ssvzoo.zoo.backbones import create_backbone

    method_cls, train_cfg, method_overrides = resolve_configs(request)
    needs_data = method_cls.trains
    if needs_data and (request.dataset is None or request.root is None):
        raise ConfigError(f"method {request.method!r} trains on data: pass --dataset and --root")
    out = request.out or Path("runs") / (f"{request.method}_{request.backbone}_"
                                         f"{request.dataset or 'none'}_s{train_cfg.seed}")
    train_cfg = dataclasses.replace(train_cfg, out_dir=str(out), resume=request.resume)

    seed_everything(train_cfg.seed)  # the weights' initialisation is part of the run's seed
    backbone = create_backbone(request.backbone)
    run_config: dict[str, Any] = {"backbone": request.backbone, "seed": train_cfg.seed}
    dataset = None
    num_classes = None
    if needs_data:
        from ssvzoo.data.datasets import create_dataset

        dataset = create_dataset(request.dataset, request.root, split=request.split,
                                 subset="train", seed=train_cfg.seed)
        num_classes = len(dataset.classes)
        run_config["dataset"] = {"name": request.dataset, "root": str(request.root),
                                 "split": request.split, "num_train": len(dataset),
                                 "num_classes": num_classes}
        version = type(dataset).version(request.root)
        if version is not None:  # generated data / custom splits: which data it was
            run_config["dataset"]["version"] = version
    method = create_method(request.method, backbone, num_classes=num_classes,
                           **method_overrides)
    if dataset is not None:
        dataset.sample_builder = method.sample_builder(train=True)

    result = fit(method, dataset, train_cfg, run_config=run_config)
    if dist.is_main():
        losses = ", ".join(f"{k} {v:.4f}" for k, v in result.final_losses.items())
        console.print(f"[bold]{request.method}[/] on {request.backbone}: {result.epochs_done} "
                      f"epoch(s), {result.global_step} steps, {result.wall_time_s / 60:.1f} min"
                      + (f"; last epoch {losses}" if losses else ""))
        console.print(f"checkpoint: {result.last_dir}")
        if result.skipped_videos:
            console.print(f"[yellow]{len(result.skipped_videos)} unreadable video(s) skipped")
    if dist.is_distributed():
        torch.distributed.destroy_process_group()
    return result
