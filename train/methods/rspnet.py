"""RSPNet: relative speed perception + appearance contrast.

Chen et al., "RSPNet: Relative Speed Perception for Unsupervised Video Representation
Learning", AAAI 2021; code PeihaoChen/RSPNet `moco/builder_diffspeed_diffloss.py`,
`pretrain.py` (seed-methods.md section 4.2). Each sample is two windows of
`max(speeds) x frames` frames from one video (query window, key window, independent
augmentation). Per sample a speed is drawn; q and k are both played at it (first `frames`
frames at 1x, every 2nd frame at 2x), k_neg is the key window at the other speed.

- RSP (motion head M): `max(0, margin - (q.k/tau - q.k_neg/tau))`, margin ranking.
- A-VID (appearance head A): InfoNCE with the queue, once with k (ce1), once with k_neg (ce2),
  both clips of the same video; the queue enqueues k_neg's A-embedding.
- Total: `A * (ce1 + ce2) + M * ranking`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch

from ssvzoo.errors import ConfigError
from ssvzoo.train.heads import ProjectionHead
from ssvzoo.train.losses import info_nce, margin_ranking
from ssvzoo.train.methods.base import METHODS
from ssvzoo.train.methods.contrastive import MomentumMethod
from ssvzoo.train.momentum import KeyMemory


@dataclass
class RSPNetConfig:
    dim: int = 128  # RSPNet config `dim: 128`, one linear layer per head (`fc_type: 'linear'`)
    head_layers: int = 1  # RSPNet: linear heads
    queue_size: int = 16384  # RSPNet base config K = 16384
    momentum: float = 0.999  # RSPNet / MoCo m = 0.999
    tau: float = 0.07  # RSPNet T = 0.07, for both tasks
    margin: float = 2.0  # RSPNet `MarginRankingLoss(margin=2.0)` on similarity / tau
    speeds: tuple[int, ...] = (1, 2)  # RSPNet `diff_speed: [2]`: 1x and 2x
    lambda_a: float = 1.0  # RSPNet loss_lambda.libsonnet A = 1
    lambda_m: float = 1.0  # RSPNet loss_lambda.libsonnet M = 1
    bn_splits: int = 2  # documented choice: shuffled-BN groups on a single process
    color_jitter: float = 0.4  # documented choice: MoCo v2's SimCLR jitter strength (p = 0.8)
    grayscale_p: float = 0.2  # documented choice: MoCo v2's random grayscale
    frames: int | None = None  # frames per clip (RSPNet 16); None = backbone input spec
    size: int | None = None  # crop size (RSPNet 112); None = backbone input spec


def play_at_speed(window: torch.Tensor, speed: int, frames: int) -> torch.Tensor:
    """(B, C, W, H, W') window -> (B, C, frames, H, W'): every `speed`-th frame from the start."""
    return window[:, :, ::speed][:, :, :frames]


@METHODS.register("rspnet")
class RSPNet(MomentumMethod):
    name = "rspnet"
    Config = RSPNetConfig
    # RSPNet config/optimizer: SGD lr 0.1 (batch 64), momentum 0.9, wd 1e-4, cosine to lr/1000
    train_defaults = {"optimizer": "sgd", "lr": 0.1, "momentum": 0.9, "weight_decay": 1e-4,
                      "schedule": "cosine", "min_lr_ratio": 1e-3}

    def __init__(self, cfg: RSPNetConfig, backbone, num_classes: int | None = None):
        super().__init__(cfg, backbone, num_classes)
        if len(cfg.speeds) != 2:
            raise ConfigError(f"rspnet needs exactly two speeds, got {list(cfg.speeds)}")
        self.head_a = ProjectionHead(backbone.embed_dim, cfg.dim, layers=cfg.head_layers)
        self.head_m = ProjectionHead(backbone.embed_dim, cfg.dim, layers=cfg.head_layers)
        self.memory = KeyMemory(self.online_modules(), momentum=cfg.momentum,
                                queue_size=cfg.queue_size, dim=cfg.dim, bn_splits=cfg.bn_splits)

    def online_modules(self) -> dict[str, torch.nn.Module]:
        return {"backbone": self.backbone, "head_a": self.head_a, "head_m": self.head_m}

    def _key(self, x: torch.Tensor) -> torch.Tensor:
        enc = self.memory.encoder
        feat = enc["backbone"](x)
        return torch.cat([enc["head_a"](feat), enc["head_m"](feat)], dim=1)  # (B, 2*dim)

    def _speed_pair(self, window: torch.Tensor, frames: int, same: torch.Tensor):
        """Clips at the drawn speed and at the other one, each (B, C, frames, H, W)."""
        slow, fast = (play_at_speed(window, s, frames) for s in self.cfg.speeds)
        pick = same.view(-1, 1, 1, 1, 1)
        return torch.where(pick, fast, slow), torch.where(pick, slow, fast)

    def loss(self, batch: dict[str, Any]) -> dict[str, torch.Tensor]:
        cfg = self.cfg
        windows = batch["clips"]  # (B, 2, C, max(speeds) * frames, H, W): query, key windows
        b = windows.shape[0]
        frames = windows.shape[3] // max(cfg.speeds)
        fast = torch.rand(b, device=windows.device) < 0.5  # RSPNet alpha = 0.5 per speed
        q_clip, _ = self._speed_pair(windows[:, 0], frames, fast)
        k_clip, k_neg_clip = self._speed_pair(windows[:, 1], frames, fast)

        feat = self.backbone(q_clip)  # (B, D)
        q_a, q_m = self.head_a(feat), self.head_m(feat)  # (B, dim) each, unit norm
        keys = self.memory.encode(self._key, torch.cat([k_clip, k_neg_clip]))  # (2B, 2*dim)
        k_a, k_m = keys[:b, :cfg.dim], keys[:b, cfg.dim:]
        kn_a, kn_m = keys[b:, :cfg.dim], keys[b:, cfg.dim:]

        s_same = (q_m * k_m).sum(dim=1) / cfg.tau
        s_diff = (q_m * kn_m).sum(dim=1) / cfg.tau
        rank = margin_ranking(s_same, s_diff, cfg.margin)
        negatives = self.memory.negatives()
        ce1 = info_nce(q_a, k_a, negatives, cfg.tau)
        ce2 = info_nce(q_a, kn_a, negatives, cfg.tau)
        self.memory.stage(kn_a)
        total = cfg.lambda_a * (ce1 + ce2) + cfg.lambda_m * rank
        rsp_acc = (s_same > s_diff).float().mean() * 100
        return {"loss": total, "loss_rsp": rank.detach(), "loss_ce1": ce1.detach(),
                "loss_ce2": ce2.detach(), "rsp_acc": rsp_acc.detach()}

    def window_frames(self, frames: int) -> int:
        return max(self.cfg.speeds) * frames  # the fastest speed spans the whole window
