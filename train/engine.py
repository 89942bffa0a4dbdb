"""The training loop: one for every method (pre-training and eval's fine-tune protocol).

`fit(method, dataset, cfg)` reads top to bottom: set up device / process group / loader /
optimiser (or restore them from `last/train_state.pt`), then for each step: batch -> losses ->
backward -> step -> `method.after_step()` -> log -> maybe checkpoint; at each epoch end call
`on_epoch_end`, keep `best/`, write `last/`. Method-specific work lives in the method.

Data order and augmentation are pure functions of (seed, epoch, index) (see `loader.py`), the
schedule is a pure function of the step (`optim.py`), and the generators' states are saved, so
a run resumed from any checkpoint ends with the same weights as an uninterrupted one.

Distributed: under `torchrun --nproc_per_node N` the process group is joined from the
environment (gloo on CPU, nccl on CUDA), the method is wrapped in DistributedDataParallel, each
rank reads its shard, rank 0 alone logs and writes. `batch_size` is per rank (global batch =
batch_size x N) and `lr` is used as given (no automatic scaling).
"""

from __future__ import annotations

import contextlib
import dataclasses
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import torch
from torch import nn

from ssvzoo.errors import CheckpointError, ConfigError, TrainingDiverged
from ssvzoo.train import dist
from ssvzoo.train.batching import batch_size_of, to_device
from ssvzoo.train.config import to_dict
from ssvzoo.train.loader import EpochSampler, build_loader
from ssvzoo.train.logger import RunLogger, Throughput
from ssvzoo.train.optim import build_optimizer, lr_factor, set_lr
from ssvzoo.train.state import (TRAIN_STATE, atomic_dir, find_last, gather_rng_states,
                                load_train_state, restore_rng_state, save_train_state,
                                seed_everything)

STATE_FORMAT = "ssvzoo.train_state/1"


@dataclass
class TrainConfig:
    """Everything the loop needs besides the method; saved in every checkpoint's config.json."""

    epochs: int = 10
    batch_size: int = 8  # per rank; the global batch is batch_size x world size
    lr: float = 0.01
    optimizer: str = "sgd"  # sgd | adamw
    momentum: float = 0.9
    weight_decay: float = 1e-4
    schedule: str = "cosine"  # cosine | step | constant
    warmup_epochs: float = 0.0
    milestones: tuple[int, ...] = ()  # epochs at which `step` multiplies the lr by gamma
    gamma: float = 0.1
    min_lr_ratio: float = 0.0  # cosine floor as a fraction of lr (RSPNet: 1e-3)
    grad_clip: float | None = None  # max global gradient norm
    amp: bool = True  # mixed precision, only when training on CUDA
    amp_dtype: str = "float16"  # float16 (with a GradScaler) | bfloat16
    sync_bn: bool = False  # SyncBatchNorm across ranks (CUDA + DDP only)
    num_workers: int = 2
    frame_cache_mb: int = 0  # >0: keep decoded videos in memory (per worker), decode once per run
    seed: int = 0
    device: str = "auto"  # auto | cpu | cuda | cuda:N
    out_dir: str | None = None
    resume: bool = False
    log_every: int = 10
    max_steps_per_epoch: int | None = None  # cap on steps per epoch (quick runs, smoke tests)
    checkpoint_every_steps: int | None = None  # also write last/ every N steps, not only per epoch
    stop_after_steps: int | None = None  # stop (as if killed) after N global steps; resumable
    drop_last: bool = True  # drop the incomplete last batch (when the data fills one batch)
    progress: bool = True  # rich progress bar on rank 0


@dataclass
class FitResult:
    method: nn.Module
    epochs_done: int
    global_step: int
    history: list[dict] = field(default_factory=list)  # per epoch: mean losses + metrics
    last_dir: Path | None = None
    best_dir: Path | None = None
    best_score: float | None = None
    stopped_early: bool = False
    skipped_videos: list[str] = field(default_factory=list)
    wall_time_s: float = 0.0

    @property
    def final_losses(self) -> dict[str, float]:
        return {k: v for k, v in (self.history[-1] if self.history else {}).items()
                if k.startswith("loss")}


