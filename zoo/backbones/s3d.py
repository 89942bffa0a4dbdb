"""S3D (Xie et al., ECCV 2018) from torchvision.models.video.s3d, classifier dropped; 1024-d.

`s3d` is torchvision's `S3D().features` cut at its natural block boundaries:
conv1 (7x7x7 separable conv) | conv2 (pool, 1x1, 3x3x3 separable) | mixed3 (pool, 3b, 3c) |
mixed4 (pool, 4b-4f) | mixed5 (pool, 5b, 5c). The S3D paper trained at 224x224 with 64 frames;
the zoo's default input spec is 16x112x112 like the other backbones (RSPNet's S3D-G also used
112), so FLOPs and numbers at 224/64 are not the same thing.

`s3d-tiny` assembles the same torchvision blocks (`TemporalSeparableConv`, `SepInceptionBlock3D`)
at 1/8 width with one inception block per mixed stage.
"""

from __future__ import annotations

import importlib
from functools import partial

from torch import nn
from torchvision.ops.misc import Conv3dNormActivation

from ssvzoo.zoo.backbones import BACKBONES
from ssvzoo.zoo.backbones.base import FULL_SPEC, TINY_SPEC, Backbone, InputSpec

# `torchvision.models.video.s3d` the attribute is the builder function; the module is needed.
_tv_s3d = importlib.import_module("torchvision.models.video.s3d")
_SepConv, _Inception = _tv_s3d.TemporalSeparableConv, _tv_s3d.SepInceptionBlock3D

_STAGES = {"conv1": slice(0, 1), "conv2": slice(1, 4), "mixed3": slice(4, 7),
           "mixed4": slice(7, 13), "mixed5": slice(13, 16)}


def _pool(k, s, p) -> nn.MaxPool3d:
    return nn.MaxPool3d(kernel_size=k, stride=s, padding=p)


def _tiny_features(norm) -> list[nn.Module]:
    """torchvision S3D's layer list at 1/8 width, one inception block per mixed stage (128-d)."""
    return [
        _SepConv(3, 8, 7, 2, 3, norm),
        _pool((1, 3, 3), (1, 2, 2), (0, 1, 1)), Conv3dNormActivation(8, 8, kernel_size=1, norm_layer=norm),
        _SepConv(8, 24, 3, 1, 1, norm),
        _pool((1, 3, 3), (1, 2, 2), (0, 1, 1)), _Inception(24, 8, 12, 16, 2, 4, 4, norm),  # -> 32
        _pool((3, 3, 3), (2, 2, 2), (1, 1, 1)), _Inception(32, 24, 12, 26, 2, 6, 8, norm),  # -> 64
        _pool((2, 2, 2), (2, 2, 2), (0, 0, 0)), _Inception(64, 48, 24, 48, 6, 16, 16, norm),  # -> 128
    ]


class S3DBackbone(Backbone):
    """conv1, conv2, mixed3, mixed4, mixed5; embed = GAP of mixed5."""

    family = "s3d"

    def __init__(self, name: str, tiny: bool = False, input_spec: dict | None = None):
        spec = InputSpec.from_dict(input_spec) if input_spec else FULL_SPEC
        super().__init__(name, embed_dim=128 if tiny else 1024, input_spec=spec,
                         kwargs={"tiny": tiny, "input_spec": spec.to_dict()})
        if tiny:
            # torchvision's S3D batch-norm momentum (0.001) suits long Kinetics schedules; at a
            # CPU budget the running statistics never caught up (2600 steps: ~93 %, a 390-step
            # fine-tune: ~32 %), so eval-mode outputs drifted from training's and a supervised
            # fine-tune tested at chance. The tiny variant takes PyTorch's default, 0.1.
            layers = _tiny_features(partial(nn.BatchNorm3d, eps=0.001, momentum=0.1))
            cuts = {"conv1": slice(0, 1), "conv2": slice(1, 4), "mixed3": slice(4, 6),
                    "mixed4": slice(6, 8), "mixed5": slice(8, 10)}
        else:
            layers, cuts = list(_tv_s3d.S3D().features), _STAGES
        self.stages = nn.ModuleDict({k: nn.Sequential(*layers[s]) for k, s in cuts.items()})


@BACKBONES.register("s3d")
def s3d(**overrides) -> S3DBackbone:
    """S3D (torchvision's features, no classifier), 16x112x112 input spec; 1024-d."""
    return S3DBackbone("s3d", **overrides)


@BACKBONES.register("s3d-tiny")
def s3d_tiny(**overrides) -> S3DBackbone:
    """S3D reduced for CPU tests: 1/8 width, one inception block per stage, 8x64x64; 128-d."""
    return S3DBackbone("s3d-tiny", **{"tiny": True, "input_spec": TINY_SPEC.to_dict(), **overrides})
