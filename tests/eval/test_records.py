"""Result records: schema, fingerprint rule, --split all aggregate, atomic writes."""

import json

import pytest

from ssvzoo.errors import ConfigError
from ssvzoo.eval.records import (SCHEMA, aggregate_records, build_record, fingerprint,
                                 load_records, record_filename, validate_record, write_out_file,
                                 write_records)

MODEL = {"id": "random:r2plus1d_18-tiny", "weights_sha256": "ab" * 32,
         "backbone": "r2plus1d_18-tiny", "method": "scratch", "params": 1234, "gflops": 0.5}
PARAMS = {"clips": 10, "frames": 16, "resize": [128, 171], "crop": 112, "crops": 1,
          "feature": "gap", "variant": "default", "level": "video"}
PROVENANCE = {"ssvzoo_version": "0.1.0", "git_commit": None, "hardware": {"cpu": "x"}}


def make(split=1, metrics=None, params=PARAMS, model=MODEL):
    return build_record(model=model, protocol="retrieval", params=params,
                        dataset={"name": "synthactions", "split": split, "num_train": 30,
                                 "num_test": 10, "num_classes": 3},
                        metrics=metrics or {"R@1": 40.0, "mAP": 20.0}, seed=0,
                        skipped_videos=["b.mp4", "a.mp4"], wall_time_s=1.5,
                        provenance=PROVENANCE)


def test_record_has_the_schema_keys():
    r = make()
    assert r["schema"] == SCHEMA
    assert list(r)[:11] == ["schema", "model", "dataset", "protocol", "fingerprint", "metrics",
                            "seed", "skipped_videos", "provenance", "wall_time_s", "date"]
    assert r["skipped_videos"] == ["a.mp4", "b.mp4"]
    assert len(r["fingerprint"]) == 12
    json.dumps(r)  # JSON-able


def test_fingerprint_stable_and_model_free():
    a = make()
    b = make(model={**MODEL, "id": "other", "weights_sha256": "cd" * 32})
    assert a["fingerprint"] == b["fingerprint"]  # the model is not part of it
    assert a["fingerprint"] == fingerprint("synthactions", 1, "retrieval", dict(PARAMS))
    assert make(params={**PARAMS, "clips": 5})["fingerprint"] != a["fingerprint"]
    assert make(split=2)["fingerprint"] != a["fingerprint"]
    # key order does not matter
    assert fingerprint("d", 1, "p", {"a": 1, "b": 2}) == fingerprint("d", 1, "p", {"b": 2, "a": 1})


@pytest.mark.parametrize("mutate, message", [
    (lambda r: r.pop("seed"), "missing keys"),
    (lambda r: r.update(schema="other/1"), "schema"),
    (lambda r: r["metrics"].update({"accuracy": 1.0}), "unknown metric"),
    (lambda r: r["metrics"].update({"R@1": 140.0}), "percentage"),
    (lambda r: r["protocol"]["params"].update(clips=3), "fingerprint"),
    (lambda r: r["protocol"]["params"].update(level="frame"), "level"),
    (lambda r: r["dataset"].update(split=0), "split"),
    (lambda r: r.update(extra=1), "unknown keys"),
])
def test_validation_rejects(mutate, message):
    r = make()
    mutate(r)
    with pytest.raises(ConfigError, match=message):
        validate_record(r)


def test_aggregate_mean_and_std():
    records = [make(split=s, metrics={"R@1": v, "mAP": 10.0}) for s, v in
               ((1, 40.0), (2, 50.0), (3, 60.0))]
    agg = aggregate_records(records)
    assert agg["dataset"]["split"] == "all"
    assert agg["metrics"]["R@1"] == pytest.approx(50.0)
    assert agg["metrics"]["R@1_std"] == pytest.approx((200 / 3) ** 0.5, abs=1e-4)  # 4 decimals
    assert agg["metrics"]["mAP_std"] == pytest.approx(0.0)
    assert agg["aggregate"]["splits"] == [1, 2, 3]
    assert agg["fingerprint"] == fingerprint("synthactions", "all", "retrieval", PARAMS)
    assert agg["dataset"]["num_train"] == [30, 30, 30]


def test_write_and_load(tmp_path):
    r1, r2 = make(), make(split=2)
    paths = write_records([r1, r2], results_dir=tmp_path / "res")
    assert [p.name for p in paths] == [record_filename(r1), record_filename(r2)]
    assert load_records(paths[0]) == [r1]
    out = write_out_file([r1], tmp_path / "one.json")
    assert json.loads(out.read_text())["fingerprint"] == r1["fingerprint"]
    write_out_file([r1, r2], tmp_path / "many.json")
    assert load_records(tmp_path / "many.json") == [r1, r2]
    assert not list(tmp_path.rglob("*.tmp"))


def test_invalid_record_is_never_written(tmp_path):
    bad = make()
    bad["metrics"]["R@1"] = float("nan")
    with pytest.raises(ConfigError):
        write_records([make(), bad], results_dir=tmp_path)
    assert not list(tmp_path.iterdir())


def test_generated_data_version_enters_the_fingerprint(tiny_root):
    """Two SynthActions folders from different generator settings never share a fingerprint."""
    import json

    from ssvzoo.data.datasets import DATASETS
    from ssvzoo.eval.records import fingerprint

    version = DATASETS.get("synthactions").version(tiny_root)
    assert version is not None and version.startswith("g")
    # read as UCF101, the folder's own (non-official) split files name a custom protocol
    assert DATASETS.get("ucf101").version(tiny_root).startswith("splits-")
    manifest = json.loads((tiny_root / "synthactions.json").read_text())
    other = dict(manifest, config=dict(manifest["config"], seed=manifest["config"]["seed"] + 1))
    from ssvzoo.utils.io import sha256_json

    assert sha256_json(other["config"])[:8] not in version
    params = {"clips": 10}
    assert (fingerprint("synthactions", 1, "retrieval", {**params, "dataset_version": version})
            != fingerprint("synthactions", 1, "retrieval", params))


def test_pretraining_summary_reads_train_and_finetune_checkpoints():
    from ssvzoo.eval.runner import pretraining_summary

    trained = {"method": "moco", "seed": 1, "epoch": 200, "global_step": 2600, "world_size": 1,
               "dataset": {"name": "synthactions", "version": "g3-523ae4ac", "num_train": 210},
               "train_config": {"batch_size": 16, "optimizer": "adamw", "lr": 0.001},
               "provenance": {"git_commit": "abc"}}
    assert pretraining_summary(trained) == {
        "method": "moco", "dataset": "synthactions", "dataset_version": "g3-523ae4ac",
        "num_videos": 210, "epochs": 200, "steps": 2600, "batch_size": 16, "world_size": 1,
        "optimizer": "adamw", "lr": 0.001, "seed": 1, "git_commit": "abc"}
    # a fine-tune checkpoint names its dataset as a string and says what it started from
    finetuned = {"method": "supervised", "dataset": "synthactions", "global_step": 390,
                 "init_model": "random:s3d-tiny@0"}
    assert pretraining_summary(finetuned) == {"method": "supervised", "dataset": "synthactions",
                                              "init_model": "random:s3d-tiny@0", "steps": 390}
    assert pretraining_summary({"method": "scratch"}) is None
    assert pretraining_summary({}) is None
