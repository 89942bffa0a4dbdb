"""`scratch`: no pre-training. The seeded random initialisation is saved as the checkpoint, so
every results table has its floor (config.json says `pretrained: false`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import torch

from ssvzoo.train.methods.base import METHODS, Method


@dataclass
class ScratchConfig:
    """No hyper-parameters: the seed (TrainConfig.seed) fixes the weights."""


@METHODS.register("scratch")
class Scratch(Method):
    name = "scratch"
    Config = ScratchConfig
    trains = False  # fit() writes the initial weights and returns

    def loss(self, batch: dict[str, Any]) -> dict[str, torch.Tensor]:
        # Never trained; a zero loss keeps the interface total for generic code paths.
        zero = sum(p.sum() * 0 for p in self.backbone.parameters())
        return {"loss": zero}

    def sample_builder(self, train: bool) -> Callable:
        from ssvzoo.train.methods.sampling import clip_builder

        frames, size = self.clip_shape()
        return clip_builder(self.backbone, frames, size, train=train)
