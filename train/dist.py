"""torch.distributed helpers; every function is a no-op or identity on a single process."""

from __future__ import annotations

import os
from typing import Callable

import torch
import torch.distributed as tdist


def is_distributed() -> bool:
    return tdist.is_available() and tdist.is_initialized()


def rank() -> int:
    return tdist.get_rank() if is_distributed() else 0


def world_size() -> int:
    return tdist.get_world_size() if is_distributed() else 1


def is_main() -> bool:
    return rank() == 0


def barrier() -> None:
    if is_distributed():
        tdist.barrier()


def init_from_env(device_type: str) -> bool:
    """Join the process group torchrun described (env://); True when running distributed.

    gloo on CPU, nccl on CUDA. Does nothing when WORLD_SIZE is unset or 1, or when a group
    already exists (the caller owns it then).
    """
    if is_distributed():
        return True
    if int(os.environ.get("WORLD_SIZE", "1")) <= 1:
        return False
    backend = "nccl" if device_type == "cuda" else "gloo"
    if device_type == "cuda":
        torch.cuda.set_device(int(os.environ.get("LOCAL_RANK", "0")))
    tdist.init_process_group(backend=backend, init_method="env://")
    return True


def local_rank() -> int:
    return int(os.environ.get("LOCAL_RANK", "0"))


@torch.no_grad()
def all_gather_cat(x: torch.Tensor) -> torch.Tensor:
    """Concatenate x (B_r, ...) of every rank along dim 0, rank order; batch sizes may differ."""
    if not is_distributed():
        return x
    n = torch.tensor([x.shape[0]], device=x.device)
    sizes = [torch.zeros_like(n) for _ in range(world_size())]
    tdist.all_gather(sizes, n)
    sizes_i = [int(s) for s in sizes]
    pad = max(sizes_i) - x.shape[0]
    if pad:
        x = torch.cat([x, x.new_zeros((pad,) + tuple(x.shape[1:]))], dim=0)
    parts = [torch.empty_like(x) for _ in sizes_i]
    tdist.all_gather(parts, x.contiguous())
    return torch.cat([p[:s] for p, s in zip(parts, sizes_i)], dim=0)


def all_reduce_mean(x: torch.Tensor) -> torch.Tensor:
    """Mean over ranks (for logging), detached."""
    x = x.detach().clone()
    if is_distributed():
        tdist.all_reduce(x)
        x /= world_size()
    return x


def all_reduce_min(value: int, device: torch.device) -> int:
    t = torch.tensor([value], device=device)
    if is_distributed():
        tdist.all_reduce(t, op=tdist.ReduceOp.MIN)
    return int(t)


@torch.no_grad()
def shuffled_forward(fn: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor,
                     splits: int = 1) -> torch.Tensor:
    """`fn(x)` with batch-norm statistics computed over a random regrouping of the batch.

    Distributed: the global batch is gathered, permuted (permutation from rank 0), each rank
    runs `fn` on its share, outputs are gathered and un-permuted (MoCo's `_batch_shuffle_ddp`).
    Single process: permute, run `fn` on `splits` groups, un-permute. Rows of the result line
    up with rows of x.
    """
    if is_distributed():
        local_n = x.shape[0]
        x_all = all_gather_cat(x)  # (N, ...)
        n_all = x_all.shape[0]
        perm = torch.randperm(n_all, device=x.device)
        tdist.broadcast(perm, src=0)
        shares = torch.tensor_split(perm, world_size())
        y_mine = fn(x_all[shares[rank()]])
        y_all = all_gather_cat(y_mine)  # rows in perm order
        y = torch.empty_like(y_all)
        y[perm] = y_all
        counts = [torch.zeros(1, dtype=torch.long, device=x.device) for _ in range(world_size())]
        tdist.all_gather(counts, torch.tensor([local_n], device=x.device))
        start = sum(int(c) for c in counts[: rank()])
        return y[start:start + local_n]
    n = x.shape[0]
    splits = max(1, min(splits, n))
    perm = torch.randperm(n, device=x.device)
    y_perm = torch.cat([fn(part) for part in torch.tensor_split(x[perm], splits)], dim=0)
    y = torch.empty_like(y_perm)
    y[perm] = y_perm
    return y
