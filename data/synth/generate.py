"""Write a SynthActions dataset in the UCF101 layout (videos + npz sidecars + split files).

    OUT/<Class>/v_<Class>_gNN_cMM.mp4   h264, yuv420p, GOP 8
    OUT/<Class>/v_<Class>_gNN_cMM.npz   parts (T,H,W) uint8, joints (T,J,2) float32 (x, y px),
                                        visible (T,J) bool, joint_names, part_names
    OUT/classInd.txt, trainlist01.txt, testlist01.txt, synthactions.json

Groups work as in UCF101: the clips of group gNN share an actor (body and colours, across all
classes), and the split is by group, so test actors never appear in training. Like UCF101
split 1, the first groups are the test groups.
"""

from __future__ import annotations

import json
import math
import multiprocessing
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from ssvzoo.errors import ConfigError, SsvzooError
from ssvzoo.utils.io import atomic_path, write_json_atomic, write_text_atomic

GENERATOR_VERSION = "3"  # 2: bigger figures, low-contrast textures; 3: scene styles, "clean" default
MANIFEST = "synthactions.json"
SPLIT_FILES = ("classInd.txt", "trainlist01.txt", "testlist01.txt")
CLIPS_PER_GROUP = 5  # UCF101 groups hold 4-7 clips
GOP = 8


@dataclass(frozen=True)
class SynthConfig:
    """Everything that determines the generated files (saved in synthactions.json)."""

    classes: int = 6
    videos_per_class: int = 50
    size: int = 112
    frames: int = 64
    fps: float = 25.0
    seed: int = 0
    test_fraction: float = 0.25
    style: str = "clean"  # a name in scene.STYLES


@dataclass
class SynthSummary:
    """What `generate` wrote."""

    out: Path
    classes: list[str]
    num_train: int
    num_test: int
    frames: int
    size: int
    seconds: float
    videos: list[str] = field(default_factory=list)  # relative paths, class-major order


@dataclass(frozen=True)
class VideoJob:
    class_index: int
    class_name: str
    index: int  # 0-based within the class
    group: int  # 1-based
    clip: int  # 1-based within the group

    @property
    def rel_path(self) -> str:
        return f"{self.class_name}/v_{self.class_name}_g{self.group:02d}_c{self.clip:02d}.mp4"


