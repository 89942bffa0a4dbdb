"""SynthActions generation speed: a demo-sized set end to end, plus the render/encode split.

Prints JSON: wall seconds, videos/s and frames/s of the whole generation (render + h264 encode +
npz, with `--workers` processes), and, measured in this process on a few videos, the seconds per
video spent rendering, encoding and writing the npz, and the encode share.

    python bench/synth_speed.py                      # 10 classes x 40 videos, 112 px, 64 frames
    python bench/synth_speed.py --videos-per-class 4 --frames 32
"""

from __future__ import annotations

import argparse
import io
import json
import tempfile
import time
from pathlib import Path

import numpy as np


def per_stage(size: int, frames: int, fps: float, samples: int) -> dict[str, float]:
    """Seconds per video for render, encode and npz, over `samples` videos of varied classes."""
    from ssvzoo.data.encode import write_video
    from ssvzoo.data.synth.actions import ACTIONS
    from ssvzoo.data.synth.generate import GOP
    from ssvzoo.data.synth.scene import render_video

    times = {"render": 0.0, "encode": 0.0, "npz": 0.0}
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(samples):
            start = time.perf_counter()
            video = render_video(i % len(ACTIONS), i, 1 + i % 3, size, frames, fps, seed=0)
            times["render"] += time.perf_counter() - start
            start = time.perf_counter()
            write_video(Path(tmp) / f"{i}.mp4", video.frames, fps=fps, gop=GOP)
            times["encode"] += time.perf_counter() - start
            start = time.perf_counter()
            np.savez_compressed(io.BytesIO(), parts=video.parts, joints=video.joints,
                                visible=video.visible)
            times["npz"] += time.perf_counter() - start
    return {k: v / samples for k, v in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--classes", type=int, default=10)
    parser.add_argument("--videos-per-class", type=int, default=40)
    parser.add_argument("--size", type=int, default=112)
    parser.add_argument("--frames", type=int, default=64)
    parser.add_argument("--fps", type=float, default=25.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--samples", type=int, default=12, help="videos for the per-stage split")
    args = parser.parse_args()

    from ssvzoo.data.synth.generate import generate

    with tempfile.TemporaryDirectory() as tmp:
        summary = generate(Path(tmp) / "synth", classes=args.classes,
                           videos_per_class=args.videos_per_class, size=args.size,
                           frames=args.frames, fps=args.fps, workers=args.workers, progress=False)
    videos = args.classes * args.videos_per_class
    stages = per_stage(args.size, args.frames, args.fps, args.samples)
    total = sum(stages.values())
    print(json.dumps({
        "bench": "synth_speed",
        "config": vars(args),
        "wall_s": round(summary.seconds, 2),
        "videos_per_s": round(videos / summary.seconds, 2),
        "frames_per_s": round(videos * args.frames / summary.seconds, 1),
        "per_video_s": {k: round(v, 4) for k, v in stages.items()},
        "encode_share": round(stages["encode"] / total, 3),
        "rendered_frames_per_s_one_process": round(args.frames / stages["render"], 1),
    }, indent=2))


if __name__ == "__main__":
    main()
