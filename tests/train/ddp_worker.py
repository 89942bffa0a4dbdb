"""Run by tests/train/test_ddp.py under torchrun (2 gloo processes) and in-process (1 process).

Trains `moco` on an in-memory dataset with a tiny backbone without batch norm, so the
2-process run must follow the 1-process run with the same global batch up to float error.
The engine's log (rank 0 only) holds the per-step losses; every rank writes a short summary
to `<report>/rank<r>.json`.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import torch
from torch import nn


def no_bn_backbone():
    """(B, 3, T, H, W) -> (B, 8) without batch norm, so results do not depend on the sharding."""
    from ssvzoo.zoo.backbones.base import Backbone, InputSpec

    backbone = Backbone("test-no-bn", 8, InputSpec(frames=4, size=8), {})
    backbone.stages = nn.ModuleDict({"conv": nn.Sequential(nn.Conv3d(3, 8, 3, padding=1),
                                                           nn.ReLU())})
    return backbone


class PairDataset(torch.utils.data.Dataset):
    def __len__(self):
        return 16

    def __getitem__(self, i):
        g = torch.Generator().manual_seed(i)
        base = torch.randn(3, 4, 8, 8, generator=g)
        clips = torch.stack([base + 0.1 * torch.randn(3, 4, 8, 8, generator=g) for _ in range(2)])
        return {"clips": clips, "label": torch.tensor(i % 4), "index": torch.tensor(i)}


def run(out_dir: str, batch_size: int, method_name: str = "moco"):
    from ssvzoo.train.engine import TrainConfig, fit
    from ssvzoo.train.methods import create_method

    torch.set_num_threads(1)
    torch.manual_seed(0)
    backbone = no_bn_backbone()
    kwargs = {"queue_size": 24} if method_name != "supervised" else {"dropout": 0.0}
    method = create_method(method_name, backbone, num_classes=4, **kwargs)
    cfg = TrainConfig(epochs=2, batch_size=batch_size, lr=0.5, num_workers=0, log_every=1,
                      out_dir=out_dir, progress=False, weight_decay=0.0)
    return fit(method, PairDataset(), cfg, run_config={"dataset": "in-memory"})


if __name__ == "__main__":
    out, report = sys.argv[1], Path(sys.argv[2])
    rank = int(os.environ.get("RANK", "0"))
    result = run(out, batch_size=int(sys.argv[3]), method_name=sys.argv[4])
    report.mkdir(parents=True, exist_ok=True)
    (report / f"rank{rank}.json").write_text(json.dumps({
        "world": int(os.environ.get("WORLD_SIZE", "1")), "steps": result.global_step,
        "history": result.history}))
    if torch.distributed.is_initialized():
        torch.distributed.destroy_process_group()
