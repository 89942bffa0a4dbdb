"""Clip augmentation with torchvision.transforms.v2: one set of random parameters per clip.

A clip is wrapped as `tv_tensors.Video` (T, C, H, W), so v2 draws each random parameter (crop
box, flip, jitter factors) once and applies it to every frame; paired targets wrapped as
`tv_tensors.Mask` (part maps, nearest interpolation) and `tv_tensors.KeyPoints` (joints) go
through the same geometric ops, and v2's colour ops pass them through untouched.

Keypoints: callers pass and get (x, y) in pixel-index coordinates, numpy's convention: joint
(x, y) lies on pixel parts[round(y), round(x)]. Inside, they are shifted by +0.5 to continuous
coordinates (pixel (i, j) covers [j, j + 1) x [i, i + 1)), where crop (x - left), resize (x * s)
and flip (W - x) are all exact. torchvision 0.29 mixes conventions (its keypoint flip is
W - 1 - x, its resize x * s), so `HorizontalFlip` replaces its keypoint flip.
"""

from __future__ import annotations

import contextlib
from typing import Any, Sequence

import numpy as np
import torch
from torchvision import tv_tensors
from torchvision.transforms import v2
from torchvision.transforms.v2 import functional as F

# The Kinetics-400 statistics torchvision's video models were trained with.
KINETICS_MEAN = (0.43216, 0.394666, 0.37645)
KINETICS_STD = (0.22803, 0.22145, 0.216989)

CROP_POSITIONS = ("center", "left", "right")