EpochHook = Callable[[int, nn.Module], "dict[str, float] | None"]


def resolve_device(name: str) -> torch.device:
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name.startswith("cuda") and not torch.cuda.is_available():
        raise ConfigError(f"device {name!r} requested but CUDA is not available")
    try:
        return torch.device(name)
    except RuntimeError:
        raise ConfigError(f"unknown device {name!r}; use auto, cpu, cuda or cuda:N") from None


def fit(method: nn.Module, dataset, cfg: TrainConfig, *, on_epoch_end: EpochHook | None = None,
        run_config: dict | None = None) -> FitResult:
    """Train `method` on `dataset` (items as `method.sample_builder(True)` builds them).

    `on_epoch_end(epoch, method)` runs on rank 0 after each epoch (0-based index) with the
    method in eval mode; the metrics it returns are logged, and a `score` key (higher is
    better) makes the engine keep `best/`. `run_config` is extra JSON for config.json
    (dataset, backbone, ...). Files (rank 0, when `cfg.out_dir` is set): `last/`, `best/`,
    `log.jsonl`, `log.csv`, `tb/`, `loss_curve.png`.
    """
    t_start = time.time()
    device = resolve_device(cfg.device)
    if dist.init_from_env(device.type) and device.type == "cuda":
        device = torch.device("cuda", dist.local_rank())
    out_dir = Path(cfg.out_dir) if cfg.out_dir else None
    run = _Run(method, cfg, device, out_dir, run_config or {})
    if not getattr(method, "trains", True):
        return run.save_untrained(t_start)
    return run.train(dataset, on_epoch_end, t_start)


