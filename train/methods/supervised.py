"""Supervised training with labels: the ceiling reference, and eval's fine-tune step.

`frame_only=True` is the 2-D baseline (issue 4, "SynthActions must reward motion"): the network
sees only the middle frame of each clip, repeated over all T time steps. It keeps everything
else of the clip model (same backbone, input shape, FLOPs, epochs, optimiser), so the two
differ only in access to motion; a repeated frame makes every temporal convolution see a
static input, which is the same information as a 2-D network on that frame.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import torch
import torch.nn.functional as F

from ssvzoo.train.heads import ClassifierHead
from ssvzoo.train.methods.base import METHODS, Method


@dataclass
class SupervisedConfig:
    dropout: float = 0.5  # documented choice: dropout before the classifier (CSVR fine-tune: 0.3)
    label_smoothing: float = 0.0  # documented choice: plain cross-entropy
    frame_only: bool = False  # 2-D baseline: the middle frame repeated over time (see above)
    frames: int | None = None  # clip length; None = the backbone's input spec
    size: int | None = None  # crop size; None = the backbone's input spec


def middle_frame_clip(clips: torch.Tensor) -> torch.Tensor:
    """(B, C, T, H, W) -> the middle frame repeated T times, same shape, no motion left."""
    t = clips.shape[2]
    return clips[:, :, t // 2: t // 2 + 1].expand(-1, -1, t, -1, -1)


def flatten_clips(clips: torch.Tensor, labels: torch.Tensor | None = None):
    """(B, N, C, T, H, W) clips per video -> (B*N, C, T, H, W), labels repeated to (B*N,)."""
    if clips.dim() == 6:
        b, n = clips.shape[:2]
        clips = clips.flatten(0, 1)
        if labels is not None:
            labels = labels.repeat_interleave(n)
    return clips, labels


@METHODS.register("supervised")
class Supervised(Method):
    """Cross-entropy on labels through a dropout + linear head on the pooled embedding."""

    name = "supervised"
    Config = SupervisedConfig
    needs_labels = True
    # VCOP's classification recipe: SGD momentum 0.9, wd 5e-4 (lr left at the engine's 0.01)
    train_defaults = {"optimizer": "sgd", "momentum": 0.9, "weight_decay": 5e-4}

    def __init__(self, cfg: SupervisedConfig, backbone, num_classes: int | None = None):
        super().__init__(cfg, backbone, num_classes)
        self.head = ClassifierHead(backbone.embed_dim, int(num_classes), cfg.dropout)

    def logits(self, clips: torch.Tensor) -> torch.Tensor:
        """Class logits (B, K) for clips (B, C, T, H, W); evaluation must go through here so
        the frame-only baseline is tested on frames too."""
        if self.cfg.frame_only:
            clips = middle_frame_clip(clips)
        return self.head(self.backbone(clips))

    def loss(self, batch: dict[str, Any]) -> dict[str, torch.Tensor]:
        clips, labels = flatten_clips(batch["clips"], batch["label"])
        logits = self.logits(clips)  # (B, K)
        ce = F.cross_entropy(logits.float(), labels, label_smoothing=self.cfg.label_smoothing)
        top1 = (logits.argmax(dim=1) == labels).float().mean() * 100
        return {"loss": ce, "top1": top1.detach()}

    def sample_builder(self, train: bool) -> Callable:
        from ssvzoo.train.methods.sampling import clip_builder

        frames, size = self.clip_shape(self.cfg.frames, self.cfg.size)
        return clip_builder(self.backbone, frames, size, train=train)
