"""Checkpoint folders written whole or not at all, and the random state that makes resume exact.

`last/` is written into a hidden temp folder next to it and swapped in by two renames; a kill
at any point leaves either the previous `last/` or (between the two renames) `last.old/`, which
`find_last` also accepts. `train_state.pt` holds only tensors, numbers, strings, lists and
dicts, so it loads with `torch.load(weights_only=True)`.
"""

from __future__ import annotations

import contextlib
import os
import random
import shutil
import tempfile
from pathlib import Path
from typing import Iterator

import numpy as np
import torch

from ssvzoo.errors import CheckpointError
from ssvzoo.train import dist
from ssvzoo.utils.io import default_mode

TRAIN_STATE = "train_state.pt"


@contextlib.contextmanager
def atomic_dir(path: str | os.PathLike) -> Iterator[Path]:
    """Yield an empty temp folder; on success it replaces the folder `path` as a whole."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent))
    os.chmod(tmp, default_mode(directory=True))
    try:
        yield tmp
        old = path.with_name(path.name + ".old")
        if old.exists():
            shutil.rmtree(old)
        if path.exists():
            os.replace(path, old)
        os.replace(tmp, path)
        shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def find_last(out_dir: str | os.PathLike) -> Path | None:
    """The newest complete `last/` checkpoint in out_dir (or `last.old/` after a kill mid-swap)."""
    for name in ("last", "last.old"):
        cand = Path(out_dir) / name
        if (cand / TRAIN_STATE).is_file():
            return cand
    return None


def save_train_state(path: str | os.PathLike, state: dict) -> None:
    torch.save(state, path)


def load_train_state(path: str | os.PathLike) -> dict:
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except Exception as e:  # corrupt or foreign file: say which
        raise CheckpointError(f"cannot load train state {path}: {e}") from e


# --- random state -------------------------------------------------------------------------

def _local_rng_state() -> dict[str, torch.Tensor]:
    """This process's python / numpy / torch (/ cuda) generator states as fixed-size tensors."""
    py_version, py_keys, py_gauss = random.getstate()
    np_name, np_keys, np_pos, np_has_gauss, np_gauss = np.random.get_state()
    assert np_name == "MT19937"
    state = {
        "python_keys": torch.tensor(py_keys, dtype=torch.int64),
        "python_meta": torch.tensor([py_version, py_gauss is not None,
                                     py_gauss or 0.0], dtype=torch.float64),
        "numpy_keys": torch.from_numpy(np_keys.astype(np.int64)),
        "numpy_meta": torch.tensor([np_pos, np_has_gauss, np_gauss], dtype=torch.float64),
        "torch": torch.get_rng_state(),
    }
    if torch.cuda.is_available() and torch.cuda.is_initialized():
        state["cuda"] = torch.cuda.get_rng_state()
    return state


def gather_rng_states() -> list[dict[str, torch.Tensor]]:
    """Every rank's generator states, rank order (a one-element list on one process)."""
    mine = _local_rng_state()
    if not dist.is_distributed():
        return [mine]
    device = torch.device("cuda", torch.cuda.current_device()) if (
        torch.distributed.get_backend() == "nccl") else torch.device("cpu")
    out: list[dict[str, torch.Tensor]] = [{} for _ in range(dist.world_size())]
    for key, value in mine.items():
        parts = [torch.empty_like(value, device=device) for _ in out]
        torch.distributed.all_gather(parts, value.to(device))
        for r, part in enumerate(parts):
            out[r][key] = part.cpu()
    return out


def restore_rng_state(states: list[dict[str, torch.Tensor]]) -> None:
    """Set this rank's generators from the saved list (same world size -> same streams)."""
    r = dist.rank()
    s = states[r] if r < len(states) else states[0]
    version, has_gauss, gauss = s["python_meta"].tolist()
    random.setstate((int(version), tuple(int(v) for v in s["python_keys"].tolist()),
                     gauss if has_gauss else None))
    pos, np_has_gauss, np_gauss = s["numpy_meta"].tolist()
    np.random.set_state(("MT19937", s["numpy_keys"].numpy().astype(np.uint32), int(pos),
                         int(np_has_gauss), float(np_gauss)))
    torch.set_rng_state(s["torch"])
    if "cuda" in s and torch.cuda.is_available():
        torch.cuda.set_rng_state(s["cuda"])


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed % (2**32))
    torch.manual_seed(seed)
