"""`ssvzoo train`: pre-train (or fine-tune) a backbone with a registered method."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer


def train_command(
    method: Annotated[str, typer.Option("--method", help="Registered method: scratch, "
                                        "supervised, moco, rspnet, ...")],
    backbone: Annotated[str, typer.Option("--backbone", help="Registered backbone, e.g. "
                                          "r2plus1d_18-tiny.")],
    dataset: Annotated[Optional[str], typer.Option("--dataset", help="Registered dataset, e.g. "
                                                   "synthactions (not needed for scratch).")] = None,
    root: Annotated[Optional[Path], typer.Option("--root", help="Dataset root folder.")] = None,
    epochs: Annotated[Optional[int], typer.Option("--epochs", help="Epochs (default 10).")] = None,
    batch_size: Annotated[Optional[int], typer.Option("--batch-size",
                                                      help="Clips per step per process.")] = None,
    lr: Annotated[Optional[float], typer.Option("--lr", help="Base learning rate (default: the "
                                                "method's paper recipe).")] = None,
    out: Annotated[Optional[Path], typer.Option("--out", help="Run folder (default "
                                                "runs/<method>_<backbone>_<dataset>_s<seed>).")] = None,
    resume: Annotated[bool, typer.Option("--resume", help="Continue from OUT/last after a crash "
                                         "or kill.")] = False,
    config: Annotated[Optional[Path], typer.Option("--config", help="JSON object overriding "
                                                   "TrainConfig and method config fields by "
                                                   "name; flags win over it.")] = None,
    split: Annotated[int, typer.Option("--split", help="Dataset split (training subset).")] = 1,
    seed: Annotated[Optional[int], typer.Option("--seed", help="Seed of weights init, data "
                                                "order and augmentation (default 0).")] = None,
    workers: Annotated[Optional[int], typer.Option("--workers",
                                                   help="Data loader workers.")] = None,
    device: Annotated[Optional[str], typer.Option("--device", help="auto, cpu, cuda or "
                                                  "cuda:N.")] = None,
    max_steps_per_epoch: Annotated[Optional[int], typer.Option(
        "--max-steps-per-epoch", help="Cap on steps per epoch (quick runs).")] = None,
    frame_cache_mb: Annotated[Optional[int], typer.Option(
        "--frame-cache-mb", help="Keep up to this many MiB of decoded videos in memory per "
        "loader process, so a small dataset is decoded once per run (0: off).")] = None,
) -> None:
    """Train a backbone with a method; writes OUT/last (and OUT/best), logs and a loss curve.

    Precedence: TrainConfig defaults < the method's paper recipe < --config FILE < flags.
    Runs unchanged under `torchrun --nproc_per_node N -m ssvzoo train ...` (DDP).

    Example: ssvzoo train --method moco --backbone r3d_18-tiny --dataset synthactions --root synth
    """
    from ssvzoo.train.run import TrainRequest, run_training

    request = TrainRequest(method=method, backbone=backbone, dataset=dataset, root=root,
                           split=split, out=out, resume=resume, config=config,
                           flags={"epochs": epochs, "batch_size": batch_size, "lr": lr,
                                  "seed": seed, "num_workers": workers, "device": device,
                                  "max_steps_per_epoch": max_steps_per_epoch,
                                  "frame_cache_mb": frame_cache_mb})
    run_training(request)
