import json

import pytest
from torch import nn

from ssvzoo.cli import main
from ssvzoo.zoo.backbones import create_backbone
from ssvzoo.zoo.profile import count_flops, count_params, gflops


def test_hand_worked_conv_count():
    # Conv3d 3->4, kernel 3x3x3, padding 1 on a 2x4x4 clip: 4*2*4*4 = 128 outputs,
    # each 3*27 = 81 multiply-adds -> 10368 MACs = 20736 FLOPs. BN/ReLU are not counted.
    # Then Conv3d 4->2 1x1x1: 2*2*4*4 = 64 outputs x 4 MACs = 256 MACs = 512 FLOPs.
    net = nn.Sequential(nn.Conv3d(3, 4, 3, padding=1, bias=False), nn.BatchNorm3d(4), nn.ReLU(),
                        nn.Conv3d(4, 2, 1, bias=False))
    count = count_flops(net, frames=2, size=4)
    assert count.flops == 20736 + 512
    assert count.gmacs == pytest.approx((10368 + 256) / 1e9)
    assert count_params(net) == 3 * 4 * 27 + 8 + 4 * 2


def test_tiny_backbone_profile_positive():
    model = create_backbone("s3d-tiny")
    flops, macs = gflops(model, frames=8, size=64)
    assert flops > 0 and macs == pytest.approx(flops / 2)
    assert count_params(model) > 0
    assert model.training  # profiling restores the mode


def test_cli_backbones_json(capsys):
    assert main(["zoo", "backbones", "r21d_10", "r3d_18-tiny", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["name"] for r in rows] == ["r21d_10", "r3d_18-tiny"]
    assert rows[0]["embed_dim"] == 512 and rows[0]["gflops"] > 0 and "own_input" not in rows[0]
    assert rows[1]["own_input"]["gflops"] < rows[1]["gflops"]
    assert rows[0]["gmacs"] == pytest.approx(rows[0]["gflops"] / 2, abs=1e-3)
