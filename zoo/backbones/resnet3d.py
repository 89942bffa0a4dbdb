"""Video ResNets from torchvision's blocks: R3D-18, R(2+1)D-18 and the VCOP-style R(2+1)D-10.

Blocks (`BasicBlock`, `Conv3DSimple`, `Conv2Plus1D`) are torchvision.models.video's own; the
stems and `_make_layer` follow torchvision's VideoResNet with the width made a parameter so the
`-tiny` variants exist. At base width 64 the layers and parameter counts equal torchvision's
`r3d_18` / `r2plus1d_18` minus the classification fc (a test checks it), and the state-dict keys
are torchvision's with `stages.` in front (`stem.0.weight` -> `stages.stem.0.weight`).
The backbone ends at layer4: no avgpool/fc. Weights are always random (nothing is downloaded).

!!! r21d_10 IS NOT r2plus1d_18 !!!  `r21d_10` has ONE BasicBlock per stage
(VCOP's `layer_sizes=(1,1,1,1)`, a 10-layer net), the "R(2+1)D" of VCOP, RSPNet and HCP-TD.
Numbers reported for it are NOT comparable with numbers for torchvision's 18-layer r2plus1d_18.
"""

from __future__ import annotations

from torch import nn
from torchvision.models.video.resnet import BasicBlock, Conv2Plus1D, Conv3DSimple

from ssvzoo.zoo.backbones import BACKBONES
from ssvzoo.zoo.backbones.base import FULL_SPEC, TINY_SPEC, Backbone, InputSpec

_CONVS = {"3d": Conv3DSimple, "2plus1d": Conv2Plus1D}


def _stem(conv: str, width: int) -> nn.Sequential:
    """torchvision's BasicStem (conv="3d") or R2Plus1dStem (conv="2plus1d") at any width."""
    if conv == "3d":
        return nn.Sequential(
            nn.Conv3d(3, width, kernel_size=(3, 7, 7), stride=(1, 2, 2), padding=(1, 3, 3), bias=False),
            nn.BatchNorm3d(width), nn.ReLU(inplace=True))
    mid = width * 45 // 64  # torchvision's 45 mid channels at width 64
    return nn.Sequential(
        nn.Conv3d(3, mid, kernel_size=(1, 7, 7), stride=(1, 2, 2), padding=(0, 3, 3), bias=False),
        nn.BatchNorm3d(mid), nn.ReLU(inplace=True),
        nn.Conv3d(mid, width, kernel_size=(3, 1, 1), stride=(1, 1, 1), padding=(1, 0, 0), bias=False),
        nn.BatchNorm3d(width), nn.ReLU(inplace=True))


def _make_layer(conv_builder, inplanes: int, planes: int, blocks: int, stride: int) -> nn.Sequential:
    """torchvision VideoResNet._make_layer for BasicBlock (expansion 1)."""
    downsample = None
    if stride != 1 or inplanes != planes:
        downsample = nn.Sequential(
            nn.Conv3d(inplanes, planes, kernel_size=1,
                      stride=conv_builder.get_downsample_stride(stride), bias=False),
            nn.BatchNorm3d(planes))
    layers = [BasicBlock(inplanes, planes, conv_builder, stride, downsample)]
    layers += [BasicBlock(planes, planes, conv_builder) for _ in range(1, blocks)]
    return nn.Sequential(*layers)


class VideoResNetBackbone(Backbone):
    """stem, layer1..layer4 of a BasicBlock video ResNet; embed = GAP of layer4 (8 x width dims)."""

    family = "resnet3d"

    def __init__(self, name: str, conv: str = "3d", layers: list[int] | tuple[int, ...] = (2, 2, 2, 2),
                 width: int = 64, input_spec: dict | None = None):
        if conv not in _CONVS:
            raise ValueError(f"conv must be one of {sorted(_CONVS)}, got {conv!r}")
        spec = InputSpec.from_dict(input_spec) if input_spec else FULL_SPEC
        layers = [int(n) for n in layers]
        kwargs = {"conv": conv, "layers": layers, "width": width, "input_spec": spec.to_dict()}
        super().__init__(name, embed_dim=8 * width, input_spec=spec, kwargs=kwargs)
        builder = _CONVS[conv]
        stages = {"stem": _stem(conv, width)}
        inplanes = width
        for i, blocks in enumerate(layers):
            planes = width * 2**i
            stages[f"layer{i + 1}"] = _make_layer(builder, inplanes, planes, blocks, 1 if i == 0 else 2)
            inplanes = planes
        self.stages = nn.ModuleDict(stages)
        self._init_weights()

    def _init_weights(self) -> None:
        # torchvision VideoResNet's init, so a random model here matches a random one there.
        for m in self.modules():
            if isinstance(m, nn.Conv3d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
                if m.bias is not None:
                    nn.init.constant_(m.bias, 0)
            elif isinstance(m, nn.BatchNorm3d):
                nn.init.constant_(m.weight, 1)
                nn.init.constant_(m.bias, 0)


def _register(name: str, doc: str, **defaults):
    def build(**overrides) -> VideoResNetBackbone:
        return VideoResNetBackbone(name, **{**defaults, **overrides})

    build.__doc__ = doc
    build.__name__ = name.replace("-", "_")
    BACKBONES.register(name)(build)

# The -18 tiny variants keep two blocks per stage (only the width shrinks) so that they stay a
# different network from r21d_10-tiny, which has one.
_TINY = {"width": 16, "layers": (2, 2, 2, 2), "input_spec": TINY_SPEC.to_dict()}
_register("r3d_18", "R3D-18 (Tran et al. 2018), torchvision's r3d_18 without fc; 512-d.",
          conv="3d", layers=(2, 2, 2, 2))
_register("r3d_18-tiny", "R3D-18 reduced for CPU tests: width 16, 8x64x64 input; 128-d.",
          conv="3d", **_TINY)
_register("r2plus1d_18", "R(2+1)D-18 (Tran et al. 2018), torchvision's r2plus1d_18 without fc; 512-d. "
          "NOT the 10-layer 'R(2+1)D' of VCOP/RSPNet/HCP-TD: that one is r21d_10.",
          conv="2plus1d", layers=(2, 2, 2, 2))
_register("r2plus1d_18-tiny", "R(2+1)D-18 reduced for CPU tests: width 16, 8x64x64 input; 128-d.",
          conv="2plus1d", **_TINY)
_register("r21d_10", "R(2+1)D-10: ONE block per stage (VCOP layer_sizes=(1,1,1,1)), the 'R(2+1)D' of "
          "VCOP/RSPNet/HCP-TD; 512-d. ITS NUMBERS ARE NOT COMPARABLE WITH r2plus1d_18.",
          conv="2plus1d", layers=(1, 1, 1, 1))
_register("r21d_10-tiny", "R(2+1)D-10 reduced for CPU tests: width 16; 128-d. Not comparable with "
          "r2plus1d_18(-tiny).", conv="2plus1d", width=16, layers=(1, 1, 1, 1),
          input_spec=TINY_SPEC.to_dict())
