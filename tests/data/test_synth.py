"""SynthActions: layout, determinism, sidecars, rasteriser, motion statistics, CLI errors."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import numpy as np
import pytest

from ssvzoo.cli import main
from ssvzoo.data.decode import Video, probe
from ssvzoo.data.synth.actions import ACTION_NAMES, ACTIONS, clap
from ssvzoo.data.synth.generate import MANIFEST, generate, group_layout
from ssvzoo.data.synth.render import (draw_figure, polygon_inside_distance,
                                      segment_distance)
from ssvzoo.data.synth.scene import STYLES, render_video
from ssvzoo.data.synth.skeleton import (JOINT_NAMES, PART_NAMES, Body, J, forward_kinematics,
                                        neutral_pose)
from ssvzoo.errors import SsvzooError

TINY = dict(classes=3, videos_per_class=3, size=48, frames=16, progress=False)


@pytest.fixture(scope="module")
def synth_root(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("synth") / "out"
    generate(root, workers=1, seed=3, **TINY)
    return root


def _lines(path: Path) -> list[str]:
    return [line for line in path.read_text("utf-8").splitlines() if line.strip()]


def test_group_layout_hand_worked():
    layout, test_groups = group_layout(40, 0.25)
    assert len(layout) == 40 and layout[:6] == [(1, 1), (1, 2), (1, 3), (1, 4), (1, 5), (2, 1)]
    assert max(g for g, _ in layout) == 8 and test_groups == 2
    assert group_layout(2, 0.25) == ([(1, 1), (2, 1)], 1)
    assert group_layout(7, 0.25) == ([(1, 1), (1, 2), (1, 3), (1, 4), (2, 1), (2, 2), (2, 3)], 1)


def test_layout_and_split_files(synth_root):
    classes = [line.split() for line in _lines(synth_root / "classInd.txt")]
    assert classes == [["1", "WalkLeft"], ["2", "WalkRight"], ["3", "Run"]]
    train = [line.split() for line in _lines(synth_root / "trainlist01.txt")]
    test = [line.split() for line in _lines(synth_root / "testlist01.txt")]
    assert all(len(row) == 2 for row in train) and all(len(row) == 1 for row in test)
    assert len(train) + len(test) == 9
    group = lambda rel: rel.split("_g")[1][:2]  # noqa: E731
    assert {group(r[0]) for r in train}.isdisjoint({group(r[0]) for r in test})
    for rows in (train, test):
        assert {r[0].split("/")[0] for r in rows} == {"WalkLeft", "WalkRight", "Run"}
    for rel, label in train:
        name = rel.split("/")[0]
        assert rel == f"{name}/{Path(rel).name}" and Path(rel).name.startswith(f"v_{name}_g")
        assert int(label) == ACTION_NAMES.index(name) + 1
    for rel in [r[0] for r in train + test]:
        assert (synth_root / rel).is_file() and (synth_root / rel).with_suffix(".npz").is_file()
    manifest = json.loads((synth_root / MANIFEST).read_text())
    assert manifest["class_names"] == ["WalkLeft", "WalkRight", "Run"]
    assert manifest["counts"] == {"train": len(train), "test": len(test), "videos": 9}
    assert manifest["config"]["seed"] == 3
    assert not list(synth_root.rglob("*.tmp")), "atomic writes leave no temp files"


def test_ucf101_style_loader_reads_it(synth_root):
    from ssvzoo.data.datasets import create_dataset

    train = create_dataset("synthactions", synth_root, split=1, subset="train")
    test = create_dataset("synthactions", synth_root, split=1, subset="test")
    assert train.classes == ["WalkLeft", "WalkRight", "Run"]
    assert len(train) + len(test) == 9 and not train.missing and not test.missing
    assert sorted({r.label for r in test.records}) == [0, 1, 2]


def test_video_decodes_with_keyframes(synth_root):
    path = next(synth_root.glob("Run/*.mp4"))
    info = probe(path)
    assert (info.num_frames, info.width, info.height) == (16, 48, 48)
    assert info.keyframes == [0, 8]  # GOP 8
    frames = Video(path).frames(list(range(16)))
    assert frames.shape == (16, 48, 48, 3) and frames.dtype == np.uint8


def test_npz_sidecar_content(synth_root):
    for npz in sorted(synth_root.glob("*/*.npz")):
        with np.load(npz, allow_pickle=False) as data:
            parts, joints, visible = data["parts"], data["joints"], data["visible"]
            assert parts.shape == (16, 48, 48) and parts.dtype == np.uint8
            assert joints.shape == (16, len(JOINT_NAMES), 2) and joints.dtype == np.float32
            assert visible.shape == (16, len(JOINT_NAMES)) and visible.dtype == bool
            assert list(data["joint_names"]) == list(JOINT_NAMES) and len(JOINT_NAMES) >= 13
            assert list(data["part_names"]) == list(PART_NAMES) and PART_NAMES[0] == "background"
        ids = np.unique(parts)
        assert 0 in ids and len(ids) >= 7 and ids.max() < len(PART_NAMES)
        assert visible.mean() > 0.8
        inside = ((joints >= 0) & (joints < 48)).all(-1)
        assert np.array_equal(inside, visible)


@pytest.fixture(scope="module")
def synth_root_two_workers(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("synth2") / "out"
    generate(root, workers=2, seed=3, **TINY)
    return root


def test_same_seed_same_npz_for_any_worker_count(synth_root, synth_root_two_workers):
    rels = _lines(synth_root / "testlist01.txt") + [
        line.split()[0] for line in _lines(synth_root / "trainlist01.txt")]
    assert len(rels) == 9
    for rel in rels:
        a, b = synth_root / rel, synth_root_two_workers / rel
        with np.load(a.with_suffix(".npz")) as x, np.load(b.with_suffix(".npz")) as y:
            for key in ("parts", "joints", "visible"):
                assert np.array_equal(x[key], y[key])
    same = render_video(0, 0, 1, 48, 16, 25.0, seed=3)
    assert np.array_equal(same.frames, render_video(0, 0, 1, 48, 16, 25.0, seed=3).frames)
    other = render_video(0, 0, 1, 48, 16, 25.0, seed=4)
    assert not np.array_equal(other.joints, same.joints)


def test_same_seed_same_decoded_frames(synth_root, synth_root_two_workers):
    for path in sorted(synth_root.glob("*/*.mp4")):
        other = synth_root_two_workers / path.relative_to(synth_root)
        assert np.array_equal(Video(path).frames(list(range(16))),
                              Video(other).frames(list(range(16))))


def test_regenerate_replaces_previous_output(synth_root, tmp_path):
    out = tmp_path / "re"
    generate(out, workers=1, seed=0, **TINY)
    generate(out, workers=1, seed=0, **{**TINY, "classes": 2})
    assert not (out / "Run").exists()
    assert sorted(p.name for p in out.iterdir()) == sorted(
        ["WalkLeft", "WalkRight", "classInd.txt", "trainlist01.txt", "testlist01.txt", MANIFEST])


def test_refuses_foreign_non_empty_folder(tmp_path):
    (tmp_path / "mine.txt").write_text("keep me")
    with pytest.raises(SsvzooError, match="--force"):
        generate(tmp_path, **TINY)
    generate(tmp_path, force=True, workers=1, **{**TINY, "classes": 2, "videos_per_class": 2})
    assert (tmp_path / "mine.txt").read_text() == "keep me"
    assert len(_lines(tmp_path / "testlist01.txt")) == 2


def test_segment_and_polygon_distance_hand_worked():
    x, y = np.array([2.0, 6.0]), np.array([0.0, 3.0])
    d = segment_distance(x, y, np.array([[0.0, 0.0]]), np.array([[4.0, 0.0]]))
    # rows are y, columns x: (2,0) on the segment, (6,0) 2 past its end, (2,3) 3 below it,
    # (6,3) sqrt(2^2 + 3^2) from the end point (4,0)
    assert d.shape == (1, 2, 2)
    assert d[0].ravel().tolist() == pytest.approx([0.0, 2.0, 3.0, float(np.hypot(2, 3))])
    square = np.array([[0.0, 0.0], [4.0, 0.0], [4.0, 4.0], [0.0, 4.0]])
    inside = polygon_inside_distance(np.array([2.0, 1.0, 5.0]), np.array([2.0]), square)
    assert inside[0].tolist() == pytest.approx([2.0, 1.0, -1.0])
    assert polygon_inside_distance(np.array([2.0]), np.array([2.0]), square[::-1])[0, 0] == 2.0


def test_forward_kinematics_neutral_standing():
    body = Body()
    pose = {k: np.zeros(1) for k in neutral_pose(1)}  # every angle 0: limbs straight down
    joints = forward_kinematics(pose, body)[0]
    assert joints[J["pelvis"]].tolist() == [0.0, 0.0]
    assert joints[J["head"]].tolist() == pytest.approx([0.0, -(0.30 + 0.04 + 0.07)])
    assert joints[J["l_ankle"]].tolist() == pytest.approx([-0.055, 0.49])
    assert joints[J["r_wrist"]].tolist() == pytest.approx([0.09, -0.30 + 0.17 + 0.16])


def test_clap_hands_meet():
    body = Body()
    rng = np.random.default_rng(0)
    motion = clap(np.array([0.0, 0.5]), np.zeros(2), rng, body)  # q = 0: hands together
    joints = forward_kinematics(motion.pose, body)
    gap = np.linalg.norm(joints[:, J["l_wrist"]] - joints[:, J["r_wrist"]], axis=-1)
    assert gap[0] < 0.03 and gap[1] > 0.2


def test_part_map_agrees_with_painted_colours():
    body = Body()
    pose = neutral_pose(2)
    pose["r_arm"][1] = 2.5  # second frame: right arm raised
    joints = forward_kinematics(pose, body)
    joints[..., 1] += 0.5
    joints = joints * 80 + np.array([48.0, 8.0])  # 80 px per body height, inside 96x96
    frames = np.zeros((2, 96, 96, 3), np.float32)
    parts = np.zeros((2, 96, 96), np.uint8)
    colours = np.arange(len(PART_NAMES) * 3, dtype=np.float32).reshape(-1, 3) * 7 + 10
    draw_figure(frames, parts, joints, body, 80.0, colours)
    assert set(np.unique(parts)) == set(range(len(PART_NAMES)))
    for t in range(2):
        for k in range(1, len(PART_NAMES)):
            # on black, a pixel labelled k is colour k scaled by its coverage (at least half)
            pixels = frames[t][parts[t] == k]
            alpha = pixels[:, 0] / colours[k, 0]
            assert np.allclose(pixels, alpha[:, None] * colours[k], atol=1e-3)
            assert alpha.min() >= 0.5 - 1e-6 and alpha.max() == pytest.approx(1.0)
        assert (frames[t][parts[t] == 0].max(-1) <= colours.max()).all()
        far = np.ones((96, 96), bool)
        far[max(0, int(joints[t, :, 1].min()) - 6):, :] = False  # rows above the head
        assert (frames[t][far] == 0).all()


def test_figure_moves_and_classes_differ_in_motion():
    def pelvis_velocity(class_index: int, video: int) -> float:
        joints = render_video(class_index, video, 1, 48, 24, 25.0, seed=0).joints
        return float(np.diff(joints[:, J["pelvis"], 0]).mean())

    for c in range(len(ACTIONS)):
        joints = render_video(c, 0, 1, 48, 24, 25.0, seed=0).joints
        speed = np.abs(np.diff(joints, axis=0)).mean(0).max()  # px/frame of the busiest joint
        assert speed > 0.2, ACTIONS[c].name
    for video in range(4):
        assert pelvis_velocity(ACTION_NAMES.index("WalkLeft"), video) < -0.05
        assert pelvis_velocity(ACTION_NAMES.index("WalkRight"), video) > 0.05
    spin = render_video(ACTION_NAMES.index("Spin"), 0, 1, 48, 64, 25.0, seed=0).joints
    width = spin[:, J["r_shoulder"], 0] - spin[:, J["l_shoulder"], 0]
    assert width.min() < 0 < width.max()  # a full turn shows the figure from both sides


@pytest.mark.parametrize("args, message", [
    (["--classes", "1"], "--classes"),
    (["--classes", str(len(ACTIONS) + 1)], "--classes"),
    (["--size", "16"], "--size"),
    (["--frames", "4"], "--frames"),
    (["--videos-per-class", "1"], "--videos-per-class"),
    (["--workers", "0"], "--workers"),
])
def test_cli_bad_values_exit_2(tmp_path, capsys, args, message):
    assert main(["data", "synth", "--out", str(tmp_path / "o"), *args]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error:") and message in err and len(err.splitlines()) == 1
    assert not (tmp_path / "o").exists()


def test_cli_generates_and_refuses_foreign_folder(tmp_path, capsys):
    out = tmp_path / "cli"
    argv = ["data", "synth", "--out", str(out), "--classes", "2", "--videos-per-class", "2",
            "--size", "32", "--frames", "8", "--workers", "1"]
    assert main(argv) == 0
    assert "SynthActions" in capsys.readouterr().out
    assert len(_lines(out / "trainlist01.txt")) == 2
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "x").write_text("x")
    assert main([*argv[:3], str(tmp_path / "other")]) == 2
    assert "--force" in capsys.readouterr().err


def test_blur_hand_worked():
    from ssvzoo.data.synth.render import blur

    frames = np.zeros((1, 5, 5, 1), np.float32)
    frames[0, 2, 2, 0] = 16.0
    out = blur(frames)[0, 1:4, 1:4, 0]  # [1, 2, 1] / 4 in each direction
    assert out.ravel().tolist() == pytest.approx([1, 2, 1, 2, 4, 2, 1, 2, 1])


def test_clean_style_background_is_flat_and_cluttered_is_not():
    def background_spread(class_index, style):
        # median absolute deviation of the pixels outside the figure (robust to the soft edge)
        video = render_video(class_index, 0, 1, 48, 16, 25.0, seed=0, style=STYLES[style])
        bg = video.frames[video.parts == 0].astype(np.float32)
        return float(np.median(np.abs(bg - np.median(bg, 0)), 0).mean())

    clean = [background_spread(c, "clean") for c in range(3)]
    cluttered = [background_spread(c, "cluttered") for c in range(3)]
    assert max(clean) <= 1.0  # a flat colour plus sensor noise of std <= 2
    assert sum(cluttered) > 2 * sum(clean)
    for c in range(6):  # clean backgrounds are greys, lightly tinted
        video = render_video(c, 0, 1, 48, 8, 25.0, seed=1, style=STYLES["clean"])
        colour = np.median(video.frames[video.parts == 0].astype(np.float32), 0)
        assert colour.max() - colour.min() < 50


def test_clean_style_draws_colours_per_video_cluttered_per_actor():
    def torso_colour(class_index, style):
        video = render_video(class_index, 0, 1, 48, 8, 25.0, seed=0, style=STYLES[style])
        return video.frames[video.parts == PART_NAMES.index("torso")].astype(np.float32).mean(0)

    # class 0 and class 1, same group (so the same actor): per-actor colours stay within the
    # per-video jitter, per-video colours are drawn anew
    same_actor = np.abs(torso_colour(0, "cluttered") - torso_colour(1, "cluttered")).max()
    fresh = np.abs(torso_colour(0, "clean") - torso_colour(1, "clean")).max()
    assert same_actor < 50 and fresh > same_actor


def test_uniform_style_dresses_every_figure_in_the_palette():
    from ssvzoo.data.synth.scene import PALETTE

    def part_colour(class_index, group, part):
        video = render_video(class_index, 0, group, 48, 8, 25.0, seed=0, style=STYLES["uniform"])
        return video.frames[video.parts == PART_NAMES.index(part)].astype(np.float32).mean(0)

    # other actors, other classes: the same colour per part, up to the per-video jitter
    for part in ("torso", "l_upper_leg"):
        a, b = part_colour(0, 1, part), part_colour(3, 2, part)
        assert np.abs(a - b).max() < 40
        assert np.abs(a - PALETTE[PART_NAMES.index(part)]).max() < 40
    hues = {tuple(np.round(c)) for c in PALETTE[1:]}
    assert len(hues) == len(PART_NAMES) - 1  # every part its own colour


def test_style_is_recorded_and_unknown_style_is_one_line_error(synth_root, tmp_path, capsys):
    manifest = json.loads((synth_root / MANIFEST).read_text())
    assert manifest["config"]["style"] == "clean"
    assert manifest["scene_style"] == json.loads(json.dumps(asdict(STYLES["clean"])))
    assert main(["data", "synth", "--out", str(tmp_path / "x"), "--style", "foggy"]) == 2
    err = capsys.readouterr().err
    assert "--style must be one of clean, uniform, cluttered, motion" in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "x").exists()


def _arm_up(pose: dict[str, np.ndarray]) -> bool:
    return bool(max(np.abs(pose["l_arm"]).max(), np.abs(pose["r_arm"]).max()) > 2.0)


def test_motion_style_run_is_the_walk_gait_and_only_tempo_tells():
    body = Body.random(np.random.default_rng(0))
    walk, run = ACTIONS[ACTION_NAMES.index("WalkLeft")], ACTIONS[ACTION_NAMES.index("Run")]
    phase, secs = np.linspace(0.1, 2.3, 20), np.arange(20) / 25.0
    for seed in range(5):
        walked = walk.fn(phase, secs, np.random.default_rng(seed), body)
        ran = run.shared_fn(phase, secs, np.random.default_rng(seed), body)
        for name, angles in walked.pose.items():  # same draws, same poses
            assert np.array_equal(angles, ran.pose[name]), name
    # the classes' tempos do not overlap, so a clip tells them apart
    assert walk.freq[1] < run.freq[0]
    # without shared poses Run keeps its wider gait: some amplitudes beyond any walk's
    amp = [np.abs(run.motion(phase, secs, np.random.default_rng(s), body).pose["l_leg"]).max()
           for s in range(40)]
    assert max(amp) > 0.65


def test_motion_style_holds_an_arm_up_in_half_the_arm_free_videos():
    body = Body.random(np.random.default_rng(0))
    phase, secs = np.linspace(0.0, 1.5, 16), np.arange(16) / 25.0

    def share_up(name: str, shared: bool) -> float:
        action = ACTIONS[ACTION_NAMES.index(name)]
        return np.mean([_arm_up(action.motion(phase, secs, np.random.default_rng(s), body, shared).pose)
                        for s in range(300)])

    for name in ("WalkRight", "Squat", "Run"):
        assert share_up(name, False) == 0.0
        assert 0.4 < share_up(name, True) < 0.6, name
    assert share_up("WaveOneHand", True) == share_up("WaveOneHand", False) == 1.0
    # the held arm is frozen: still over the whole video, unlike the wave
    held = next(m for s in range(20) if _arm_up((m := ACTIONS[ACTION_NAMES.index("Squat")].motion(
        phase, secs, np.random.default_rng(s), body, True)).pose))
    side = "l" if np.abs(held.pose["l_arm"]).max() > 2.0 else "r"
    assert np.ptp(held.pose[f"{side}_arm"]) == 0 and np.ptp(held.pose[f"{side}_elbow"]) == 0
    wave = ACTIONS[ACTION_NAMES.index("WaveOneHand")].motion(phase, secs, np.random.default_rng(0), body)
    assert max(np.ptp(wave.pose["l_elbow"]), np.ptp(wave.pose["r_elbow"])) > 0.3
