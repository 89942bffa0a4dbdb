"""Video file -> frames with PyAV: probe, exact frame access by index, keyframe-only decoding.

Frame index i is the i-th presentation timestamp of the video stream: the packets are scanned
once when a file is opened (demuxing without decoding is cheap), their pts sorted, and every
decoded frame is mapped back to its index through its pts. That mapping does not depend on
time_base, start_time or B-frame reordering, and it is exact for variable frame rates too.
"""

from __future__ import annotations

import bisect
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, Sequence

import numpy as np

from ssvzoo.errors import VideoReadError

# Seek only when it skips at least this many frames: a seek flushes the decoder and costs about
# as much as decoding ~10 small frames (environment.md §7: for 10 uniform eval clips, seeking
# before every clip was 0.7x of one forward pass).
SEEK_MIN_SKIP = 16


@dataclass
class VideoInfo:
    """What a video stream's header and packet index say about it."""

    path: str
    fps: float
    num_frames: int
    duration: float  # seconds
    width: int
    height: int
    keyframes: list[int] = field(default_factory=list)  # frame indices of keyframes, ascending
    codec: str = ""


def _av():
    import av

    return av


def _open_error(path: Path) -> VideoReadError | None:
    """A clear cause for the failures we can see before FFmpeg does."""
    if not path.exists():
        return VideoReadError(path, "file not found")
    if path.is_dir():
        return VideoReadError(path, "is a directory, not a video file")
    if path.stat().st_size == 0:
        return VideoReadError(path, "empty file (0 bytes)")
    return None


