"""Losses against numbers worked out by hand."""

import math

import pytest
import torch

from ssvzoo.train.losses import (contrast_logits, gradient_penalty, info_nce, margin_ranking,
                                 mi_info_nce, soft_ce_kd)


def _infonce_case():
    q = torch.tensor([[1.0, 0.0]])
    k = torch.tensor([[1.0, 0.0]])  # q.k = 1
    queue = torch.tensor([[0.0, 1.0], [-1.0, 0.0]])  # q.n = 0, -1
    return q, k, queue


def test_info_nce_tau_1():
    q, k, queue = _infonce_case()
    # -log(e^1 / (e^1 + e^0 + e^-1)) = log(e + 1 + 1/e) - 1
    expected = math.log(math.e + 1 + 1 / math.e) - 1
    assert float(info_nce(q, k, queue, tau=1.0)) == pytest.approx(expected, abs=1e-6)
    assert expected == pytest.approx(0.407606, abs=1e-5)


def test_info_nce_temperature_sharpens():
    q, k, queue = _infonce_case()
    # logits 2, 0, -2 -> log(e^2 + 1 + e^-2) - 2 = 0.142932
    assert float(info_nce(q, k, queue, tau=0.5)) == pytest.approx(0.142932, abs=1e-5)


def test_info_nce_batch_is_mean_and_logits_layout():
    q = torch.tensor([[1.0, 0.0], [0.0, 1.0]])
    k = torch.tensor([[1.0, 0.0], [1.0, 0.0]])  # second query's positive is orthogonal
    queue = torch.tensor([[0.0, 1.0]])
    logits = contrast_logits(q, k, queue, tau=1.0)
    assert logits.tolist() == [[1.0, 0.0], [0.0, 1.0]]  # column 0 = positive
    a = math.log(1 + math.exp(-1))  # -log(e/(e+1))
    b = math.log(1 + math.exp(1))  # -log(1/(1+e))
    assert float(info_nce(q, k, queue, 1.0)) == pytest.approx((a + b) / 2, abs=1e-6)


def test_margin_ranking_at_below_above():
    s_neg = torch.zeros(3)
    s_pos = torch.tensor([2.0, 3.0, 0.5])  # gap exactly at, above and below the margin 2
    per_item = [float(margin_ranking(s_pos[i:i + 1], s_neg[i:i + 1], 2.0)) for i in range(3)]
    assert per_item == pytest.approx([0.0, 0.0, 1.5])
    assert float(margin_ranking(s_pos, s_neg, 2.0)) == pytest.approx(0.5)


def test_margin_ranking_matches_torch():
    g = torch.Generator().manual_seed(0)
    a, b = torch.randn(7, generator=g), torch.randn(7, generator=g)
    ref = torch.nn.MarginRankingLoss(margin=2.0)(a, b, torch.ones(7))
    assert float(margin_ranking(a, b, 2.0)) == pytest.approx(float(ref), abs=1e-6)


def test_soft_ce_kd_uniform_student():
    student = torch.zeros(1, 2, 3, 3)  # (B, C, H, W): uniform over 2 classes everywhere
    teacher = torch.zeros(1, 2, 3, 3)
    teacher[:, 0] = 1.0
    assert float(soft_ce_kd(student, teacher)) == pytest.approx(math.log(2), abs=1e-6)


def test_soft_ce_kd_is_kl_plus_teacher_entropy():
    g = torch.Generator().manual_seed(1)
    student = torch.randn(2, 4, 5, generator=g)
    teacher = torch.softmax(torch.randn(2, 4, 5, generator=g), dim=1)
    kl = (teacher * (teacher.log() - torch.log_softmax(student, 1))).sum(1).mean()
    entropy = -(teacher * teacher.log()).sum(1).mean()
    assert float(soft_ce_kd(student, teacher)) == pytest.approx(float(kl + entropy), abs=1e-5)


def test_mi_info_nce_two_positives():
    x = torch.tensor([[1.0, 0.0]])
    z = torch.tensor([[1.0, 0.0], [2.0, 0.0], [0.0, 1.0]])  # cos 1, 1, 0 (norm is ignored)
    mask = torch.tensor([[True, True, False]])
    # -log(2e / (2e + 1)) = log(1 + 1/(2e))
    assert float(mi_info_nce(x, z, mask, tau=1.0)) == pytest.approx(
        math.log(1 + 1 / (2 * math.e)), abs=1e-6)


def test_mi_info_nce_needs_a_positive():
    with pytest.raises(ValueError):
        mi_info_nce(torch.ones(1, 2), torch.ones(2, 2), torch.zeros(1, 2, dtype=torch.bool), 1.0)


def test_gradient_penalty_linear_critic():
    w = torch.tensor([2.0, 0.0])  # |grad| = 2 everywhere -> (2 - 1)^2 = 1
    real, fake = torch.randn(4, 2), torch.randn(4, 2)
    assert float(gradient_penalty(lambda x: x @ w, real, fake)) == pytest.approx(1.0)
    w1 = torch.tensor([0.6, 0.8])  # unit gradient -> 0
    assert float(gradient_penalty(lambda x: x @ w1, real, fake)) == pytest.approx(0.0, abs=1e-6)
