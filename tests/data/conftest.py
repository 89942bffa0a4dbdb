"""Tiny generated videos for the data tests (written with ssvzoo.data.encode.write_video)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ssvzoo.data.encode import write_video

H, W = 24, 32


def numbered_frames(num_frames: int, seed: int = 0, height: int = H, width: int = W) -> np.ndarray:
    """(T, H, W, 3) uint8 random frames: every frame differs, so a frame identifies its index."""
    rng = np.random.default_rng(seed)
    return rng.integers(0, 256, (num_frames, height, width, 3), dtype=np.uint8)


@pytest.fixture
def make_video():
    """make_video(path, num_frames=24, lossless=True, gop=8, seed=0) -> (path, frames)."""

    def make(path: Path, num_frames: int = 24, lossless: bool = True, gop: int = 8,
             seed: int = 0, codec: str = "libx264", fps: float = 25.0):
        frames = numbered_frames(num_frames, seed)
        write_video(path, frames, fps=fps, codec=codec, gop=gop, lossless=lossless)
        return Path(path), frames

    return make


@pytest.fixture(scope="session")
def lossless_video(tmp_path_factory):
    """A 40-frame lossless h264 mp4 with a keyframe every 8 frames, and its frames."""
    path = tmp_path_factory.mktemp("videos") / "lossless.mp4"
    frames = numbered_frames(40, seed=1)
    write_video(path, frames, fps=25, gop=8, lossless=True)
    return path, frames


@pytest.fixture(scope="session")
def broken_files(tmp_path_factory, lossless_video):
    """name -> path of files that must raise VideoReadError."""
    folder = tmp_path_factory.mktemp("broken")
    data = lossless_video[0].read_bytes()
    files = {
        "zero_byte": folder / "zero.mp4",
        "truncated": folder / "truncated.mp4",
        "text": folder / "notes.mp4",
        "missing": folder / "missing.mp4",
    }
    files["zero_byte"].write_bytes(b"")
    files["truncated"].write_bytes(data[: len(data) // 2])
    files["text"].write_text("this is not a video\n" * 20)
    return files


def write_ucf_style_root(root: Path, classes: list[str], train_per_class: int = 2,
                         test_per_class: int = 1, num_frames: int = 20, ext: str = ".mp4") -> dict:
    """A SynthActions / UCF101-style root with its own split files and lossless videos.

    Returns {relative path: frames} for every video written.
    """
    root.mkdir(parents=True, exist_ok=True)
    written: dict[str, np.ndarray] = {}
    train_lines, test_lines = [], []
    seed = 0
    for label, cls in enumerate(classes, start=1):
        for k in range(train_per_class + test_per_class):
            rel = f"{cls}/v_{cls}_g{k + 1:02d}_c01{ext}"
            seed += 1
            frames = numbered_frames(num_frames, seed)
            write_video(root / rel, frames, fps=25, gop=8, lossless=True)
            written[rel] = frames
            (train_lines.append(f"{rel} {label}") if k < train_per_class else test_lines.append(rel))
    crlf = "\r\n"
    (root / "classInd.txt").write_text(crlf.join(f"{i} {c}" for i, c in enumerate(classes, 1)) + crlf)
    (root / "trainlist01.txt").write_text(crlf.join(train_lines) + crlf)
    (root / "testlist01.txt").write_text(crlf.join(test_lines) + crlf)
    return written


@pytest.fixture(scope="session")
def synth_root(tmp_path_factory):
    """(root, {rel: frames}) for a 2-class SynthActions-layout folder: 4 train, 2 test videos."""
    root = tmp_path_factory.mktemp("synth")
    return root, write_ucf_style_root(root, ["Walk", "Jump"])


@pytest.fixture(scope="session")
def frames_of():
    """frames_of(num_frames, seed) -> the frames `numbered_frames` gives (what videos hold)."""
    return numbered_frames


@pytest.fixture(scope="session")
def ucf_style_writer():
    """write_ucf_style_root(root, classes, train_per_class, test_per_class, num_frames, ext)."""
    return write_ucf_style_root