class FixedCrop(v2.Transform):
    """A `size` x `size` crop at the vertical centre and the left, centre or right edge.

    Left / center / right is the 3-crop test protocol of the video SSL papers.
    """

    def __init__(self, size: int, position: str = "center"):
        super().__init__()
        if position not in CROP_POSITIONS:
            raise ValueError(f"crop position must be one of {CROP_POSITIONS}, got {position!r}")
        self.size = int(size)
        self.position = position

    def make_params(self, flat_inputs: list[Any]) -> dict[str, Any]:
        h, w = next(F.get_size(x) for x in flat_inputs
                    if isinstance(x, (tv_tensors.Video, tv_tensors.Image)))
        if h < self.size or w < self.size:
            raise ValueError(f"cannot crop {self.size}x{self.size} from {h}x{w} frames; resize first")
        left = {"left": 0, "center": (w - self.size) // 2, "right": w - self.size}[self.position]
        return {"top": (h - self.size) // 2, "left": left}

    def transform(self, inpt: Any, params: dict[str, Any]) -> Any:
        return self._call_kernel(F.crop, inpt, top=params["top"], left=params["left"],
                                 height=self.size, width=self.size)


class HorizontalFlip(v2.RandomHorizontalFlip):
    """v2's random flip; keypoints flip as W - x, consistent with v2's crop and resize."""

    def transform(self, inpt: Any, params: dict[str, Any]) -> Any:
        if isinstance(inpt, tv_tensors.KeyPoints):
            flipped = inpt.as_subclass(torch.Tensor).clone()
            flipped[..., 0] = inpt.canvas_size[1] - flipped[..., 0]
            return tv_tensors.wrap(flipped, like=inpt)
        return super().transform(inpt, params)


class ClipTransform:
    """(T, H, W, 3) uint8 frames -> (C, T, H, W) float, normalised; targets follow the geometry.

    `ops` run on the uint8 clip (geometry first, then colour); the clip is then scaled to
    [0, 1] and normalised with `mean` / `std`.
    """

    def __init__(self, ops: Sequence[v2.Transform], mean: Sequence[float] = KINETICS_MEAN,
                 std: Sequence[float] = KINETICS_STD):
        self.mean = tuple(float(m) for m in mean)
        self.std = tuple(float(s) for s in std)
        self.pipeline = v2.Compose([
            *ops,
            v2.ToDtype({tv_tensors.Video: torch.float32, "others": None}, scale=True),
            v2.Normalize(self.mean, self.std),
        ])

    def __call__(self, frames: np.ndarray | torch.Tensor, seed: int | None = None) -> torch.Tensor:
        """The transformed clip (C, T, H, W) float32."""
        return self.with_targets(frames, seed=seed)["clip"]

    def with_targets(self, frames: np.ndarray | torch.Tensor, parts: np.ndarray | None = None,
                     joints: np.ndarray | None = None,
                     seed: int | None = None) -> dict[str, torch.Tensor]:
        """Transform a clip and its per-frame targets with the same crop / resize / flip.

        parts: (T, H, W) integer part map -> "parts" (T, h, w) int64.
        joints: (T, J, 2) float (x, y) pixel indices -> "joints" (T, J, 2) float32, same
        convention (a joint may leave the crop: check 0 <= x <= w - 1 yourself).
        seed: draw the random parameters from torch.manual_seed(seed) without disturbing the
        global torch RNG (reproducible samples in any process).
        """
        video = _as_video(frames)
        t, _, h, w = video.shape
        inputs: list[Any] = [video]
        if parts is not None:
            parts_t = torch.as_tensor(np.asarray(parts))
            if tuple(parts_t.shape) != (t, h, w):
                raise ValueError(f"parts must be (T, H, W) = {(t, h, w)}, got {tuple(parts_t.shape)}")
            inputs.append(tv_tensors.Mask(parts_t))
        if joints is not None:
            joints_t = torch.as_tensor(np.asarray(joints), dtype=torch.float32) + 0.5
            if joints_t.ndim != 3 or joints_t.shape[0] != t or joints_t.shape[-1] != 2:
                raise ValueError(f"joints must be (T, J, 2) with T={t}, got {tuple(joints_t.shape)}")
            inputs.append(tv_tensors.KeyPoints(joints_t, canvas_size=(h, w)))
        with _seeded(seed):
            out = self.pipeline(*inputs)
        out = out if isinstance(out, tuple) else (out,)
        result = {"clip": out[0].as_subclass(torch.Tensor).permute(1, 0, 2, 3).contiguous()}
        rest = list(out[1:])
        if parts is not None:
            result["parts"] = rest.pop(0).as_subclass(torch.Tensor).long()  # (T, h, w)
        if joints is not None:
            result["joints"] = rest.pop(0).as_subclass(torch.Tensor).float() - 0.5  # (T, J, 2)
        return result

    def __repr__(self) -> str:
        return f"ClipTransform({self.pipeline!r})"


def _as_video(frames: np.ndarray | torch.Tensor) -> tv_tensors.Video:
    clip = torch.as_tensor(np.ascontiguousarray(frames)) if isinstance(frames, np.ndarray) else frames
    if clip.ndim != 4 or clip.shape[-1] != 3 or clip.dtype != torch.uint8:
        raise ValueError(f"frames must be (T, H, W, 3) uint8, got {tuple(clip.shape)} {clip.dtype}")
    return tv_tensors.Video(clip.permute(0, 3, 1, 2))  # (T, 3, H, W)


@contextlib.contextmanager
def _seeded(seed: int | None):
    if seed is None:
        yield
        return
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(int(seed))
        yield


def train_transform(size: int = 112, scale: tuple[float, float] = (0.25, 1.0), flip: bool = True,
                    color_jitter: float = 0.0, grayscale_p: float = 0.0, blur_p: float = 0.0,
                    mean: Sequence[float] = KINETICS_MEAN,
                    std: Sequence[float] = KINETICS_STD) -> ClipTransform:
    """Random resized crop (+ flip, colour jitter, grayscale, blur), one draw per clip.

    color_jitter = s > 0 adds SimCLR's jitter: brightness, contrast, saturation s, hue s/4
    (at most 0.5), applied with probability 0.8. Blur: kernel ~size/10 (odd), sigma in
    [0.1, 2.0], as in SimCLR / CVRL.
    """
    ops: list[v2.Transform] = [v2.RandomResizedCrop(size, scale=tuple(scale), antialias=True)]
    if flip:
        ops.append(HorizontalFlip(0.5))
    if color_jitter > 0:
        s = float(color_jitter)
        ops.append(v2.RandomApply([v2.ColorJitter(s, s, s, min(s / 4, 0.5))], p=0.8))
    if grayscale_p > 0:
        ops.append(v2.RandomGrayscale(grayscale_p))
    if blur_p > 0:
        kernel = max(3, (size // 10) | 1)
        ops.append(v2.RandomApply([v2.GaussianBlur(kernel, sigma=(0.1, 2.0))], p=blur_p))
    return ClipTransform(ops, mean, std)


def eval_transform(resize: int | tuple[int, int] = (128, 171), crop: int = 112,
                   crop_position: str = "center", mean: Sequence[float] = KINETICS_MEAN,
                   std: Sequence[float] = KINETICS_STD) -> ClipTransform:
    """Deterministic: resize to (H, W) (an int resizes the short side), then a square crop.

    (128, 171) then 112 is the C3D / R(2+1)D test pre-processing used by VCOP, RSPNet and
    CSVR; crop_position "left" / "center" / "right" gives the 3-crop protocol.
    """
    resizer = (ShortSideResize(int(resize)) if isinstance(resize, int)
               else v2.Resize([int(r) for r in resize], antialias=True))
    return ClipTransform([resizer, FixedCrop(crop, crop_position)], mean, std)


class ShortSideResize(v2.Transform):
    """Short side to `size`, long side rounded to nearest (torchvision truncates): 320x240
    frames become 171x128, VCOP's exact 128x171, and no aspect ratio is ever stretched."""

    def __init__(self, size: int):
        super().__init__()
        self.size = int(size)

    def make_params(self, flat_inputs):
        h, w = v2.functional.get_size(flat_inputs[0])
        if h <= w:
            return {"hw": [self.size, int(w * self.size / h + 0.5)]}
        return {"hw": [int(h * self.size / w + 0.5), self.size]}

    def transform(self, inpt, params):
        return self._call_kernel(v2.functional.resize, inpt, params["hw"], antialias=True)
