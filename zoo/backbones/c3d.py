"""C3D (Tran et al., ICCV 2015), written here (torchvision has none).

Layout: conv1a(64) pool1(1,2,2) | conv2a(128) pool2 | conv3a/3b(256) pool3 | conv4a/4b(512) pool4 |
conv5a/5b(512) [pool5]; every conv 3x3x3, stride 1, padding 1. Unlike the 2015 paper, a
BatchNorm3d follows each conv (conv -> BN -> ReLU), as in the C3D of VCOP
(xudejing/video-clip-order-prediction models/c3d.py) and RSPNet, whose numbers the zoo compares
against. The fc6/fc7 layers are left out: the embedding is the global average pool of conv5
(512-d). pool5 (2,2,2 with spatial padding 1, as VCOP's) is off by default because GAP follows.
"""

from __future__ import annotations

from torch import nn

from ssvzoo.zoo.backbones import BACKBONES
from ssvzoo.zoo.backbones.base import FULL_SPEC, TINY_SPEC, Backbone, InputSpec


def _conv(cin: int, cout: int) -> list[nn.Module]:
    return [nn.Conv3d(cin, cout, kernel_size=3, padding=1), nn.BatchNorm3d(cout), nn.ReLU(inplace=True)]


class C3D(Backbone):
    """Stages conv1..conv5; `widths` per stage, `convs` per stage (paper: 1,1,2,2,2)."""

    family = "c3d"

    def __init__(self, name: str, widths: list[int] | tuple[int, ...] = (64, 128, 256, 512, 512),
                 convs: list[int] | tuple[int, ...] = (1, 1, 2, 2, 2), pool5: bool = False,
                 input_spec: dict | None = None):
        spec = InputSpec.from_dict(input_spec) if input_spec else FULL_SPEC
        widths, convs = [int(w) for w in widths], [int(n) for n in convs]
        if len(widths) != 5 or len(convs) != 5:
            raise ValueError("C3D needs 5 widths and 5 conv counts")
        kwargs = {"widths": widths, "convs": convs, "pool5": pool5, "input_spec": spec.to_dict()}
        super().__init__(name, embed_dim=widths[-1], input_spec=spec, kwargs=kwargs)
        stages, cin = {}, 3
        for i, (width, n) in enumerate(zip(widths, convs)):
            layers: list[nn.Module] = []
            for _ in range(n):
                layers += _conv(cin, width)
                cin = width
            if i == 0:  # pool1 keeps time: "not to merge the temporal signal too early" (paper 3.1)
                layers.append(nn.MaxPool3d(kernel_size=(1, 2, 2), stride=(1, 2, 2)))
            elif i < 4:
                layers.append(nn.MaxPool3d(kernel_size=2, stride=2))
            elif pool5:
                layers.append(nn.MaxPool3d(kernel_size=2, stride=2, padding=(0, 1, 1)))
            stages[f"conv{i + 1}"] = nn.Sequential(*layers)
        self.stages = nn.ModuleDict(stages)


@BACKBONES.register("c3d")
def c3d(**overrides) -> C3D:
    """C3D with BatchNorm (VCOP/RSPNet), 16x112x112 input, 512-d embedding."""
    return C3D("c3d", **overrides)


@BACKBONES.register("c3d-tiny")
def c3d_tiny(**overrides) -> C3D:
    """C3D reduced for CPU tests: widths 16..128, one conv per stage, 8x64x64 input; 128-d."""
    defaults = {"widths": (16, 32, 64, 128, 128), "convs": (1, 1, 1, 1, 1),
                "input_spec": TINY_SPEC.to_dict()}
    return C3D("c3d-tiny", **{**defaults, **overrides})
