"""FeatureQueue FIFO behaviour, heads and the momentum encoder, by hand."""

import pytest
import torch
from torch import nn

from ssvzoo.train.heads import ClassifierHead, ProjectionHead
from ssvzoo.train.momentum import MomentumEncoder
from ssvzoo.train.queue import FeatureQueue


def _queue(k=4):
    q = FeatureQueue(k, 1, normalize=False)
    q.keys.zero_()
    return q


def test_enqueue_wraps_around_and_returns_dropped():
    q = _queue()
    assert q.enqueue(torch.tensor([[1.0], [2.0], [3.0]])).flatten().tolist() == [0, 0, 0]
    assert int(q.ptr) == 3 and int(q.count) == 3
    dropped = q.enqueue(torch.tensor([[4.0], [5.0]]))  # slots 3 and 0 (wrap)
    assert dropped.flatten().tolist() == [0.0, 1.0]  # the oldest real key (1) leaves
    assert q.keys.flatten().tolist() == [5.0, 2.0, 3.0, 4.0]
    assert int(q.ptr) == 1 and int(q.count) == 4
    assert q.ordered().flatten().tolist() == [2.0, 3.0, 4.0, 5.0]  # oldest first


def test_enqueue_more_than_size_keeps_newest():
    q = _queue(3)
    q.enqueue(torch.arange(5.0).view(5, 1))
    assert sorted(q.keys.flatten().tolist()) == [2.0, 3.0, 4.0]
    assert q.ordered().flatten().tolist() == [2.0, 3.0, 4.0]


def test_queue_is_in_state_dict_and_starts_normalised():
    q = FeatureQueue(8, 5)
    assert set(q.state_dict()) == {"keys", "ptr", "count"}
    assert torch.allclose(q.keys.norm(dim=1), torch.ones(8))
    q2 = FeatureQueue(8, 5)
    q.enqueue(torch.ones(3, 5))
    q2.load_state_dict(q.state_dict())
    assert int(q2.ptr) == 3 and torch.equal(q2.keys, q.keys)


def test_projection_head_shapes_and_norm():
    x = torch.randn(3, 16)
    assert ProjectionHead(16, 8, layers=1)(x).shape == (3, 8)
    z = ProjectionHead(16, 8, layers=2)(x)
    assert torch.allclose(z.norm(dim=1), torch.ones(3), atol=1e-5)
    with pytest.raises(ValueError):
        ProjectionHead(16, 8, layers=3)


def test_classifier_head_dropout_only_in_train():
    head = ClassifierHead(4, 3, dropout=0.5).eval()
    x = torch.randn(2, 4)
    assert torch.equal(head(x), head(x))


def test_momentum_update_is_ema():
    online = nn.Linear(1, 1, bias=False)
    nn.init.constant_(online.weight, 1.0)
    enc = MomentumEncoder({"net": online}, momentum=0.9)
    assert not enc["net"].weight.requires_grad
    with torch.no_grad():
        online.weight.fill_(2.0)
    enc.update({"net": online})  # 0.9 * 1 + 0.1 * 2
    assert float(enc["net"].weight) == pytest.approx(1.1)