class _Run:
    """State of one fit() call; methods are the phases of the loop."""

    def __init__(self, method: nn.Module, cfg: TrainConfig, device: torch.device,
                 out_dir: Path | None, run_config: dict):
        self.method, self.cfg, self.device = method, cfg, device
        self.out_dir, self.run_config = out_dir, run_config
        self.main = dist.is_main()
        self.world = dist.world_size()
        if out_dir is not None and self.main:
            out_dir.mkdir(parents=True, exist_ok=True)

    # -- checkpoints -------------------------------------------------------------------------
    def checkpoint_config(self, **extra: Any) -> dict:
        from ssvzoo.utils.env import provenance

        m = self.method
        return {"method": getattr(m, "name", type(m).__name__),
                "method_config": m.config_dict() if hasattr(m, "config_dict") else {},
                "train_config": to_dict(self.cfg), "world_size": self.world,
                **self.run_config, **extra, "provenance": provenance()}

    def write_model(self, folder: Path, **extra: Any) -> None:
        from ssvzoo.zoo.checkpoint import save_checkpoint

        save_checkpoint(folder, self.method.backbone, self.checkpoint_config(**extra))

    def save_untrained(self, t_start: float) -> FitResult:
        """`scratch`-like methods: the seeded initial weights are the checkpoint."""
        last = None
        if self.out_dir is not None:
            last = self.out_dir / "last"
            if self.main:
                with atomic_dir(last) as tmp:
                    self.write_model(tmp, epoch=0, global_step=0, pretrained=False,
                                     note="random initialisation, no training")
            dist.barrier()
        return FitResult(self.method, 0, 0, last_dir=last, wall_time_s=time.time() - t_start)

    def save_last(self, train_state: dict, logger: RunLogger) -> None:
        if self.out_dir is None:
            return
        rng = gather_rng_states()  # collective: every rank takes part
        if self.main:
            train_state["rng"] = rng
            with atomic_dir(self.out_dir / "last") as tmp:
                self.write_model(tmp, epoch=train_state["epoch"],
                                 step_in_epoch=train_state["step_in_epoch"],
                                 global_step=train_state["global_step"])
                save_train_state(tmp / TRAIN_STATE, train_state)
            logger.flush()
        dist.barrier()

    def save_best(self, epoch: int, metrics: dict, global_step: int) -> None:
        if self.out_dir is not None and self.main:
            with atomic_dir(self.out_dir / "best") as tmp:
                self.write_model(tmp, epoch=epoch + 1, global_step=global_step, metrics=metrics)

    def load_resume(self) -> dict | None:
        if not self.cfg.resume or self.out_dir is None:
            return None
        last = find_last(self.out_dir)
        if last is None:
            if self.main:
                from ssvzoo.utils.console import err_console

                err_console.print(f"note: --resume found no checkpoint in {self.out_dir}; "
                                  f"starting from the beginning", markup=False, highlight=False)
            return None
        state = load_train_state(last / TRAIN_STATE)
        if state.get("format") != STATE_FORMAT:
            raise CheckpointError(f"{last / TRAIN_STATE} is not an ssvzoo train state")
        try:
            self.method.load_state_dict(state["method"])
        except RuntimeError as e:
            first = str(e).strip().splitlines()
            raise CheckpointError(f"cannot resume from {last}: it was written for another "
                                  f"method, backbone or config ({first[-1].strip()[:160]})") from None
        return state

    # -- the loop ----------------------------------------------------------------------------
    def train(self, dataset, on_epoch_end: EpochHook | None, t_start: float) -> FitResult:
        cfg, method = self.cfg, self.method
        progress = self.setup(dataset)
        self.meter = Throughput()
        method.train()
        try:
            while progress.epoch < cfg.epochs and not progress.stopped:
                self.run_epoch(progress)
                if not progress.stopped:
                    self.end_epoch(progress, on_epoch_end)
        finally:
            self.logger.close()
        if self.main:
            self.logger.flush()
            if not progress.stopped:
                self.logger.plot()
        out = self.out_dir
        return FitResult(method, progress.epoch, progress.global_step, history=progress.history,
                         last_dir=out / "last" if out is not None else None,
                         best_dir=out / "best" if out is not None and progress.best_score
                         is not None else None,
                         best_score=progress.best_score, stopped_early=progress.stopped,
                         skipped_videos=progress.skipped, wall_time_s=time.time() - t_start)

    def setup(self, dataset) -> "_Progress":
        """Model (DDP-wrapped when distributed), loader, optimiser, AMP; restore a resume."""
        from ssvzoo.train.batching import collate

        cfg, method, device = self.cfg, self.method, self.device
        state = self.load_resume()  # loads the method's state too
        if device.type == "cuda":  # fastest conv3d algorithms; GPU runs are not bit-exact anyway
            torch.backends.cudnn.benchmark = True
        method.to(device)
        if state is None:
            seed_everything(cfg.seed + dist.rank())
        self.model: nn.Module = method
        if dist.is_distributed():
            if cfg.sync_bn and device.type == "cuda":
                self.model = nn.SyncBatchNorm.convert_sync_batchnorm(method)
            self.model = nn.parallel.DistributedDataParallel(
                self.model, device_ids=[device.index] if device.type == "cuda" else None,
                find_unused_parameters=getattr(method, "find_unused_parameters", False))

        n = len(dataset)
        drop_last = cfg.drop_last and n // self.world >= cfg.batch_size
        self.sampler = EpochSampler(n, num_replicas=self.world, rank=dist.rank(), shuffle=True,
                                    seed=cfg.seed, drop_last=drop_last)
        per_rank = self.sampler.per_rank
        full = per_rank // cfg.batch_size if drop_last else -(-per_rank // cfg.batch_size)
        self.steps_per_epoch = min(full, cfg.max_steps_per_epoch or full)
        if self.steps_per_epoch < 1:
            raise ConfigError(f"dataset of {n} items gives no training step "
                              f"(batch size {cfg.batch_size}, {self.world} rank(s))")
        self.total_steps = self.steps_per_epoch * cfg.epochs
        # A VideoDataset without a cache gets one; a cache the caller set (pre-filled) is kept.
        if cfg.frame_cache_mb > 0 and getattr(dataset, "frame_cache", False) is None:
            from ssvzoo.data.frame_cache import DecodedVideoCache

            dataset.frame_cache = DecodedVideoCache(cfg.frame_cache_mb * 2**20)
        self.loader = build_loader(dataset, self.sampler, batch_size=cfg.batch_size,
                                   num_workers=cfg.num_workers, seed=cfg.seed,
                                   pin_memory=device.type == "cuda", collate_fn=collate,
                                   persistent_workers=cfg.frame_cache_mb > 0)

        self.optimizer = build_optimizer(method.parameters(), cfg.optimizer, cfg.lr,
                                         cfg.momentum, cfg.weight_decay)
        amp_dtype = {"float16": torch.float16, "bfloat16": torch.bfloat16}.get(cfg.amp_dtype)
        if amp_dtype is None:
            raise ConfigError(f"amp_dtype must be float16 or bfloat16, got {cfg.amp_dtype!r}")
        use_amp = cfg.amp and device.type == "cuda"
        self.scaler = torch.amp.GradScaler("cuda", enabled=use_amp and amp_dtype == torch.float16)
        self.autocast = ((lambda: torch.autocast("cuda", dtype=amp_dtype)) if use_amp
                         else contextlib.nullcontext)

        progress = _Progress()
        if state is not None:
            self.optimizer.load_state_dict(state["optimizer"])
            self.scaler.load_state_dict(state["scaler"])
            progress = _Progress.from_state(state)
            restore_rng_state(state["rng"])
        records = (RunLogger.read_records(self.out_dir, progress.global_step)
                   if state is not None and self.out_dir is not None and self.main else [])
        self.logger = RunLogger(self.out_dir, enabled=self.main, records=records,
                                start_step=progress.global_step, total_steps=self.total_steps,
                                show_progress=cfg.progress)
        return progress

    def run_epoch(self, p: "_Progress") -> None:
        """The remaining steps of epoch `p.epoch` (all of them unless resumed mid-epoch)."""
        cfg = self.cfg
        self.sampler.set_epoch(p.epoch, skip=p.step_in_epoch * cfg.batch_size)
        batches = iter(self.loader)
        while p.step_in_epoch < self.steps_per_epoch:
            t_wait = time.perf_counter()
            batch = next(batches)
            self.meter.data_s += time.perf_counter() - t_wait
            p.skipped += list(batch.get("failed_paths", []) if batch else [])
            b = batch_size_of(batch)
            if dist.all_reduce_min(b, self.device) == 0:  # all videos of a batch unreadable
                p.step_in_epoch += 1
                continue
            values = self.train_step(to_device(batch, self.device), p.global_step)
            p.step_in_epoch += 1
            p.global_step += 1
            self.meter.clips += b * self.world
            for k, v in values.items():
                p.sums[k] = p.sums.get(k, 0.0) + v
            p.sums["_n"] = p.sums.get("_n", 0.0) + 1
            lr_now = self.optimizer.param_groups[0]["lr"]
            if p.global_step % max(1, cfg.log_every) == 0 or p.step_in_epoch == self.steps_per_epoch:
                self.logger.log({"epoch": p.epoch, "step": p.global_step,
                                 "step_in_epoch": p.step_in_epoch, **values, "lr": lr_now,
                                 **self.meter.rates()})
                self.meter.reset()
            self.logger.progress(p.global_step, p.epoch, {**values, "lr": lr_now})

            p.stopped = bool(cfg.stop_after_steps and p.global_step >= cfg.stop_after_steps)
            every = cfg.checkpoint_every_steps
            if p.stopped or (every and p.global_step % every == 0
                             and p.step_in_epoch < self.steps_per_epoch):
                self.save_last(self.train_state(p), self.logger)
            if p.stopped:
                return

    def train_step(self, batch: dict, global_step: int) -> dict[str, float]:
        """batch -> losses -> backward -> (clip) -> step -> after_step; losses averaged over ranks."""
        cfg, optimizer = self.cfg, self.optimizer
        set_lr(optimizer, cfg.lr * lr_factor(
            global_step, schedule=cfg.schedule, total_steps=self.total_steps,
            steps_per_epoch=self.steps_per_epoch,
            warmup_steps=round(cfg.warmup_epochs * self.steps_per_epoch),
            milestones=tuple(cfg.milestones), gamma=cfg.gamma, min_lr_ratio=cfg.min_lr_ratio))
        with self.autocast():
            losses = self.model(batch)
        optimizer.zero_grad(set_to_none=True)
        self.scaler.scale(losses["loss"]).backward()
        if cfg.grad_clip:
            self.scaler.unscale_(optimizer)
            nn.utils.clip_grad_norm_(self.method.parameters(), cfg.grad_clip)
        self.scaler.step(optimizer)
        self.scaler.update()
        self.method.after_step()
        values = {k: float(dist.all_reduce_mean(v.float()))
                  for k, v in losses.items() if torch.is_tensor(v) and v.dim() == 0}
        if not all(map(_finite, values.values())):
            shown = ", ".join(f"{k}={v:.4g}" for k, v in values.items())
            raise TrainingDiverged(f"non-finite loss at step {global_step + 1} ({shown}); "
                                   f"lower --lr or set grad_clip; --resume restarts from the "
                                   f"last complete checkpoint")
        return values

    def end_epoch(self, p: "_Progress", on_epoch_end: EpochHook | None) -> None:
        """Mean losses, the hook's metrics (rank 0), best/ on a new best score, last/."""
        n_steps = max(p.sums.pop("_n", 0.0), 1.0)
        summary: dict[str, Any] = {"epoch": p.epoch, **{k: v / n_steps for k, v in p.sums.items()}}
        if on_epoch_end is not None and self.main:
            self.method.eval()
            metrics = on_epoch_end(p.epoch, self.method) or {}
            self.method.train()
            summary.update(metrics)
            if "score" in metrics and (p.best_score is None or metrics["score"] > p.best_score):
                p.best_score = float(metrics["score"])
                self.save_best(p.epoch, metrics, p.global_step)
        dist.barrier()
        p.history.append(summary)
        p.epoch, p.step_in_epoch, p.sums = p.epoch + 1, 0, {}
        self.save_last(self.train_state(p), self.logger)

    def train_state(self, p: "_Progress") -> dict:
        """Everything resume needs except the RNG states (added by save_last)."""
        return {"format": STATE_FORMAT, "method": self.method.state_dict(),
                "optimizer": self.optimizer.state_dict(), "scaler": self.scaler.state_dict(),
                "world_size": self.world, **p.to_state()}


