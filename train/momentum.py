"""The momentum (EMA) key encoder shared by MoCo-style methods (MoCo, RSPNet, HCP-TD)."""

from __future__ import annotations

import copy
from typing import Callable, Mapping

import torch
from torch import nn

from ssvzoo.train import dist


class MomentumEncoder(nn.Module):
    """Frozen copies of some online modules, updated as `theta_k <- m theta_k + (1-m) theta_q`.

    He et al., "Momentum Contrast", CVPR 2020, Eq. 2 (m = 0.999). Only parameters follow the
    EMA; batch-norm statistics of the copy come from its own forward passes, as in MoCo.
    """

    def __init__(self, online: Mapping[str, nn.Module], momentum: float):
        super().__init__()
        self.nets = nn.ModuleDict({name: copy.deepcopy(mod) for name, mod in online.items()})
        for p in self.nets.parameters():
            p.requires_grad_(False)
        self.momentum = momentum

    @torch.no_grad()
    def update(self, online: Mapping[str, nn.Module]) -> None:
        m = self.momentum
        for name, mod in online.items():
            for p_k, p_q in zip(self.nets[name].parameters(), mod.parameters(), strict=True):
                p_k.mul_(m).add_(p_q.detach(), alpha=1 - m)

    def __getitem__(self, name: str) -> nn.Module:
        return self.nets[name]

    @torch.no_grad()
    def encode(self, fn: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor,
               bn_splits: int = 1) -> torch.Tensor:
        """Run `fn` (built from `self[...]` modules) on keys x (B, ...) with shuffled BN.

        Shuffling BN (MoCo section 3.3): the key encoder's batch statistics must not come from
        the same samples, in the same grouping, as the query's, or the model learns to cheat
        through them. Under DDP the keys are shuffled across ranks; on one process the batch is
        shuffled and split into `bn_splits` groups, which is what DDP would compute.
        """
        return dist.shuffled_forward(fn, x, bn_splits)


class KeyMemory(nn.Module):
    """MoCo's key side in one piece: momentum encoder + queue of negatives (+ pending keys).

    Shared by every MoCo-style method (MoCo, RSPNet's A-VID task, HCP-TD's appearance task).
    `stage(keys)` remembers this step's keys; `after_step(online)` (from the method's
    `after_step`) updates the momentum encoder and enqueues the staged keys of all ranks, so the
    queue is never modified while the loss still needs it for backward.
    """

    def __init__(self, online: Mapping[str, nn.Module], *, momentum: float, queue_size: int,
                 dim: int, bn_splits: int = 1):
        super().__init__()
        from ssvzoo.train.queue import FeatureQueue

        self.encoder = MomentumEncoder(online, momentum)
        self.queue = FeatureQueue(queue_size, dim)
        self.bn_splits = bn_splits
        self._staged: torch.Tensor | None = None

    def encode(self, fn: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor) -> torch.Tensor:
        """Keys for x (B, ...) through `fn` (which uses `self.encoder[...]`), shuffled BN."""
        return self.encoder.encode(fn, x, self.bn_splits)

    def negatives(self) -> torch.Tensor:
        return self.queue()

    def stage(self, keys: torch.Tensor) -> None:
        if self.training:  # a loss computed in eval mode (validation) must not fill the queue
            self._staged = keys.detach()

    @torch.no_grad()
    def after_step(self, online: Mapping[str, nn.Module]) -> None:
        self.encoder.update(online)
        if self._staged is not None:
            self.queue.enqueue(dist.all_gather_cat(self._staged.float()))
            self._staged = None
