"""`ssvzoo eval` end to end on a tiny SynthActions, and every bad input -> exit 2, no record."""

import json
from pathlib import Path

import numpy as np
import pytest

from ssvzoo.cli import main
from ssvzoo.data.synth.generate import GENERATOR_VERSION
from ssvzoo.eval.records import load_records

MODEL = "random:r2plus1d_18-tiny"
FAST = ["--clips", "2", "--workers", "0", "--batch-size", "8"]


def run(args, capsys):
    code = main(["eval", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_retrieval_and_linear_write_valid_records(tiny_root, dirs, tmp_path, capsys):
    results, _ = dirs
    out = tmp_path / "out.json"
    code, stdout, err = run(["--model", MODEL, "--dataset", "synthactions", "--root",
                             str(tiny_root), "--protocol", "retrieval,linear", "--split", "1",
                             "--device", "cpu", "--out", str(out), *FAST], capsys)
    assert code == 0, err
    records = load_records(out)
    assert [r["protocol"]["name"] for r in records] == ["retrieval", "linear"]
    retrieval, linear = records
    assert set(retrieval["metrics"]) == {"R@1", "R@5", "R@10", "R@20", "mAP"}
    assert set(linear["metrics"]) == {"top1", "top5"}
    assert retrieval["dataset"] == {"name": "synthactions", "split": 1, "num_train": 12,
                                    "num_test": 12, "num_classes": 3}
    assert retrieval["model"]["id"] == MODEL + "@0" and retrieval["model"]["params"] > 0
    params = retrieval["protocol"]["params"]
    assert params["clips"] == 2 and params["crops"] == 1 and params["level"] == "video"
    # a 64-px -tiny model: short side 128 -> crop 112 scaled to 73 -> 64; frames and stride
    # come from its input spec
    assert (params["crop"], params["resize"], params["frames"], params["stride"]) == (64, 73, 8, 4)
    assert params["dataset_version"].startswith(f"g{GENERATOR_VERSION}-")  # generated data is versioned
    # R@20 over a 12-video gallery clamps to the gallery: every query finds its class.
    assert retrieval["metrics"]["R@20"] == 100.0
    assert "C" in linear["protocol"]["params"]["classifier"]["objective"]
    assert len(list(results.glob("*.json"))) == 2
    assert "ssvzoo eval: random:r2plus1d_18-tiny@0" in stdout and retrieval["fingerprint"] in stdout

    # Same inputs again: the features come from the cache (the screen says so), same numbers
    # and fingerprint; more clips make another fingerprint.
    again = tmp_path / "again.json"
    code, stdout, _ = run(["--model", MODEL, "--dataset", "synthactions", "--root",
                           str(tiny_root), "--protocol", "retrieval", "--out", str(again),
                           *FAST], capsys)
    assert code == 0 and "reusing cache" in stdout
    (second,) = load_records(again)
    assert second["fingerprint"] == retrieval["fingerprint"]
    assert second["metrics"] == retrieval["metrics"]
    more = tmp_path / "more.json"
    assert run(["--model", MODEL, "--dataset", "synthactions", "--root", str(tiny_root),
                "--protocol", "retrieval", "--out", str(more), *FAST, "--clips", "3"],
               capsys)[0] == 0
    assert load_records(more)[0]["fingerprint"] != retrieval["fingerprint"]


def test_clip_level_variant_and_features_out(tiny_root, dirs, tmp_path, capsys):
    out, feats = tmp_path / "r.json", tmp_path / "feats"
    code, _, err = run(["--model", MODEL, "--dataset", "synthactions", "--root", str(tiny_root),
                        "--protocol", "retrieval", "--clip-level", "--variant", "coclr",
                        "--features-out", str(feats), "--out", str(out), *FAST], capsys)
    assert code == 0, err
    (record,) = load_records(out)
    params = record["protocol"]["params"]
    assert params["level"] == "clip" and params["variant"] == "coclr"
    assert params["center"] == "gallery_mean"
    test_dir = feats / "synthactions" / "split1" / "test"
    index = json.loads((test_dir / "index.json").read_text())
    assert len(index["videos"]) == 12
    assert len(index["videos"][0]["clip_start_frames"]) == 2
    assert (test_dir / "index.csv").read_text().count("\n") == 13
    assert np.load(test_dir / "clip_embeddings.npy").shape[:2] == (12, 2)
    assert np.load(test_dir / "video_embeddings.npy").shape[0] == 12


def test_unreadable_video_is_skipped_and_listed(broken_root, dirs, tmp_path, capsys):
    root, bad = broken_root
    out = tmp_path / "r.json"
    code, stdout, err = run(["--model", MODEL, "--dataset", "synthactions", "--root", str(root),
                             "--protocol", "retrieval", "--out", str(out), *FAST], capsys)
    assert code == 0, err
    (record,) = load_records(out)
    assert record["skipped_videos"] == [bad]
    assert record["dataset"]["num_train"] == 11
    assert "1 unreadable" in stdout


def test_finetune_one_epoch_then_resume(tiny_root, dirs, tmp_path, capsys):
    out = tmp_path / "ft.json"
    args = ["--model", MODEL, "--dataset", "synthactions", "--root", str(tiny_root),
            "--protocol", "finetune", "--epochs", "1", "--ft-batch-size", "4",
            "--ft-set", "color_jitter=0", "--ft-set", "val_fraction=0.25", "--out", str(out),
            *FAST]
    code, _, err = run(args, capsys)
    assert code == 0, err
    (record,) = load_records(out)
    assert set(record["metrics"]) == {"top1", "top5"}
    params = record["protocol"]["params"]
    assert params["crops"] == 3 and params["clips"] == 2  # test: K clips x 3 crops
    recipe = params["recipe"]
    assert recipe["epochs"] == 1 and recipe["batch_size"] == 4 and recipe["dropout"] == 0.3
    assert recipe["lr"] == pytest.approx(4e-4)  # 1e-4 x batch (UCF101-style default)
    assert recipe["weight_decay"] == 0.003 and recipe["color_jitter"] == 0
    assert record["details"]["epochs_done"] == 1
    assert record["dataset"]["num_train"] == 12  # 9 trained on + 3 held out for best/
    checkpoints = Path(record["details"]["checkpoint_dir"])
    assert (checkpoints / "last" / "model.safetensors").is_file()
    assert (checkpoints / "best" / "model.safetensors").is_file()

    # --resume finds the finished run: nothing is trained again, the same model is tested.
    code, _, err = run([*args, "--resume"], capsys)
    assert code == 0, err
    (again,) = load_records(out)
    assert again["metrics"] == record["metrics"]
    assert again["details"]["checkpoint_dir"] == str(checkpoints)
    assert recipe["optimizer"] == "sgd"  # CSVR's default

    # the optimiser used is the one recorded, and it is part of the fingerprint
    adamw_out = tmp_path / "ft_adamw.json"
    args = [a if a != str(out) else str(adamw_out) for a in args]
    code, _, err = run([*args, "--ft-set", "optimizer=adamw", "--lr", "0.001"], capsys)
    assert code == 0, err
    (adamw,) = load_records(adamw_out)
    assert adamw["protocol"]["params"]["recipe"]["optimizer"] == "adamw"
    assert adamw["fingerprint"] != record["fingerprint"]


def test_split_all_aggregates(tiny_root, dirs, tmp_path, capsys):
    """UCF101's reader over a root with its own 3 split files: 3 records + mean/std record."""
    import shutil

    root = tmp_path / "ucf"
    shutil.copytree(tiny_root, root)
    train, test = (root / "trainlist01.txt").read_text(), (root / "testlist01.txt").read_text()
    for s in (2, 3):  # other splits: train and test swapped (labels from the folder names)
        (root / f"trainlist0{s}.txt").write_text(test)
        (root / f"testlist0{s}.txt").write_text(train)
    out = tmp_path / "all.json"
    code, stdout, err = run(["--model", MODEL, "--dataset", "ucf101", "--root", str(root),
                             "--protocol", "retrieval", "--split", "all", "--out", str(out),
                             *FAST, "--clips", "1"], capsys)
    assert code == 0, err
    records = load_records(out)
    assert [r["dataset"]["split"] for r in records] == [1, 2, 3, "all"]
    agg = records[-1]
    values = [r["metrics"]["R@1"] for r in records[:3]]
    assert agg["metrics"]["R@1"] == pytest.approx(np.mean(values), abs=1e-3)
    assert agg["metrics"]["R@1_std"] == pytest.approx(np.std(values), abs=1e-3)
    assert agg["aggregate"]["fingerprints"] == [r["fingerprint"] for r in records[:3]]
    assert len({r["fingerprint"] for r in records}) == 4


@pytest.fixture
def mismatched_checkpoint(tmp_path):
    """A checkpoint folder whose weights are r3d_18-tiny's but whose config says r2plus1d."""
    from ssvzoo.zoo.backbones import create_backbone
    from ssvzoo.zoo.checkpoint import save_checkpoint

    folder = tmp_path / "ckpt"
    save_checkpoint(folder, create_backbone("r3d_18-tiny"), {"method": "scratch"})
    config = json.loads((folder / "config.json").read_text())
    config["backbone"] = "r2plus1d_18-tiny"
    config["backbone_kwargs"] = {**config["backbone_kwargs"], "conv": "2plus1d"}
    (folder / "config.json").write_text(json.dumps(config))
    return folder


@pytest.fixture
def empty_train_root(tiny_root, tmp_path):
    import shutil

    root = tmp_path / "empty"
    shutil.copytree(tiny_root, root)
    (root / "trainlist01.txt").write_text("")
    return root


@pytest.mark.parametrize("case", ["missing_root", "split_7", "split_2", "unknown_model",
                                  "unknown_protocol", "unknown_dataset", "bad_crops",
                                  "bad_variant", "bad_ft_field", "mismatched_checkpoint",
                                  "empty_train", "zero_batch", "out_under_a_file"])
def test_bad_input_is_one_line_exit_2_and_no_record(case, tiny_root, dirs, tmp_path, capsys,
                                                    request):
    results, _ = dirs
    out = tmp_path / "never.json"
    args = {"model": MODEL, "dataset": "synthactions", "root": str(tiny_root),
            "protocol": "retrieval", "split": "1", "crops": "1"}
    if case == "missing_root":
        args["root"] = str(tmp_path / "nowhere")
    elif case == "split_7":
        args["split"] = "7"
    elif case == "split_2":
        args["split"] = "2"  # SynthActions has one split
    elif case == "unknown_model":
        args["model"] = "no-such-model"
    elif case == "unknown_protocol":
        args["protocol"] = "retrieval,knn"
    elif case == "unknown_dataset":
        args["dataset"] = "ucf102"
    elif case == "bad_crops":
        args["crops"] = "5"
    elif case == "bad_variant":
        args["variant"] = "dino"
    elif case == "bad_ft_field":
        args["protocol"], args["ft-set"] = "linear,finetune", "warmup=3"
    elif case == "mismatched_checkpoint":
        args["model"] = str(request.getfixturevalue("mismatched_checkpoint"))
    elif case == "empty_train":
        args["root"] = str(request.getfixturevalue("empty_train_root"))
    elif case == "out_under_a_file":
        (tmp_path / "a_file").write_text("x")
        out = tmp_path / "a_file" / "r.json"  # refused before any work, not after
    argv = [x for k, v in args.items() for x in (f"--{k}", v)]
    last = ["--batch-size", "0"] if case == "zero_batch" else []  # after FAST's batch size
    code, _, err = run([*argv, "--out", str(out), *FAST, *last], capsys)
    assert code == 2
    assert err.startswith("error:") and len(err.strip().splitlines()) == 1, err
    assert "Traceback" not in err
    assert not out.exists()
    assert not results.exists() or not list(results.iterdir())
