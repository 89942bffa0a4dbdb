"""Write frames to a video file with PyAV (SynthActions, test fixtures)."""

from __future__ import annotations

import os
from fractions import Fraction
from pathlib import Path

import numpy as np

from ssvzoo.utils.io import atomic_path


def write_video(
    path: str | os.PathLike,
    frames: np.ndarray,
    fps: float = 25.0,
    codec: str = "libx264",
    gop: int = 8,
    crf: int | None = 18,
    lossless: bool = False,
) -> Path:
    """Encode `frames` (T, H, W, 3) uint8 RGB to `path`, atomically.

    A small GOP (default 8) gives several keyframes per short clip, so seeking and I-frame
    sampling are exercised. `lossless=True` uses x264 qp=0 in yuv444p for tests that compare
    decoded frames exactly.
    """
    import av

    frames = np.ascontiguousarray(frames)
    if frames.ndim != 4 or frames.shape[-1] != 3 or frames.dtype != np.uint8:
        raise ValueError(f"frames must be (T, H, W, 3) uint8, got {frames.shape} {frames.dtype}")
    path = Path(path)
    _, h, w, _ = frames.shape
    with atomic_path(path) as tmp:
        fmt = path.suffix.lstrip(".") or "mp4"
        fmt = {"avi": "avi", "webm": "webm", "mkv": "matroska"}.get(fmt, "mp4")
        with av.open(str(tmp), mode="w", format=fmt) as container:
            rate = Fraction(fps).limit_denominator(1001)
            if lossless and codec in ("libx264", "h264"):
                codec = "libx264rgb"
            stream = container.add_stream(codec, rate=rate)
            stream.width, stream.height = w, h
            stream.codec_context.gop_size = gop
            if codec == "libx264rgb":
                stream.pix_fmt = "rgb24"
                stream.options = {"qp": "0", "preset": "ultrafast", "g": str(gop),
                                  "keyint_min": str(gop), "sc_threshold": "0", "bf": "0"}
            elif codec in ("libx264", "h264"):
                stream.pix_fmt = "yuv420p"
                # no-mbtree: MB-tree rate control made identical frames encode to different
                # bitstreams now and then; without it, same input -> same file (determinism).
                stream.options = {"crf": str(crf if crf is not None else 18),
                                  "preset": "veryfast", "g": str(gop),
                                  "keyint_min": str(gop), "sc_threshold": "0",
                                  "x264-params": "no-mbtree=1"}
            else:
                stream.pix_fmt = "yuv420p"
            for arr in frames:
                for packet in stream.encode(av.VideoFrame.from_ndarray(arr, format="rgb24")):
                    container.mux(packet)
            for packet in stream.encode():
                container.mux(packet)
    return path