@dataclass
class _Progress:
    """Where the loop is; saved in train_state.pt (the sampler's epoch is `epoch`)."""

    epoch: int = 0
    step_in_epoch: int = 0  # steps done in `epoch`
    global_step: int = 0
    history: list[dict] = field(default_factory=list)
    best_score: float | None = None
    skipped: list[str] = field(default_factory=list)
    sums: dict[str, float] = field(default_factory=dict)  # running loss sums of this epoch
    stopped: bool = False

    def to_state(self) -> dict:
        return {"epoch": self.epoch, "step_in_epoch": self.step_in_epoch,
                "global_step": self.global_step, "history": list(self.history),
                "best_score": self.best_score, "skipped": list(self.skipped),
                "epoch_sums": dict(self.sums)}

    @classmethod
    def from_state(cls, state: dict) -> "_Progress":
        return cls(epoch=state["epoch"], step_in_epoch=state["step_in_epoch"],
                   global_step=state["global_step"], history=list(state["history"]),
                   best_score=state["best_score"], skipped=list(state["skipped"]),
                   sums=dict(state["epoch_sums"]))


def _finite(x: float) -> bool:
    return x == x and abs(x) != float("inf")


def replace(cfg: TrainConfig, **changes: Any) -> TrainConfig:
    """A copy of `cfg` with some fields changed (convenience for protocols and tests)."""
    return dataclasses.replace(cfg, **changes)
