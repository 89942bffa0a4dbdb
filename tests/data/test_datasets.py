from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest
import torch
from torch.utils.data import DataLoader

from ssvzoo.data.datasets import (
    DATASETS,
    ClipSampleBuilder,
    FailedSample,
    collate_skip_failed,
    create_dataset,
)
from ssvzoo.data.encode import write_video
from ssvzoo.data.samplers import UniformClipSampler
from ssvzoo.data.transforms import ClipTransform
from ssvzoo.errors import DatasetError, RegistryError

# output value == input pixel value, so clips can be compared with the frames written
IDENTITY = ClipTransform([], mean=(0.0, 0.0, 0.0), std=(1 / 255,) * 3)


def identity_builder(clip_len=4, stride=2, num_clips=2):
    return ClipSampleBuilder(UniformClipSampler(clip_len, stride, num_clips), IDENTITY)


def as_frames(clips: torch.Tensor) -> np.ndarray:
    """(N, C, T, H, W) float -> (N, T, H, W, C) uint8."""
    return clips.permute(0, 2, 3, 4, 1).round().to(torch.uint8).numpy()


def test_registry_names():
    assert DATASETS.names() == ["hmdb51", "kinetics400", "ssv2", "synthactions", "ucf101"]
    with pytest.raises(RegistryError):
        create_dataset("ucf-101", ".")


@pytest.mark.parametrize("split,n_train,n_test", [(1, 9537, 3783), (2, 9586, 3734), (3, 9624, 3696)])
def test_ucf101_real_split_counts(tmp_path, split, n_train, n_test):
    train = create_dataset("ucf101", tmp_path, split=split, subset="train")
    test = create_dataset("ucf101", tmp_path, split=split, subset="test")
    assert len(train.classes) == 101 and train.classes[0] == "ApplyEyeMakeup"
    assert train.classes[-1] == "YoYo"
    # empty root: every listed video is reported missing, none indexed
    assert (len(train.records), len(train.missing)) == (0, n_train)
    assert (len(test.records), len(test.missing)) == (0, n_test)
    assert {r.label for r in train.missing} == set(range(101))
    assert not {r.video_id for r in train.missing} & {r.video_id for r in test.missing}


@pytest.mark.parametrize("split", [1, 2, 3])
def test_hmdb51_real_split_counts(tmp_path, split):
    train = create_dataset("hmdb51", tmp_path, split=split, subset="train")
    test = create_dataset("hmdb51", tmp_path, split=split, subset="test")
    assert len(train.classes) == 51 and train.classes == sorted(train.classes)
    assert (len(train.missing), len(test.missing)) == (3570, 1530)
    labels = np.bincount([r.label for r in train.missing])
    assert labels.tolist() == [70] * 51


def test_split_and_root_errors(tmp_path):
    with pytest.raises(DatasetError, match="split"):
        create_dataset("ucf101", tmp_path, split=4)
    with pytest.raises(DatasetError, match="split"):
        create_dataset("kinetics400", tmp_path, split=2)
    with pytest.raises(DatasetError, match="not a folder"):
        create_dataset("hmdb51", tmp_path / "nope")
    with pytest.raises(DatasetError, match="subset"):
        create_dataset("hmdb51", tmp_path, subset="val")
    with pytest.raises(DatasetError, match="ssvzoo data synth"):
        create_dataset("synthactions", tmp_path)


def test_ucf101_official_layout_indexes_only_listed(tmp_path, frames_of):
    # UCF-101/ subfolder as the archive unpacks; the quirky HandStandPushups file name
    rels = ["ApplyEyeMakeup/v_ApplyEyeMakeup_g08_c01.avi",
            "HandstandPushups/v_HandStandPushups_g08_c01.avi"]
    for k, rel in enumerate(rels):
        write_video(tmp_path / "UCF-101" / rel, frames_of(12, k), lossless=True)
    write_video(tmp_path / "UCF-101" / "YoYo" / "not_in_any_split.avi", frames_of(4), lossless=True)
    ds = create_dataset("ucf101", tmp_path, split=1, subset="train", sample_builder=identity_builder())
    assert [r.video_id for r in ds.records] == [Path(r).stem for r in rels]
    assert [ds.classes[r.label] for r in ds.records] == ["ApplyEyeMakeup", "HandstandPushups"]
    assert len(ds.missing) == 9537 - 2
    sample = ds[1]
    # 12 frames, 4x2 clips (span 7), K=2: starts 0 and 5
    assert sample["frame_indices"].tolist() == [[0, 2, 4, 6], [5, 7, 9, 11]]
    np.testing.assert_array_equal(as_frames(sample["clips"]),
                                  frames_of(12, 1)[sample["frame_indices"].numpy()])


