"""Batches between the loader and the method: collate, count, move to the device."""

from __future__ import annotations

from typing import Any

import torch


def collate(items: list) -> dict[str, Any] | None:
    """The data package's `collate_skip_failed` (drops unreadable videos, lists them)."""
    from ssvzoo.data.datasets import collate_skip_failed

    return collate_skip_failed(items)


def batch_size_of(batch: dict[str, Any] | None) -> int:
    """Number of samples in a collated batch (0 for an empty or missing one)."""
    if not batch:
        return 0
    for value in batch.values():
        if torch.is_tensor(value) and value.dim() > 0:
            return int(value.shape[0])
    return 0


def to_device(batch: dict[str, Any], device: torch.device) -> dict[str, Any]:
    non_blocking = device.type == "cuda"
    return {k: (v.to(device, non_blocking=non_blocking) if torch.is_tensor(v) else v)
            for k, v in batch.items()}
