"""Teacher registry, the SynthActions oracle and the disk cache."""

import json

import numpy as np
import torch

from ssvzoo.train.teachers import TEACHERS, TeacherCache, create_teacher
from ssvzoo.train.teachers.base import Teacher


def _sidecar_video(tmp_path, name="v_A_g01_c01"):
    video = tmp_path / f"{name}.mp4"
    video.write_bytes(b"not decoded by the oracle")
    parts = np.zeros((3, 4, 5), np.uint8)
    parts[1, 1:3, 2:4] = 2
    joints = np.arange(3 * 2 * 2, dtype=np.float32).reshape(3, 2, 2)
    np.savez(tmp_path / f"{name}.npz", parts=parts, joints=joints,
             joint_names=np.array(["head", "hand"]),
             part_names=np.array(["background", "torso", "arm"]))
    return video, parts, joints


def test_oracle_reads_sidecar(tmp_path):
    assert "synth_oracle" in TEACHERS
    video, parts, joints = _sidecar_video(tmp_path)
    out = create_teacher("synth_oracle")(None, [{"path": video, "frame": 1},
                                                {"path": video, "frame": 0}])
    assert out["parts"].shape == (2, 4, 5) and out["parts"].dtype == torch.int64
    assert torch.equal(out["parts"][0], torch.from_numpy(parts[1]).long())
    assert out["part_probs"].shape == (2, 3, 4, 5)  # 3 classes from part_names
    assert float(out["part_probs"][0, 2, 1, 2]) == 1.0 and float(out["part_probs"][0, 0, 1, 2]) == 0
    assert torch.equal(out["joints"][1], torch.from_numpy(joints[0]))


class _Counting(Teacher):
    name, version = "counting", "1"

    def __init__(self):
        self.calls = 0

    def predict(self, frames, meta):
        self.calls += len(meta)
        return {"mean": frames.float().mean(dim=(1, 2, 3)),  # (N,)
                "frame": torch.tensor([m["frame"] for m in meta])}


def test_cache_hits_second_pass_with_identical_outputs(tmp_path):
    video, _, _ = _sidecar_video(tmp_path)
    frames = torch.randint(0, 255, (3, 4, 4, 3), dtype=torch.uint8)
    meta = [{"path": video, "frame": i, "transform": {"crop": [0, 0, 4, 4]}} for i in range(3)]
    teacher = _Counting()
    cache = TeacherCache(tmp_path / "cache", teacher)
    first = cache(frames, meta)
    assert teacher.calls == 3 and cache.misses == 3 and cache.hits == 0
    # a new cache object (a new run) on the same folder: all hits, teacher not called
    cache2 = TeacherCache(tmp_path / "cache", teacher)
    second = cache2(frames, meta)
    assert teacher.calls == 3 and cache2.hits == 3
    for k in first:
        assert torch.equal(first[k], second[k])
    # a different transform is a different key
    cache2(frames[:1], [{**meta[0], "transform": {"crop": [1, 1, 3, 3]}}])
    assert teacher.calls == 4
    lines = (cache.dir / "manifest.jsonl").read_text().splitlines()
    assert len(lines) == 4 and all(len(json.loads(x)["sha256"]) == 64 for x in lines)


def test_cache_recomputes_corrupted_entry(tmp_path):
    video, _, _ = _sidecar_video(tmp_path)
    frames = torch.zeros(1, 2, 2, 3, dtype=torch.uint8)
    meta = [{"path": video, "frame": 0}]
    teacher = _Counting()
    cache = TeacherCache(tmp_path / "c", teacher)
    cache(frames, meta)
    path = cache._file(cache.key(meta[0]))
    path.write_bytes(path.read_bytes()[:-1] + b"x")
    out = TeacherCache(tmp_path / "c", teacher)(frames, meta)
    assert teacher.calls == 2 and float(out["mean"][0]) == 0.0


def test_cache_misses_when_video_changes(tmp_path):
    video, _, _ = _sidecar_video(tmp_path)
    teacher = _Counting()
    cache = TeacherCache(tmp_path / "c", teacher)
    frames = torch.zeros(1, 2, 2, 3, dtype=torch.uint8)
    cache(frames, [{"path": video, "frame": 0}])
    video.write_bytes(b"a different, longer video file")
    cache(frames, [{"path": video, "frame": 0}])
    assert teacher.calls == 2