def test_synthactions_exact_frames_and_annotation_path(synth_root):
    root, written = synth_root
    ds = create_dataset("synthactions", root, subset="train", sample_builder=identity_builder())
    assert ds.classes == ["Walk", "Jump"] and len(ds) == 4 and ds.missing == []
    assert [r.label for r in ds.records] == [0, 0, 1, 1]
    for i, record in enumerate(ds.records):
        sample = ds[i]
        assert sample["clips"].shape == (2, 3, 4, 24, 32)
        assert sample["label"].item() == record.label and sample["index"].item() == i
        frames = written[record.path.relative_to(root).as_posix()]
        np.testing.assert_array_equal(as_frames(sample["clips"]),
                                      frames[sample["frame_indices"].numpy()])
    assert ds.annotation_path(ds.records[0]) == ds.records[0].path.with_suffix(".npz")
    test = create_dataset("synthactions", root, subset="test")
    assert len(test) == 2 and [r.label for r in test.records] == [0, 1]


def test_default_builders_and_reproducible_rng(synth_root):
    root, _ = synth_root
    train = create_dataset("synthactions", root, subset="train", seed=3)
    a, b = train[0], train[0]
    assert a["clips"].shape == (1, 3, 16, 112, 112)
    assert torch.equal(a["clips"], b["clips"])  # same (seed, epoch, index)
    train.set_epoch(1)
    assert not torch.equal(train[0]["clips"], a["clips"])
    test = create_dataset("synthactions", root, subset="test")
    assert test[0]["clips"].shape == (10, 3, 16, 112, 112)


def test_broken_video_is_a_failure_entry_not_a_crash(tmp_path, ucf_style_writer):
    root = tmp_path / "synth"
    ucf_style_writer(root, ["A", "B"], train_per_class=2, test_per_class=0, num_frames=10)
    bad = root / "B" / "v_B_g02_c01.mp4"
    bad.write_bytes(bad.read_bytes()[:300])  # truncated
    ds = create_dataset("synthactions", root, subset="train", sample_builder=identity_builder(2, 1, 1))
    item = ds[3]
    assert isinstance(item, FailedSample) and item.path == str(bad)
    assert 3 in ds.failures
    batches = list(DataLoader(ds, batch_size=4, collate_fn=collate_skip_failed))
    assert len(batches) == 1
    batch = batches[0]
    assert batch["clips"].shape == (3, 1, 3, 2, 24, 32)
    assert batch["index"].tolist() == [0, 1, 2] and batch["label"].tolist() == [0, 0, 1]
    assert batch["failed"] == [3] and batch["failed_paths"] == [str(bad)]
    assert collate_skip_failed([item]) == {"failed": [3], "failed_paths": [str(bad)]}


def test_hmdb51_layout(tmp_path, frames_of):
    # brush_hair split 1: first train video and first test video of the official list
    from ssvzoo.data.datasets.base import package_split_text

    lines = [ln.split() for ln in package_split_text("hmdb51", "brush_hair_test_split1.txt").splitlines()]
    train_name = next(v for v, s in lines if s == "1")
    test_name = next(v for v, s in lines if s == "2")
    write_video(tmp_path / "brush_hair" / train_name, frames_of(9, 5), lossless=True)
    write_video(tmp_path / "brush_hair" / test_name, frames_of(9, 6), lossless=True)
    train = create_dataset("hmdb51", tmp_path, subset="train", sample_builder=identity_builder(3, 1, 1))
    test = create_dataset("hmdb51", tmp_path, subset="test", sample_builder=identity_builder(3, 1, 1))
    assert [r.path.name for r in train.records] == [train_name]
    assert [r.path.name for r in test.records] == [test_name]
    assert train.records[0].label == 0  # brush_hair is first alphabetically
    # 9 frames, 3-frame centre clip: start (9 - 3) // 2 = 3
    np.testing.assert_array_equal(as_frames(test[0]["clips"])[0], frames_of(9, 6)[3:6])


