"""MoCo v2-style instance contrast between two clips of the same video.

He et al., "Momentum Contrast for Unsupervised Visual Representation Learning", CVPR 2020;
Chen et al., "Improved Baselines with Momentum Contrastive Learning" (MoCo v2), 2020; code
facebookresearch/moco `moco/builder.py` (seed-methods.md section 4.1). Two clips of one video,
each with its own temporal position and augmentation, are query and key; the key encoder is an
EMA of the query encoder; negatives come from a queue of past keys.

Batch norm: the key encoder uses shuffled BN. Under DDP keys are shuffled across ranks (MoCo's
`_batch_shuffle_ddp`); on one process the shuffled batch is split into `bn_splits` groups.
The queue enqueues the keys of all ranks (all_gather), so every rank holds the same queue.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch

from ssvzoo.train.heads import ProjectionHead
from ssvzoo.train.losses import info_nce
from ssvzoo.train.methods.base import METHODS
from ssvzoo.train.methods.contrastive import MomentumMethod
from ssvzoo.train.momentum import KeyMemory


@dataclass
class MoCoConfig:
    dim: int = 128  # MoCo: 128-d embedding
    queue_size: int = 65536  # MoCo K = 65536; keep it well below the number of training clips
    momentum: float = 0.999  # MoCo Eq. 2, m = 0.999
    tau: float = 0.2  # MoCo v2 with the MLP head (MoCo v1 used 0.07)
    mlp_layers: int = 2  # MoCo v2: 2-layer MLP head (1 = MoCo v1's linear head)
    bn_splits: int = 2  # documented choice: shuffled-BN groups on a single process
    color_jitter: float = 0.4  # documented choice: MoCo v2's SimCLR jitter strength (p = 0.8)
    grayscale_p: float = 0.2  # documented choice: MoCo v2's random grayscale
    frames: int | None = None  # clip length; None = the backbone's input spec
    size: int | None = None  # crop size; None = the backbone's input spec


@METHODS.register("moco")
class MoCo(MomentumMethod):
    name = "moco"
    Config = MoCoConfig
    # MoCo v2: SGD lr 0.03 (batch 256), momentum 0.9, wd 1e-4, cosine schedule
    train_defaults = {"optimizer": "sgd", "lr": 0.03, "momentum": 0.9, "weight_decay": 1e-4,
                      "schedule": "cosine"}

    def __init__(self, cfg: MoCoConfig, backbone, num_classes: int | None = None):
        super().__init__(cfg, backbone, num_classes)
        self.head = ProjectionHead(backbone.embed_dim, cfg.dim, layers=cfg.mlp_layers)
        self.memory = KeyMemory(self.online_modules(), momentum=cfg.momentum,
                                queue_size=cfg.queue_size, dim=cfg.dim, bn_splits=cfg.bn_splits)

    def online_modules(self) -> dict[str, torch.nn.Module]:
        return {"backbone": self.backbone, "head": self.head}

    def _key(self, x: torch.Tensor) -> torch.Tensor:
        enc = self.memory.encoder
        return enc["head"](enc["backbone"](x))

    def loss(self, batch: dict[str, Any]) -> dict[str, torch.Tensor]:
        clips = batch["clips"]  # (B, 2, C, T, H, W): query and key clip of each video
        q = self.head(self.backbone(clips[:, 0]))  # (B, dim), unit norm
        k = self.memory.encode(self._key, clips[:, 1])  # (B, dim), no grad
        loss = info_nce(q, k, self.memory.negatives(), self.cfg.tau)
        self.memory.stage(k)
        return {"loss": loss}
