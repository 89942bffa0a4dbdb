"""Optimiser and learning-rate schedule for the engine.

The schedule is a pure function of the global step (`lr_factor`), so a resumed run needs only
the step to be back on the same curve; no scheduler object has state to save.
"""

from __future__ import annotations

import math
from typing import Iterable

import torch

from ssvzoo.errors import ConfigError

OPTIMIZERS = ("sgd", "adamw")
SCHEDULES = ("cosine", "step", "constant")


def build_optimizer(params: Iterable[torch.nn.Parameter], name: str, lr: float, momentum: float,
                    weight_decay: float) -> torch.optim.Optimizer:
    """SGD with momentum (the MoCo / RSPNet / VCOP recipes) or AdamW."""
    params = [p for p in params if p.requires_grad]
    if not params:
        raise ConfigError("the method has no trainable parameters")
    if name == "sgd":
        return torch.optim.SGD(params, lr=lr, momentum=momentum, weight_decay=weight_decay)
    if name == "adamw":
        return torch.optim.AdamW(params, lr=lr, weight_decay=weight_decay)
    raise ConfigError(f"unknown optimizer {name!r}; choose one of {', '.join(OPTIMIZERS)}")


def lr_factor(step: int, *, schedule: str, total_steps: int, steps_per_epoch: int,
              warmup_steps: int = 0, milestones: tuple[int, ...] = (), gamma: float = 0.1,
              min_lr_ratio: float = 0.0) -> float:
    """Multiplier of the base lr at global `step` (0-based): linear warm-up, then the schedule.

    cosine: from 1 down to `min_lr_ratio` over the steps after warm-up (RSPNet decays to
    lr/1000, i.e. min_lr_ratio = 1e-3). step: times `gamma` at each milestone epoch.
    """
    if schedule not in SCHEDULES:
        raise ConfigError(f"unknown schedule {schedule!r}; choose one of {', '.join(SCHEDULES)}")
    if step < warmup_steps:
        return (step + 1) / warmup_steps
    if schedule == "constant":
        return 1.0
    if schedule == "step":
        epoch = step // max(1, steps_per_epoch)
        return gamma ** sum(1 for m in milestones if epoch >= m)
    span = max(1, total_steps - warmup_steps)
    progress = min(1.0, (step - warmup_steps) / span)
    return min_lr_ratio + (1 - min_lr_ratio) * 0.5 * (1 + math.cos(math.pi * progress))


def set_lr(optimizer: torch.optim.Optimizer, lr: float) -> None:
    for group in optimizer.param_groups:
        group["lr"] = lr * group.get("lr_scale", 1.0)
