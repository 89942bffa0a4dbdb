"""The contract every backbone keeps: named stages run in order, stage maps, a pooled embedding.

A backbone is `stages: nn.ModuleDict` (the first is the stem) plus the facts eval and export need
(`embed_dim`, `input_spec`). Pretext methods that share low-level layers between heads (HCP-TD)
cut it with `split(at)` / `high_copy(at)`.
"""

from __future__ import annotations

import copy
from collections import OrderedDict
from dataclasses import asdict, dataclass
from typing import Any

import torch
from torch import nn

# Kinetics mean/std as torchvision's video weights use them (0-1 pixel scale).
KINETICS_MEAN = (0.43216, 0.394666, 0.37645)
KINETICS_STD = (0.22803, 0.22145, 0.216989)


@dataclass(frozen=True)
class InputSpec:
    """What a clip must look like before `embed`: T frames taken every `stride` frames, resized to
    size x size, normalised by mean/std. Eval, training and export read clips from here."""

    frames: int = 16
    size: int = 112
    mean: tuple[float, float, float] = KINETICS_MEAN
    std: tuple[float, float, float] = KINETICS_STD
    stride: int = 1  # VCOP/RSPNet: 16 consecutive frames

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["mean"], d["std"] = list(self.mean), list(self.std)
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "InputSpec":
        return cls(frames=int(d["frames"]), size=int(d["size"]),
                   mean=tuple(float(v) for v in d["mean"]), std=tuple(float(v) for v in d["std"]),
                   stride=int(d.get("stride", 1)))


class GlobalAvgPool(nn.Module):
    """(B, C, T, H, W) -> (B, C): the pooled embedding every backbone returns."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.mean(dim=(2, 3, 4))


class Backbone(nn.Module):
    """Base class: subclasses fill `stages` in `__init__` and store their JSON-able kwargs.

    Subclasses call `super().__init__(name, embed_dim, input_spec, kwargs)` and then assign
    `self.stages = nn.ModuleDict(...)`; `stage_names` follows the dict's order.
    """

    stages: nn.ModuleDict
    family: str = ""  # set by each family's class: "c3d", "resnet3d", "s3d"

    def __init__(self, name: str, embed_dim: int, input_spec: InputSpec, kwargs: dict[str, Any]):
        super().__init__()
        self.name = name
        self.embed_dim = embed_dim
        self.input_spec = input_spec
        self._kwargs = dict(kwargs)
        self.pool = GlobalAvgPool()

    @property
    def stage_names(self) -> tuple[str, ...]:
        return tuple(self.stages.keys())

    def config(self) -> dict[str, Any]:
        """JSON-able kwargs: `create_backbone(self.name, **self.config())` rebuilds this shape."""
        return dict(self._kwargs)

    def features(self, x: torch.Tensor, upto: str | None = None) -> dict[str, torch.Tensor]:
        """Every stage's map (B, C, T, H, W), in order; stop after stage `upto` when given."""
        if upto is not None and upto not in self.stages:
            raise KeyError(f"{self.name} has no stage {upto!r}; stages: {', '.join(self.stage_names)}")
        maps: dict[str, torch.Tensor] = {}
        for stage_name, stage in self.stages.items():
            x = stage(x)
            maps[stage_name] = x
            if stage_name == upto:
                break
        return maps

    def forward_features(self, x: torch.Tensor) -> torch.Tensor:
        """The last stage's map (B, C, T, H, W)."""
        for stage in self.stages.values():
            x = stage(x)
        return x

    def embed(self, x: torch.Tensor) -> torch.Tensor:
        """(B, C, T, H, W) clip -> (B, embed_dim), global average pool of the last stage."""
        return self.pool(self.forward_features(x))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.embed(x)

    def _cut(self, at: str) -> int:
        if at not in self.stages:
            raise KeyError(f"{self.name} has no stage {at!r}; stages: {', '.join(self.stage_names)}")
        return self.stage_names.index(at) + 1

    def split(self, at: str) -> tuple[nn.Sequential, nn.Sequential]:
        """(low, high): low = stages up to and including `at`, high = the rest + global pool.

        Both share their modules with this backbone, so `high(low(x)) == embed(x)` and training
        either trains the backbone. `high` ends in `GlobalAvgPool`, i.e. it returns (B, D).
        """
        cut = self._cut(at)
        items = list(self.stages.items())
        low = nn.Sequential(OrderedDict(items[:cut]))
        high = nn.Sequential(OrderedDict(items[cut:] + [("pool", self.pool)]))
        return low, high

    def high_copy(self, at: str) -> nn.Sequential:
        """A deep copy of `split(at)[1]`: a separate high-level part over a shared low part.

        HCP-TD uses one shared low-level trunk and two high-level branches; each branch is one
        `high_copy`, initialised from this backbone's current weights but trained apart.
        """
        return copy.deepcopy(self.split(at)[1])

    def extra_repr(self) -> str:
        return f"name={self.name!r}, embed_dim={self.embed_dim}, input={self.input_spec.frames}x{self.input_spec.size}"


# Tiny models see 8 frames; stride 4 lets them span 32 frames (1.3 s at 25 fps), enough motion
# to tell actions apart, at the cost of 8-frame compute.
TINY_SPEC = InputSpec(frames=8, size=64, stride=4)
FULL_SPEC = InputSpec(frames=16, size=112)
