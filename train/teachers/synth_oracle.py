"""The SynthActions oracle: ground-truth part maps and joints from each video's npz sidecar.

SynthActions writes `v_X.mp4` with `v_X.npz` beside it holding `parts (T, H, W) uint8` (0 =
background, 1.. = body parts) and `joints (T, J, 2) float32` (x, y in pixels). The oracle
is the perfect teacher: it lets the human-prior methods be tested without a real parser or
pose model. Outputs are in the video's own pixel grid; aligning them with an augmented clip is
the transform's job (paired targets).
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import numpy as np
import torch

from ssvzoo.errors import DatasetError
from ssvzoo.train.teachers.base import TEACHERS, Teacher


@functools.lru_cache(maxsize=64)
def _sidecar(path: str) -> dict[str, np.ndarray]:
    npz = Path(path).with_suffix(".npz")
    if not npz.is_file():
        raise DatasetError(f"no SynthActions sidecar {npz} for {path}: the oracle teacher needs "
                           f"the .npz files that `ssvzoo data synth` writes")
    with np.load(npz, allow_pickle=False) as data:
        names = data["part_names"] if "part_names" in data.files else np.array([])
        return {"parts": data["parts"], "joints": data["joints"], "num_parts": len(names)}


@TEACHERS.register("synth_oracle")
class SynthOracle(Teacher):
    """Returns `parts` (N, H, W) int64 labels, `part_probs` (N, C, H, W) one-hot float
    (the soft-target layout of HCP-TD Eq. 4) and `joints` (N, J, 2) float32."""

    name = "synth_oracle"
    version = "1"

    def __init__(self, num_parts: int | None = None):
        self.num_parts = num_parts  # classes incl. background; None = from the sidecar

    def predict(self, frames: torch.Tensor | None, meta: list[dict[str, Any]]
                ) -> dict[str, torch.Tensor]:
        parts, joints, known = [], [], 0
        for m in meta:
            side = _sidecar(str(m["path"]))
            t = min(int(m["frame"]), side["parts"].shape[0] - 1)
            parts.append(side["parts"][t])
            joints.append(side["joints"][t])
            known = max(known, side["num_parts"])
        labels = torch.from_numpy(np.stack(parts).astype(np.int64))  # (N, H, W)
        classes = self.num_parts or max(known, int(labels.max()) + 1)
        probs = torch.nn.functional.one_hot(labels, classes).permute(0, 3, 1, 2).float()
        return {"parts": labels, "part_probs": probs,
                "joints": torch.from_numpy(np.stack(joints).astype(np.float32))}
