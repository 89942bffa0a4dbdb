"""Training throughput per method and backbone, and where step time goes; prints JSON.

For each (method, backbone) it trains a few steps through the real engine on a generated
SynthActions set (or --root) and reports clips/s and the share of wall time the loop waited
for data (from the engine's log). The teacher part measures the SynthActions oracle on the
middle frame of every clip (what HCP-TD's distillation asks for): once without a cache, then
through `TeacherCache` cold (first pass, fills it) and warm (second pass, all hits), as a share
of the step time. `--frame-cache-mb N` measures the steady state of `ssvzoo train
--frame-cache-mb N`: every video decoded into memory before the timed steps.

    python bench/train_throughput.py --methods supervised,moco,rspnet \
        --backbones r2plus1d_18-tiny --steps 6 --batch-size 4 --device cpu
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path


def make_synth(folder: Path, size: int, frames: int, min_train_videos: int) -> Path:
    """4 classes with enough training videos (3/4 of each class) for `min_train_videos`."""
    from ssvzoo.data.synth.generate import generate

    per_class = max(8, -(-min_train_videos * 4 // (3 * 4)) + 1)
    generate(folder, classes=4, videos_per_class=per_class, size=size, frames=frames, seed=0,
             workers=1, progress=False, force=True)
    return folder


def measure_method(method: str, backbone: str, root: Path, args, out: Path) -> dict:
    import torch

    from ssvzoo.data.datasets import create_dataset
    from ssvzoo.train.engine import TrainConfig, fit
    from ssvzoo.train.methods import create_method
    from ssvzoo.zoo.backbones import create_backbone

    torch.manual_seed(0)
    ds = create_dataset("synthactions", root, subset="train")
    overrides = {"queue_size": 256} if method in ("moco", "rspnet") else {}
    m = create_method(method, create_backbone(backbone), num_classes=len(ds.classes), **overrides)
    ds.sample_builder = m.sample_builder(train=True)
    if args.frame_cache_mb:  # measure the steady state: every video already decoded once
        from ssvzoo.data.frame_cache import DecodedVideoCache

        ds.frame_cache = DecodedVideoCache(args.frame_cache_mb * 2**20)
        for record in ds.records:
            ds.frame_cache.open(record.path)
    cfg = TrainConfig(epochs=1, batch_size=args.batch_size, num_workers=args.workers,
                      device=args.device, out_dir=str(out), log_every=1, progress=False,
                      max_steps_per_epoch=args.steps, frame_cache_mb=args.frame_cache_mb)
    t0 = time.perf_counter()
    fit(m, ds, cfg)
    wall = time.perf_counter() - t0
    records = [json.loads(x) for x in (out / "log.jsonl").read_text().splitlines()][1:]  # warm-up
    if len(records) < 1:
        raise SystemExit(f"{method} on {backbone}: {len(ds)} training videos give fewer than 2 "
                         f"steps of batch {args.batch_size}; pass a bigger --root or fewer steps")
    return {"method": method, "backbone": backbone, "steps": len(records) + 1,
            "batch_size": args.batch_size, "frame_cache_mb": args.frame_cache_mb,
            "clips_per_s": statistics.mean(r["clips_per_s"] for r in records),
            "data_share": statistics.mean(r["data_share"] for r in records),
            "wall_s": wall}


def measure_teacher(root: Path, args, cache_dir: Path, step_s_per_clip: float) -> dict:
    """Oracle teacher on the middle frame of each clip: plain, cache cold, cache warm.

    Shares are teacher time / (teacher time + the measured training step time), per clip.
    """
    from ssvzoo.data.datasets import create_dataset
    from ssvzoo.train.methods.sampling import clip_builder
    from ssvzoo.train.teachers import TeacherCache, create_teacher
    from ssvzoo.zoo.backbones import create_backbone

    ds = create_dataset("synthactions", root, subset="train")
    backbone = create_backbone(args.backbones.split(",")[0])
    spec = backbone.input_spec
    ds.sample_builder = clip_builder(backbone, spec.frames, spec.size, train=True)
    n = min(len(ds), args.steps * args.batch_size)
    metas = []
    for start in range(0, n, args.batch_size):
        items = [ds[i] for i in range(start, min(start + args.batch_size, n))]
        metas.append([{"path": ds.records[int(x["index"])].path,
                       "frame": int(x["frame_indices"][0, x["frame_indices"].shape[1] // 2])}
                      for x in items])

    def teacher_time(fn) -> float:
        t0 = time.perf_counter()
        for meta in metas:
            fn(None, meta)
        return (time.perf_counter() - t0) / n

    oracle = create_teacher("synth_oracle")
    plain = teacher_time(oracle)
    cold = teacher_time(TeacherCache(cache_dir, oracle))
    warm = teacher_time(TeacherCache(cache_dir, oracle))
    share = lambda t: t / (t + step_s_per_clip)  # noqa: E731
    return {"teacher": "synth_oracle", "frames": n, "step_s_per_clip": step_s_per_clip,
            "teacher_s_per_clip": {"no_cache": plain, "cache_cold": cold, "cache_warm": warm},
            "teacher_share": {"no_cache": share(plain), "cache_cold": share(cold),
                              "cache_warm": share(warm)}}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--methods", default="supervised,moco,rspnet")
    p.add_argument("--backbones", default="r2plus1d_18-tiny")
    p.add_argument("--root", type=Path, default=None, help="SynthActions root (default: generate)")
    p.add_argument("--steps", type=int, default=5)
    p.add_argument("--batch-size", type=int, default=4)
    p.add_argument("--workers", type=int, default=1)
    p.add_argument("--device", default="cpu")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--frame-cache-mb", type=int, default=0,
                   help="decoded-video cache per loader process (0: decode every step)")
    args = p.parse_args()

    import torch

    from ssvzoo.utils.env import hardware

    torch.set_num_threads(args.threads)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        root = args.root or make_synth(tmp / "synth", size=112, frames=48,
                                       min_train_videos=(args.steps + 1) * args.batch_size)
        runs = [measure_method(m, b, root, args, tmp / f"run_{m}_{b}")
                for b in args.backbones.split(",") for m in args.methods.split(",")]
        rates = [r["clips_per_s"] for r in runs]
        teacher = measure_teacher(root, args, tmp / "teacher_cache",
                                  1.0 / statistics.mean(rates))
    print(json.dumps({"bench": "train_throughput", "device": args.device, "threads": args.threads,
                      "hardware": hardware(), "runs": runs, "teacher": teacher}, indent=2))


if __name__ == "__main__":
    main()
