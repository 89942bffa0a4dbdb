"""Small heads on top of a backbone embedding: projection heads and the classifier."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


class ProjectionHead(nn.Module):
    """Embedding (B, in_dim) -> (B, out_dim), optionally L2-normalised.

    `layers=1`: one linear layer (RSPNet's `fc_type: 'linear'`, 128-d).
    `layers=2`: Linear - ReLU - Linear, MoCo v2's MLP head (Chen et al. 2020, "Improved
    baselines with momentum contrastive learning"; hidden = in_dim as in the MoCo v2 code).
    """

    def __init__(self, in_dim: int, out_dim: int = 128, layers: int = 2,
                 hidden_dim: int | None = None, normalize: bool = True):
        super().__init__()
        if layers not in (1, 2):
            raise ValueError(f"ProjectionHead supports 1 or 2 layers, got {layers}")
        hidden_dim = hidden_dim or in_dim
        if layers == 1:
            self.net: nn.Module = nn.Linear(in_dim, out_dim)
        else:
            self.net = nn.Sequential(nn.Linear(in_dim, hidden_dim), nn.ReLU(inplace=True),
                                     nn.Linear(hidden_dim, out_dim))
        self.normalize = normalize

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        z = self.net(x)  # (B, out_dim)
        return F.normalize(z, dim=1) if self.normalize else z


class ClassifierHead(nn.Module):
    """Dropout then a linear layer: (B, in_dim) -> (B, num_classes) logits."""

    def __init__(self, in_dim: int, num_classes: int, dropout: float = 0.5):
        super().__init__()
        self.dropout = nn.Dropout(dropout)
        self.fc = nn.Linear(in_dim, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc(self.dropout(x))
