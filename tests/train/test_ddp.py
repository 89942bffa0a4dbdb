"""2-process DDP (gloo, CPU) against 1 process with the same global batch."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

WORKER = Path(__file__).with_name("ddp_worker.py")


def _load_worker():
    import importlib.util

    spec = importlib.util.spec_from_file_location("ddp_worker", WORKER)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _losses(out_dir: Path) -> list[float]:
    return [json.loads(line)["loss"] for line in (out_dir / "log.jsonl").read_text().splitlines()]


@pytest.mark.parametrize("method_name", ["moco"])
def test_two_gloo_ranks_match_one_process(tmp_path, method_name):
    single = _load_worker().run(str(tmp_path / "one"), batch_size=4, method_name=method_name)
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    env.pop("WORLD_SIZE", None)
    cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2",
           str(WORKER), str(tmp_path / "two"), str(tmp_path / "report"),
           "2", method_name]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]

    one, two = _losses(tmp_path / "one"), _losses(tmp_path / "two")
    assert len(one) == len(two) == single.global_step == 8  # 16 clips / global batch 4, 2 epochs
    assert two[0] == pytest.approx(one[0], rel=1e-4)
    assert two == pytest.approx(one, rel=1e-3)
    reports = [json.loads((tmp_path / "report" / f"rank{r}.json").read_text()) for r in (0, 1)]
    assert all(r["world"] == 2 and r["steps"] == 8 for r in reports)

    # only rank 0 wrote: one log, one last/ with one train_state, no stray temp folders
    names = sorted(p.name for p in (tmp_path / "two").iterdir())
    assert "last" in names and not [n for n in names if n.endswith(".tmp")]
    assert len((tmp_path / "two" / "log.jsonl").read_text().splitlines()) == 8
    assert (tmp_path / "two" / "last" / "train_state.pt").is_file()