def test_kinetics400_cvdf_layout(tmp_path, frames_of):
    ann = tmp_path / "annotations"
    ann.mkdir()
    rows = {"train": [("abseiling", "abc123", 10, 20), ("zumba", "zz_-9", 0, 10)],
            "val": [("air drumming", "q1", 5, 15)]}
    for subset, entries in rows.items():
        with open(ann / f"{subset}.csv", "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["label", "youtube_id", "time_start", "time_end", "split"])
            for label, yid, t0, t1 in entries:
                w.writerow([label, yid, t0, t1, subset])
    write_video(tmp_path / "train" / "abc123_000010_000020.mp4", frames_of(8, 1), lossless=True)
    write_video(tmp_path / "val" / "q1_000005_000015.mp4", frames_of(8, 2), lossless=True)
    train = create_dataset("kinetics400", tmp_path, subset="train", sample_builder=identity_builder(2, 1, 1))
    test = create_dataset("kinetics400", tmp_path, subset="test", sample_builder=identity_builder(2, 1, 1))
    assert len(train.classes) == 400
    assert [(r.video_id, r.label) for r in train.records] == [("abc123_000010_000020", 0)]
    assert [r.path.name for r in train.missing] == ["zz_-9_000000_000010.mp4"]
    assert train.missing[0].label == 399
    assert test.records[0].label == train.classes.index("air drumming")
    np.testing.assert_array_equal(as_frames(test[0]["clips"])[0], frames_of(8, 2)[3:5])
    (ann / "val.csv").write_text("label,youtube_id,time_start,time_end,split\nnot a class,x,0,10,val\n")
    with pytest.raises(DatasetError, match="not a Kinetics-400 class"):
        create_dataset("kinetics400", tmp_path, subset="test")


def test_ssv2_json_layout(tmp_path, frames_of):
    from ssvzoo.data.decode import read_clip

    labels = json.loads((Path(__file__).parents[2] / "data" / "splits" / "ssv2" /
                         "something-something-v2-labels.json").read_text())
    template = "Putting [something] next to [something]"
    assert template.replace("[", "").replace("]", "") in labels
    entries = {"train": [{"id": "101", "label": "putting a cup on a table", "template": template,
                          "placeholders": ["a cup", "a table"]}],
               "validation": [{"id": "202", "label": "x", "template": template, "placeholders": []},
                              {"id": "303", "label": "y", "template": template, "placeholders": []}]}
    for name, content in entries.items():
        (tmp_path / f"something-something-v2-{name}.json").write_text(json.dumps(content))
    video_dir = tmp_path / "20bn-something-something-v2"
    write_video(video_dir / "101.webm", frames_of(8, 1), codec="libvpx-vp9")
    write_video(video_dir / "202.webm", frames_of(8, 2), codec="libvpx-vp9")
    train = create_dataset("ssv2", tmp_path, subset="train", sample_builder=identity_builder(2, 1, 1))
    test = create_dataset("ssv2", tmp_path, subset="test", sample_builder=identity_builder(2, 1, 1))
    want = int(labels["Putting something next to something"])
    assert len(train.classes) == 174 and train.classes[want] == "Putting something next to something"
    assert [(r.video_id, r.label) for r in train.records] == [("101", want)]
    assert [r.video_id for r in test.records] == ["202"] and [r.video_id for r in test.missing] == ["303"]
    clip = as_frames(train[0]["clips"])[0]
    np.testing.assert_array_equal(clip, read_clip(video_dir / "101.webm", [3, 4]))


def test_malformed_kinetics_and_ssv2_annotations_are_one_line_errors(tmp_path):
    from ssvzoo.data.datasets import create_dataset
    from ssvzoo.errors import DatasetError

    k400 = tmp_path / "k400"
    (k400 / "annotations").mkdir(parents=True)
    (k400 / "annotations" / "train.csv").write_text("youtube_id,time_start,time_end\nabc,0,10\n")
    with pytest.raises(DatasetError, match="lacks the column"):
        create_dataset("kinetics400", k400)
    ssv2 = tmp_path / "ssv2"
    ssv2.mkdir()
    for content, needle in [('{"id": 1}', "JSON list"), ('[{"id": 1}]', "needs")]:
        (ssv2 / "something-something-v2-train.json").write_text(content)
        with pytest.raises(DatasetError, match=needle):
            create_dataset("ssv2", ssv2)


def test_ucf101_version_names_custom_split_files_only(tmp_path):
    from ssvzoo.data.datasets.base import package_split_text
    from ssvzoo.data.datasets.ucf101 import UCF101

    assert UCF101.version(tmp_path) is None  # no own files: the packaged official splits
    lists = tmp_path / "ucfTrainTestlist"
    lists.mkdir()
    for name in ("classInd.txt", "trainlist01.txt", "testlist01.txt"):
        # the archive's CRLF copy of the official files is still the official protocol
        text = package_split_text("ucf101", name).replace("\r\n", "\n").replace("\n", "\r\n")
        (lists / name).write_text(text, "utf-8", newline="")
    assert UCF101.version(tmp_path) is None
    train = (lists / "trainlist01.txt").read_text("utf-8").splitlines()
    (lists / "trainlist01.txt").write_text("\n".join(train[:-5]) + "\n", "utf-8")
    custom = UCF101.version(tmp_path)
    assert custom is not None and custom.startswith("splits-")
    (lists / "trainlist01.txt").write_text("\n".join(train[:-6]) + "\n", "utf-8")
    assert UCF101.version(tmp_path) not in (None, custom)