def group_layout(videos_per_class: int, test_fraction: float) -> tuple[list[tuple[int, int]], int]:
    """(group, clip) for each video index and the number of test groups (the first ones).

    Groups of about CLIPS_PER_GROUP clips, at least two groups so both subsets are non-empty;
    the test share is rounded to whole groups (40 videos -> 8 groups, 2 for test = 25 %)."""
    groups = max(2, round(videos_per_class / CLIPS_PER_GROUP))
    sizes = [videos_per_class // groups + (g < videos_per_class % groups) for g in range(groups)]
    layout = [(g + 1, c + 1) for g, n in enumerate(sizes) for c in range(n)]
    test_groups = min(groups - 1, max(1, math.floor(groups * test_fraction + 0.5)))
    return layout, test_groups


def validate(cfg: SynthConfig) -> None:
    """Raise ConfigError for values the generator cannot honour."""
    from ssvzoo.data.synth.actions import ACTION_NAMES
    from ssvzoo.data.synth.scene import STYLES

    checks = [
        (cfg.style in STYLES, f"--style must be one of {', '.join(STYLES)}, got {cfg.style!r}"),
        (2 <= cfg.classes <= len(ACTION_NAMES),
         f"--classes must be between 2 and {len(ACTION_NAMES)}, got {cfg.classes}"),
        (cfg.videos_per_class >= 2,
         f"--videos-per-class must be at least 2, got {cfg.videos_per_class}"),
        (cfg.size >= 32 and cfg.size % 2 == 0,
         f"--size must be even and at least 32, got {cfg.size}"),
        (cfg.frames >= 8, f"--frames must be at least 8, got {cfg.frames}"),
        (0 < cfg.fps <= 120, f"--fps must be in (0, 120], got {cfg.fps}"),
        (0.0 < cfg.test_fraction < 1.0,
         f"test_fraction must be in (0, 1), got {cfg.test_fraction}"),
        (cfg.seed >= 0, f"--seed must be non-negative, got {cfg.seed}"),
    ]
    for ok, message in checks:
        if not ok:
            raise ConfigError(message)


def _prepare_out(out: Path, force: bool) -> None:
    """Refuse a non-empty foreign folder; clear a previous SynthActions output's own files."""
    if out.exists() and not out.is_dir():
        raise SsvzooError(f"--out {out} is a file; choose a folder")
    manifest = out / MANIFEST
    if out.is_dir() and any(out.iterdir()) and not manifest.is_file() and not force:
        raise SsvzooError(f"--out {out} is not empty and holds no SynthActions data; "
                          f"choose an empty folder or pass --force")
    if manifest.is_file():
        try:
            previous = json.loads(manifest.read_text("utf-8")).get("class_names", [])
        except (OSError, ValueError):
            previous = []
        for name in previous:
            folder = out / str(name)
            if folder.is_dir() and folder.resolve().parent == out.resolve():
                for pattern in ("v_*.mp4", "v_*.npz"):
                    for path in folder.glob(pattern):
                        path.unlink()
                if not any(folder.iterdir()):
                    folder.rmdir()
        for name in (*SPLIT_FILES, MANIFEST):
            (out / name).unlink(missing_ok=True)
    out.mkdir(parents=True, exist_ok=True)


def write_one(job: VideoJob, cfg: SynthConfig, out: str) -> str:
    """Render, encode and write one video and its sidecar; returns its relative path."""
    from ssvzoo.data.encode import write_video
    from ssvzoo.data.synth.scene import STYLES, render_video
    from ssvzoo.data.synth.skeleton import JOINT_NAMES, PART_NAMES

    video = render_video(job.class_index, job.index, job.group, cfg.size, cfg.frames, cfg.fps,
                         cfg.seed, STYLES[cfg.style])
    path = Path(out) / job.rel_path
    write_video(path, video.frames, fps=cfg.fps, gop=GOP)
    with atomic_path(path.with_suffix(".npz")) as tmp:
        with open(tmp, "wb") as f:  # a file object, so numpy does not append ".npz"
            np.savez_compressed(f, parts=video.parts, joints=video.joints, visible=video.visible,
                                joint_names=np.array(JOINT_NAMES), part_names=np.array(PART_NAMES))
    return job.rel_path


def _write_many(jobs: list[VideoJob], cfg: SynthConfig, out: str) -> list[str]:
    return [write_one(job, cfg, out) for job in jobs]


def _write_splits(out: Path, names: list[str], jobs: list[VideoJob],
                  test_groups: int) -> tuple[int, int]:
    """classInd.txt, trainlist01.txt (with 1-based ids), testlist01.txt; returns the counts."""
    write_text_atomic(out / "classInd.txt", "".join(f"{i + 1} {n}\n" for i, n in enumerate(names)))
    train = [j for j in jobs if j.group > test_groups]
    test = [j for j in jobs if j.group <= test_groups]
    write_text_atomic(out / "trainlist01.txt",
                      "".join(f"{j.rel_path} {names.index(j.class_name) + 1}\n" for j in train))
    write_text_atomic(out / "testlist01.txt", "".join(f"{j.rel_path}\n" for j in test))
    return len(train), len(test)


def generate(out: str | os.PathLike, classes: int = 6, videos_per_class: int = 50,
             size: int = 112, frames: int = 64, fps: float = 25.0, seed: int = 0,
             workers: int = 2, test_fraction: float = 0.25, progress: bool = True,
             force: bool = False, style: str = "clean") -> SynthSummary:
    """Generate SynthActions into `out` (see the module docstring for the layout).

    Deterministic by `seed`: each video's randomness comes from (seed, class, index) and its
    actor's from (seed, group), so the files do not depend on `workers`.
    """
    from ssvzoo import __version__
    from ssvzoo.data.synth.actions import ACTION_NAMES
    from ssvzoo.data.synth.scene import STYLES
    from ssvzoo.data.synth.skeleton import JOINT_NAMES, PART_NAMES

    cfg = SynthConfig(classes, videos_per_class, size, frames, float(fps), seed, test_fraction,
                      style)
    validate(cfg)
    if workers < 1:
        raise ConfigError(f"--workers must be at least 1, got {workers}")
    start = time.perf_counter()
    out = Path(out)
    _prepare_out(out, force)
    names = list(ACTION_NAMES[:classes])
    layout, test_groups = group_layout(videos_per_class, test_fraction)
    jobs = [VideoJob(c, name, i, g, k) for c, name in enumerate(names)
            for i, (g, k) in enumerate(layout)]
    _run_jobs(jobs, cfg, out, workers, progress)
    num_train, num_test = _write_splits(out, names, jobs, test_groups)
    seconds = time.perf_counter() - start
    write_json_atomic(out / MANIFEST, {
        "format": "synthactions", "generator_version": GENERATOR_VERSION,
        "ssvzoo_version": __version__, "config": asdict(cfg), "codec": "h264", "gop": GOP,
        "scene_style": asdict(STYLES[cfg.style]),
        "class_names": names, "joint_names": list(JOINT_NAMES), "part_names": list(PART_NAMES),
        "groups": max(g for g, _ in layout), "test_groups": list(range(1, test_groups + 1)),
        "counts": {"train": num_train, "test": num_test, "videos": len(jobs)},
        "seconds": round(seconds, 2),
    })
    return SynthSummary(out, names, num_train, num_test, frames, size, seconds,
                        [j.rel_path for j in jobs])


def _run_jobs(jobs: list[VideoJob], cfg: SynthConfig, out: Path, workers: int,
              progress: bool) -> None:
    """Write every job, in this process or in `workers` spawned processes, with a progress bar."""
    from ssvzoo.utils.console import progress as make_progress

    main_file = getattr(sys.modules.get("__main__"), "__file__", None)
    if main_file and not Path(main_file).exists():  # `python - < script`: spawn cannot re-import
        workers = 1
    bar = make_progress() if progress else None
    task = bar.add_task("rendering SynthActions", total=len(jobs), info="") if bar else None
    if bar:
        bar.start()
    try:
        if workers == 1:
            for job in jobs:
                write_one(job, cfg, str(out))
                if bar:
                    bar.advance(task)
            return
        # Chunks amortise the inter-process round trip; spawn keeps workers free of any torch
        # threads a parent process may hold (fork after torch has started threads can hang).
        chunk = max(1, min(8, len(jobs) // (workers * 4)))
        batches = [jobs[i:i + chunk] for i in range(0, len(jobs), chunk)]
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            futures = {pool.submit(_write_many, batch, cfg, str(out)): len(batch)
                       for batch in batches}
            for future in as_completed(futures):
                future.result()
                if bar:
                    bar.advance(task, futures[future])
    finally:
        if bar:
            bar.stop()

