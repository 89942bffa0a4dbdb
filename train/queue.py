"""A FIFO queue of key embeddings: MoCo's dictionary of negatives."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


class FeatureQueue(nn.Module):
    """Fixed-size FIFO of (K, D) features, saved in the state dict (so resume restores it).

    Starts filled with random unit vectors, as in MoCo (He et al. 2020, `moco/builder.py`), so
    the loss has K negatives from the first step. `enqueue` writes over the oldest entries with
    wrap-around, so K need not be a multiple of the batch size (MoCo's code requires that; a
    skipped video or the last batch would otherwise break it).
    """

    keys: torch.Tensor
    ptr: torch.Tensor
    count: torch.Tensor

    def __init__(self, size: int, dim: int, normalize: bool = True,
                 generator: torch.Generator | None = None):
        super().__init__()
        if size < 1 or dim < 1:
            raise ValueError(f"queue size and dim must be >= 1, got {size}, {dim}")
        init = torch.randn(size, dim, generator=generator)  # (K, D)
        self.register_buffer("keys", F.normalize(init, dim=1) if normalize else init)
        self.register_buffer("ptr", torch.zeros((), dtype=torch.long))  # next slot to write
        self.register_buffer("count", torch.zeros((), dtype=torch.long))  # real keys held, <= K

    @property
    def size(self) -> int:
        return self.keys.shape[0]

    @torch.no_grad()
    def enqueue(self, new: torch.Tensor) -> torch.Tensor:
        """Append `new` (B, D); return the B entries it pushed out (oldest first).

        When B > K only the last K rows are kept (the older ones would be overwritten anyway).
        """
        new = new.detach().to(self.keys.dtype)
        if new.shape[0] > self.size:
            new = new[-self.size:]
        n = new.shape[0]
        slots = (self.ptr + torch.arange(n, device=self.keys.device)) % self.size  # (B,)
        dropped = self.keys[slots].clone()
        self.keys[slots] = new
        self.ptr.copy_((self.ptr + n) % self.size)
        self.count.copy_(torch.clamp(self.count + n, max=self.size))
        return dropped

    def ordered(self) -> torch.Tensor:
        """The K entries oldest first (the next one `enqueue` will drop comes first)."""
        p = int(self.ptr)
        return torch.cat([self.keys[p:], self.keys[:p]], dim=0)

    def forward(self) -> torch.Tensor:
        """The negatives, (K, D), detached."""
        return self.keys.detach()
