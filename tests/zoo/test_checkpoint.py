import json

import pytest
import torch
from safetensors.torch import save_file

from ssvzoo.cli import main
from ssvzoo.errors import CheckpointError, RegistryError, ZooError
from ssvzoo.utils.io import sha256_file
from ssvzoo.zoo.backbones import create_backbone
from ssvzoo.zoo.checkpoint import (LoadReport, load_model, load_state_dict_checked,
                                   resolve_zoo_name, save_checkpoint)


def test_round_trip_gives_identical_embeddings(tmp_path, clip_for):
    torch.manual_seed(1)
    backbone = create_backbone("c3d-tiny").eval()
    out = save_checkpoint(tmp_path / "m", backbone, {"method": "vcop", "lr": 0.01})
    config = json.loads((out / "config.json").read_text())
    assert config["backbone"] == "c3d-tiny" and config["method"] == "vcop" and config["lr"] == 0.01
    assert config["input_spec"]["frames"] == 8 and "ssvzoo_version" in config
    assert config["weights_sha256"] == sha256_file(out / "model.safetensors")
    loaded = load_model(out)
    assert loaded.source == "local" and loaded.weights_sha256 == config["weights_sha256"]
    clip = clip_for("c3d-tiny")
    with torch.no_grad():
        assert torch.equal(loaded.backbone.embed(clip), backbone.embed(clip))
    # A .safetensors path with its sibling config.json works too.
    assert load_model(out / "model.safetensors").weights_sha256 == loaded.weights_sha256
    assert not list(out.glob("*.tmp"))


def test_random_is_seeded_and_traceable(clip_for):
    a, b = load_model("random:s3d-tiny@5"), load_model("random:s3d-tiny@5")
    c = load_model("random:s3d-tiny@6")
    assert a.model_id == "random:s3d-tiny@5" and a.source == "random"
    assert a.weights_sha256 == b.weights_sha256 != c.weights_sha256
    clip = clip_for("s3d-tiny")
    with torch.no_grad():
        assert torch.equal(a.backbone(clip), b.backbone(clip))
        assert not torch.equal(a.backbone(clip), c.backbone(clip))
    assert load_model("random:s3d-tiny").model_id == "random:s3d-tiny@0"


def test_random_weights_sha_equals_saved_file_sha(tmp_path):
    model = load_model("random:r21d_10-tiny@2")
    saved = save_checkpoint(tmp_path, model.backbone)
    assert sha256_file(saved / "model.safetensors") == model.weights_sha256


def _broken_state(module):
    state = dict(module.state_dict())
    first, second = list(state)[:2]
    state[first] = torch.zeros(3, 3)  # mis-shaped
    del state[second]  # missing
    state["extra.weight"] = torch.zeros(1)  # unexpected
    return state, first, second


def test_strict_load_raises_and_lists_problems():
    module = create_backbone("c3d-tiny")
    state, first, second = _broken_state(module)
    before = {k: v.clone() for k, v in module.state_dict().items()}
    with pytest.raises(CheckpointError) as err:
        load_state_dict_checked(module, state, strict=True, verbose=False)
    message = str(err.value)
    assert "\n" not in message
    assert "1 missing" in message and "1 unexpected" in message and "1 mis-shaped" in message
    assert second in message and "extra.weight" in message and first in message
    assert all(torch.equal(before[k], v) for k, v in module.state_dict().items())


def test_non_strict_loads_what_matches():
    module = create_backbone("c3d-tiny")
    donor = create_backbone("c3d-tiny")
    with torch.no_grad():
        for p in donor.parameters():
            p.fill_(0.5)
    state, first, second = _broken_state(donor)
    report = load_state_dict_checked(module, state, strict=False, verbose=False)
    assert isinstance(report, LoadReport) and not report.ok
    assert report.missing == [second]
    assert report.unexpected == ["extra.weight"]
    assert report.mismatched == [(first, tuple(module.state_dict()[first].shape), (3, 3))]
    loaded = module.state_dict()
    third = list(loaded)[2]
    assert torch.all(loaded[third] == 0.5)
    assert not torch.all(loaded[first] == 0.5)


def test_bad_folders_are_one_line_errors(tmp_path):
    with pytest.raises(CheckpointError, match="config.json is missing"):
        load_model(tmp_path)
    (tmp_path / "config.json").write_text("{not json")
    (tmp_path / "model.safetensors").write_bytes(b"garbage")
    with pytest.raises(CheckpointError, match="cannot read"):
        load_model(tmp_path)
    (tmp_path / "config.json").write_text(json.dumps({"backbone": "resnet9000", "backbone_kwargs": {}}))
    with pytest.raises(CheckpointError, match="unknown backbone 'resnet9000'"):
        load_model(tmp_path)
    (tmp_path / "config.json").write_text(json.dumps({"backbone": "c3d-tiny", "backbone_kwargs": {}}))
    with pytest.raises(CheckpointError, match="not a readable safetensors"):
        load_model(tmp_path)
    save_file({"w": torch.zeros(2)}, str(tmp_path / "model.safetensors"))
    with pytest.raises(CheckpointError, match="missing"):
        load_model(tmp_path)


def test_unknown_names():
    with pytest.raises(ZooError, match="random:<backbone>"):
        load_model("some-zoo-model")
    with pytest.raises(ZooError):
        resolve_zoo_name("vcop_r21d_10_ucf101")
    with pytest.raises(RegistryError, match="Did you mean"):
        load_model("random:r3d18")
    with pytest.raises(ZooError, match="seed"):
        load_model("random:r3d_18-tiny@x")
    with pytest.raises(CheckpointError, match="no such"):
        load_model("runs/none/last")


def test_cli_errors_exit_2(tmp_path, capsys):
    assert main(["zoo", "backbones", "r3d18"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: unknown backbone 'r3d18'") and err.count("\n") == 1
    assert main(["zoo", "inspect", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "config.json is missing" in err and err.count("\n") == 1


def test_cli_inspect_random(capsys):
    assert main(["zoo", "inspect", "random:c3d-tiny@1", "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["model_id"] == "random:c3d-tiny@1" and info["params"] > 0
