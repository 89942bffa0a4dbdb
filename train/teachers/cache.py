"""Disk cache of teacher outputs, so an expensive teacher runs once per frame per run.

Key = sha256 of (teacher name@version, video path + size + mtime, frame index, transform
params): a changed video, teacher version or augmentation is a miss, never a stale hit. One
safetensors file per frame under `root/<teacher>/<key[:2]>/<key>.safetensors`, written
atomically; `manifest.jsonl` beside them gets one line per entry (key, video, frame, file
sha256). Lines are appended with O_APPEND (atomic for lines this short), so several loader
workers can fill the cache at once. Hits are checked against the manifest checksum when the
manifest lists them; a mismatch is recomputed.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path
from typing import Any

import torch

from ssvzoo.train.teachers.base import Teacher
from ssvzoo.utils.io import sha256_json, write_bytes_atomic


def video_identity(path: str | os.PathLike) -> dict[str, Any]:
    st = os.stat(path)
    return {"path": str(Path(path).resolve()), "size": st.st_size, "mtime_ns": st.st_mtime_ns}


class TeacherCache:
    """Wraps a teacher: `cache(frames, meta)` returns what `teacher(frames, meta)` would."""

    def __init__(self, root: str | os.PathLike, teacher: Teacher):
        self.teacher = teacher
        self.dir = Path(root) / teacher.key.replace("/", "_")
        self.dir.mkdir(parents=True, exist_ok=True)
        self.manifest_path = self.dir / "manifest.jsonl"
        self._checksums: dict[str, str] | None = None
        self.hits = self.misses = 0
        self.teacher_s = 0.0  # seconds spent inside the teacher (misses only)

    def key(self, meta: dict[str, Any]) -> str:
        return sha256_json({"teacher": self.teacher.key, "video": video_identity(meta["path"]),
                            "frame": int(meta["frame"]), "transform": meta.get("transform")})

    def _file(self, key: str) -> Path:
        return self.dir / key[:2] / f"{key}.safetensors"

    def _manifest(self) -> dict[str, str]:
        if self._checksums is None:
            self._checksums = {}
            if self.manifest_path.is_file():
                for line in self.manifest_path.read_text().splitlines():
                    try:
                        entry = json.loads(line)
                    except json.JSONDecodeError:
                        continue
                    self._checksums[entry["key"]] = entry["sha256"]
        return self._checksums

    def _read(self, key: str) -> dict[str, torch.Tensor] | None:
        from safetensors.torch import load

        path = self._file(key)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return None
        expected = self._manifest().get(key)
        if expected is not None and hashlib.sha256(data).hexdigest() != expected:
            return None  # corrupted entry: recompute and overwrite
        return load(data)

    def _write(self, key: str, meta: dict[str, Any], outputs: dict[str, torch.Tensor]) -> None:
        from safetensors.torch import save

        data = save({k: v.detach().cpu().contiguous() for k, v in outputs.items()})
        path = self._file(key)
        write_bytes_atomic(path, data)
        digest = hashlib.sha256(data).hexdigest()
        line = json.dumps({"key": key, "video": str(meta["path"]), "frame": int(meta["frame"]),
                           "file": str(path.relative_to(self.dir)), "sha256": digest}) + "\n"
        fd = os.open(self.manifest_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, line.encode())
        finally:
            os.close(fd)
        self._manifest()[key] = digest

    def __call__(self, frames: torch.Tensor | None, meta: list[dict[str, Any]]
                 ) -> dict[str, torch.Tensor]:
        keys = [self.key(m) for m in meta]
        rows: list[dict[str, torch.Tensor] | None] = [self._read(k) for k in keys]
        missing = [i for i, r in enumerate(rows) if r is None]
        self.hits += len(keys) - len(missing)
        self.misses += len(missing)
        if missing:
            t0 = time.perf_counter()
            sub_frames = frames[missing] if frames is not None else None
            out = self.teacher(sub_frames, [meta[i] for i in missing])
            self.teacher_s += time.perf_counter() - t0
            for j, i in enumerate(missing):
                rows[i] = {name: value[j] for name, value in out.items()}
                self._write(keys[i], meta[i], rows[i])
        return {name: torch.stack([r[name] for r in rows]) for name in rows[0]}  # type: ignore