class Video:
    """An opened video file. Use as a context manager or call `close()`.

    >>> with Video("v.mp4") as video:
    ...     clip = video.frames([0, 2, 4, 6])  # (4, H, W, 3) uint8 RGB
    """

    def __init__(self, path: str | os.PathLike, seek_min_skip: int = SEEK_MIN_SKIP):
        self.path = Path(path)
        self.seek_min_skip = seek_min_skip
        err = _open_error(self.path)
        if err is not None:
            raise err
        av = _av()
        try:
            self._container = av.open(str(self.path), mode="r")
        except (av.FFmpegError, OSError, UnicodeDecodeError) as e:
            raise VideoReadError(self.path, f"not a readable media file ({_short(e)})") from None
        try:
            if not self._container.streams.video:
                raise VideoReadError(self.path, "no video stream in the file")
            self._stream = self._container.streams.video[0]
            self._scan_packets()
        except VideoReadError:
            self._container.close()
            raise
        except (av.FFmpegError, OSError) as e:
            self._container.close()
            raise VideoReadError(self.path, f"corrupt or truncated ({_short(e)})") from None

    # -- index ------------------------------------------------------------------------------
    def _scan_packets(self) -> None:
        pts_list: list[int] = []
        key_pts: list[int] = []
        for packet in self._container.demux(self._stream):
            pts = packet.pts if packet.pts is not None else packet.dts
            if pts is None or packet.size == 0:
                continue  # the demuxer's final flush packet
            pts_list.append(int(pts))
            if packet.is_keyframe:
                key_pts.append(int(pts))
        if not pts_list:
            raise VideoReadError(self.path, "the video stream has no frames")
        self._pts = sorted(set(pts_list))
        self._pts_to_index = {p: i for i, p in enumerate(self._pts)}
        keyframes = sorted(self._pts_to_index[p] for p in set(key_pts))
        if not keyframes or keyframes[0] != 0:
            # Without a keyframe at 0 (open GOP, cut files) decoding must start from the beginning.
            keyframes = [0] + keyframes
        self._keyframes = keyframes
        self.info = self._make_info()

    def _make_info(self) -> VideoInfo:
        s = self._stream
        n = len(self._pts)
        tb = float(s.time_base) if s.time_base else 0.0
        rate = s.average_rate or s.guessed_rate or s.base_rate
        if n > 1 and tb > 0:
            span = (self._pts[-1] - self._pts[0]) * tb
            fps_from_pts = (n - 1) / span if span > 0 else 0.0
        else:
            fps_from_pts = 0.0
        fps = float(rate) if rate else fps_from_pts
        if s.duration and tb > 0:
            duration = float(s.duration * tb)
        elif self._container.duration:
            duration = self._container.duration / 1_000_000  # AV_TIME_BASE
        else:
            duration = n / fps if fps else 0.0
        ctx = s.codec_context
        return VideoInfo(path=str(self.path), fps=fps, num_frames=n, duration=duration,
                         width=int(ctx.width), height=int(ctx.height),
                         keyframes=list(self._keyframes), codec=str(ctx.name))

    def _keyframe_at_or_before(self, index: int) -> int:
        return self._keyframes[bisect.bisect_right(self._keyframes, index) - 1]

    def _index_of(self, frame, previous: int) -> int:
        pts = frame.pts if frame.pts is not None else getattr(frame, "dts", None)
        if pts is None:
            return previous + 1
        idx = self._pts_to_index.get(int(pts))
        if idx is None:  # a decoder that rewrote timestamps: take the nearest packet pts
            j = bisect.bisect_left(self._pts, int(pts))
            cands = [k for k in (j - 1, j) if 0 <= k < len(self._pts)]
            idx = min(cands, key=lambda k: abs(self._pts[k] - int(pts)))
        return idx

    # -- decoding ---------------------------------------------------------------------------
    def _decode_from(self, keyframe: int) -> Iterator:
        """Frames from the keyframe `keyframe` (an index) onwards."""
        self._container.seek(self._pts[keyframe], stream=self._stream, backward=True,
                             any_frame=False)
        return self._container.decode(self._stream)

    def frames(self, indices: Sequence[int] | np.ndarray) -> np.ndarray:
        """Frames at `indices` (any order, duplicates allowed) as (N, H, W, 3) uint8 RGB.

        Each distinct frame is decoded once. Needed frames are visited in ascending order; the
        decoder seeks to the keyframe at or before the next needed frame only when that skips
        at least `seek_min_skip` frames, and otherwise decodes forward.
        """
        idx = np.asarray(indices, dtype=np.int64).reshape(-1)
        n = self.info.num_frames
        if idx.size == 0:
            return np.zeros((0, self.info.height, self.info.width, 3), np.uint8)
        if idx.min() < 0 or idx.max() >= n:
            raise IndexError(f"frame indices must be in [0, {n}) for {self.path}, "
                             f"got [{idx.min()}, {idx.max()}]")
        needed = np.unique(idx).tolist()
        got = self._decode_needed(needed)
        # (N, H, W, 3)
        return np.stack([got[int(i)] for i in idx])

    def _decode_needed(self, needed: list[int]) -> dict[int, np.ndarray]:
        av = _av()
        wanted = set(needed)
        got: dict[int, np.ndarray] = {}
        frames_it: Iterator | None = None
        pos = 0  # index of the next frame `frames_it` will give
        try:
            for target in needed:
                if target in got:
                    continue
                key = self._keyframe_at_or_before(target)
                if frames_it is None or pos > target or key - pos >= self.seek_min_skip:
                    frames_it, pos = self._decode_from(key), key
                for frame in frames_it:
                    i = self._index_of(frame, pos - 1)
                    pos = i + 1
                    if i in wanted and i not in got:
                        got[i] = frame.to_ndarray(format="rgb24")  # convert only kept frames
                    if i >= target:
                        break
        except (av.FFmpegError, OSError) as e:
            raise VideoReadError(self.path, f"decoding failed ({_short(e)})") from None
        lost = [i for i in needed if i not in got]
        if lost:
            raise VideoReadError(self.path, f"frames {lost[:5]} could not be decoded "
                                            f"(truncated or corrupt stream)")
        return got

    def keyframes(self) -> tuple[np.ndarray, np.ndarray]:
        """Decode only the keyframes (I-frames): (indices (K,) int64, frames (K, H, W, 3) uint8)."""
        av = _av()
        ctx = self._stream.codec_context
        indices: list[int] = []
        frames: list[np.ndarray] = []
        try:
            ctx.skip_frame = "NONKEY"
            prev = -1
            keys = set(self._keyframes)
            for frame in self._decode_from(0):
                prev = self._index_of(frame, prev)
                # Some decoders (FFmpeg's native vp9) ignore skip_frame: keep keyframes only.
                if prev in keys and (not indices or prev != indices[-1]):
                    indices.append(prev)
                    frames.append(frame.to_ndarray(format="rgb24"))
        except (av.FFmpegError, OSError) as e:
            raise VideoReadError(self.path, f"decoding failed ({_short(e)})") from None
        finally:
            ctx.skip_frame = "DEFAULT"
        if not frames:
            raise VideoReadError(self.path, "no keyframe could be decoded")
        order = np.argsort(indices, kind="stable")
        # (K, H, W, 3)
        return np.asarray(indices, np.int64)[order], np.stack(frames)[order]

    def close(self) -> None:
        self._container.close()

    def __enter__(self) -> "Video":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __repr__(self) -> str:
        i = self.info
        return (f"Video({str(self.path)!r}, {i.num_frames} frames, {i.width}x{i.height}, "
                f"{i.fps:.3g} fps, {i.codec})")


def _short(e: BaseException) -> str:
    text = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
    return text[:200]


def probe(path: str | os.PathLike) -> VideoInfo:
    """Header and packet index of a video: fps, frame count, duration, size, keyframes."""
    with Video(path) as video:
        return video.info


def read_clip(path: str | os.PathLike, indices: Sequence[int] | np.ndarray) -> np.ndarray:
    """Open, read `indices` as (N, H, W, 3) uint8 RGB, close."""
    with Video(path) as video:
        return video.frames(indices)
