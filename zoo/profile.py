"""Parameter and FLOP counts of a backbone at a given clip size.

Convention: `torch.utils.flop_counter.FlopCounterMode` counts one multiply-add as 2 FLOPs and
counts only the heavy ops it knows (convolutions, matmuls, attention); BatchNorm, ReLU, pooling
and additions are not counted. Papers and torchvision's weight tables usually quote "GFLOPs"
that are really GMACs (multiply-adds, = counted FLOPs / 2), so we return both and label them.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn
from torch.utils.flop_counter import FlopCounterMode


def count_params(model: nn.Module, trainable_only: bool = False) -> int:
    """Number of parameters (buffers such as BN running stats are not parameters)."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad or not trainable_only)


@dataclass(frozen=True)
class FlopCount:
    flops: int  # as counted: 2 per multiply-add

    @property
    def gflops(self) -> float:
        return self.flops / 1e9

    @property
    def gmacs(self) -> float:
        return self.flops / 2e9


def count_flops(model: nn.Module, frames: int = 16, size: int = 112, batch: int = 1) -> FlopCount:
    """FLOPs of one forward of a (batch, 3, frames, size, size) clip, in eval mode, no grad."""
    was_training = model.training
    model.eval()
    try:
        p = next(model.parameters(), None)
        clip = torch.zeros(batch, 3, frames, size, size,  # (B, C, T, H, W)
                           device=p.device if p is not None else "cpu",
                           dtype=p.dtype if p is not None else torch.float32)
        counter = FlopCounterMode(display=False)
        with torch.no_grad(), counter:
            model(clip)
        return FlopCount(int(counter.get_total_flops()))
    finally:
        model.train(was_training)


def gflops(model: nn.Module, frames: int = 16, size: int = 112) -> tuple[float, float]:
    """(GFLOPs, GMACs) of one clip: GFLOPs = counted FLOPs / 1e9 (2 per multiply-add),
    GMACs = GFLOPs / 2, the number most papers loosely call "GFLOPs"."""
    count = count_flops(model, frames=frames, size=size)
    return count.gflops, count.gmacs
