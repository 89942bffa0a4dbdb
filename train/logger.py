"""Training logs: rich progress, log.jsonl + log.csv, TensorBoard events, loss_curve.png.

Only rank 0 creates a `RunLogger` with `enabled=True`; the others get a silent one. The JSONL
file is appended live; at every checkpoint it (and the CSV) is rewritten whole from memory, so
after a resume the log holds exactly the steps of the resumed run, without duplicates.
"""

from __future__ import annotations

import csv
import io
import json
import time
from pathlib import Path

from ssvzoo.utils.io import atomic_path, write_text_atomic


class RunLogger:
    def __init__(self, out_dir: Path | None, *, enabled: bool, records: list[dict] | None = None,
                 start_step: int = 0, total_steps: int = 0, show_progress: bool = True):
        self.out_dir, self.enabled = out_dir, enabled
        self.records: list[dict] = list(records or [])
        self.total_steps = total_steps
        self._progress = None
        self._task = None
        self._tb = None
        if not enabled:
            return
        if out_dir is not None:
            try:
                from torch.utils.tensorboard import SummaryWriter
                self._tb = SummaryWriter(str(out_dir / "tb"), purge_step=start_step or None)
            except ImportError:  # tensorboard is optional
                self._tb = None
        if show_progress:
            from ssvzoo.utils.console import progress
            self._progress = progress()
            self._progress.start()
            self._task = self._progress.add_task("train", total=total_steps,
                                                 completed=start_step, info="")

    @staticmethod
    def read_records(out_dir: Path, up_to_step: int) -> list[dict]:
        """Records already logged at or before `up_to_step` (for a resumed run)."""
        path = out_dir / "log.jsonl"
        if not path.is_file():
            return []
        out = []
        for line in path.read_text().splitlines():
            try:
                rec = json.loads(line)
            except json.JSONDecodeError:  # a line cut by a kill
                continue
            if rec.get("step", 0) <= up_to_step:
                out.append(rec)
        return out

    def log(self, record: dict) -> None:
        """One logged step: append to the JSONL file and TensorBoard."""
        if not self.enabled:
            return
        record = {k: (round(v, 6) if isinstance(v, float) else v) for k, v in record.items()}
        self.records.append(record)
        if self.out_dir is not None:
            with open(self.out_dir / "log.jsonl", "a") as f:
                f.write(json.dumps(record) + "\n")
        if self._tb is not None:
            for key, value in record.items():
                if isinstance(value, (int, float)) and key not in ("epoch", "step"):
                    self._tb.add_scalar(f"train/{key}", value, record["step"])

    def progress(self, step: int, epoch: int, info: dict[str, float]) -> None:
        if self._progress is None:
            return
        text = " ".join(f"{k}={v:.4g}" for k, v in info.items())
        self._progress.update(self._task, completed=step, description=f"epoch {epoch}",
                              info=text)

    def flush(self) -> None:
        """Rewrite log.jsonl and log.csv atomically from the records in memory."""
        if not self.enabled or self.out_dir is None:
            return
        write_text_atomic(self.out_dir / "log.jsonl",
                          "".join(json.dumps(r) + "\n" for r in self.records))
        columns: list[str] = []
        for r in self.records:
            columns += [k for k in r if k not in columns]
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=columns)
        writer.writeheader()
        writer.writerows(self.records)
        write_text_atomic(self.out_dir / "log.csv", buf.getvalue())
        if self._tb is not None:
            self._tb.flush()

    def plot(self) -> Path | None:
        """loss_curve.png: every `loss*` column against the global step."""
        if not self.enabled or self.out_dir is None or not self.records:
            return None
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        keys = sorted({k for r in self.records for k in r if k.startswith("loss")})
        fig, ax = plt.subplots(figsize=(7, 4))
        for key in keys:
            pts = [(r["step"], r[key]) for r in self.records if key in r]
            ax.plot([p[0] for p in pts], [p[1] for p in pts], label=key)
        ax.set_xlabel("step")
        ax.set_ylabel("loss")
        ax.legend()
        ax.grid(alpha=0.3)
        fig.tight_layout()
        path = self.out_dir / "loss_curve.png"
        with atomic_path(path) as tmp:
            fig.savefig(tmp, format="png", dpi=100)
        plt.close(fig)
        return path

    def close(self) -> None:
        if self._progress is not None:
            self._progress.stop()
        if self._tb is not None:
            self._tb.close()


class Throughput:
    """Clips per second and the share of wall time spent waiting for data, per log window."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.t0 = time.perf_counter()
        self.clips = 0
        self.data_s = 0.0

    def rates(self) -> dict[str, float]:
        dt = max(time.perf_counter() - self.t0, 1e-9)
        return {"clips_per_s": self.clips / dt, "data_share": self.data_s / dt}
