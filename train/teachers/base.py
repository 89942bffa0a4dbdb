"""The teacher interface: a frozen model (or oracle) that labels frames for distillation.

A teacher is not an `nn.Module` on purpose: a method can hold one as a plain attribute without
its weights entering the method's state dict, optimiser or DDP. `__call__` always runs under
`torch.no_grad()` on a batch of frames and returns a dict of batched tensors.
"""

from __future__ import annotations

from typing import Any, ClassVar

import torch
from torch import nn

from ssvzoo.registry import Registry

TEACHERS: Registry[type["Teacher"]] = Registry("teacher")


class Teacher:
    """Subclasses set `name`, `version` (bump it when outputs change: it is part of every
    cache key) and implement `predict`."""

    name: ClassVar[str] = "teacher"
    version: ClassVar[str] = "1"

    def predict(self, frames: torch.Tensor | None, meta: list[dict[str, Any]]
                ) -> dict[str, torch.Tensor]:
        """Outputs for N frames: each value has N rows in the order of `meta`.

        frames: (N, H, W, 3) uint8 RGB (or None for teachers that need only `meta`);
        meta: one dict per frame with at least `path` (video file) and `frame` (index), and
        `transform` (the augmentation parameters applied to the frame, if any).
        """
        raise NotImplementedError

    @torch.no_grad()
    def __call__(self, frames: torch.Tensor | None, meta: list[dict[str, Any]]
                 ) -> dict[str, torch.Tensor]:
        return self.predict(frames, meta)

    @property
    def key(self) -> str:
        """Teacher identity in cache keys."""
        return f"{self.name}@{self.version}"


def freeze(module: nn.Module) -> nn.Module:
    """Eval mode and no gradients: what every network teacher does to its model."""
    module.eval()
    for p in module.parameters():
        p.requires_grad_(False)
    return module
