"""Loss functions as pure tensor functions; the methods combine them.

Every function takes already-computed embeddings / logits and returns a scalar loss, so each
can be tested on its own against numbers worked out by hand (tests/train/test_losses.py).
"""

from __future__ import annotations

from typing import Callable

import torch
import torch.nn.functional as F


def contrast_logits(q: torch.Tensor, k: torch.Tensor, negatives: torch.Tensor,
                    tau: float) -> torch.Tensor:
    """MoCo logits `[l_pos, l_neg] / tau`, shape (B, 1 + K); the positive is column 0.

    q, k: (B, D) L2-normalised queries and their positive keys; negatives: (K, D) normalised
    keys (the queue). He et al., "Momentum Contrast", CVPR 2020, Algorithm 1.
    """
    l_pos = (q * k).sum(dim=1, keepdim=True)  # (B, 1)
    l_neg = q @ negatives.t()  # (B, K)
    return torch.cat([l_pos, l_neg], dim=1) / tau


def info_nce(q: torch.Tensor, k: torch.Tensor, queue: torch.Tensor, tau: float) -> torch.Tensor:
    """InfoNCE with a queue of negatives (MoCo, He et al. CVPR 2020, Eq. 1).

    `L = -mean_i log( exp(q_i.k_i/tau) / (exp(q_i.k_i/tau) + sum_{n in queue} exp(q_i.n/tau)) )`
    i.e. cross-entropy over the logits `[q.k, q.queue] / tau` with target index 0.
    q, k: (B, D); queue: (K, D); all rows L2-normalised by the caller (and k, queue detached).
    """
    logits = contrast_logits(q, k, queue, tau)
    target = torch.zeros(logits.shape[0], dtype=torch.long, device=logits.device)
    return F.cross_entropy(logits.float(), target)


def margin_ranking(s_pos: torch.Tensor, s_neg: torch.Tensor, margin: float) -> torch.Tensor:
    """Margin ranking loss, `mean(max(0, margin - (s_pos - s_neg)))`.

    RSPNet (Chen et al., AAAI 2021), relative speed perception: s_pos is the similarity of two
    clips at the same playback speed, s_neg at different speeds (RSPNet code: dot products
    divided by tau, margin 2.0; `nn.MarginRankingLoss` with target +1). HCP-TD Eq. 6 (L_m).
    The loss is zero once s_pos exceeds s_neg by at least the margin.
    """
    return torch.clamp(margin - (s_pos - s_neg), min=0).mean()


def soft_ce_kd(student_logits: torch.Tensor, teacher_probs: torch.Tensor,
               dim: int = 1) -> torch.Tensor:
    """Soft-target cross-entropy distillation, HCP-TD Eq. 4.

    `L_KL = -(1/N) sum_{positions} sum_c F_t(c) log F_h(c)` with F_h = softmax(student_logits)
    over `dim` (the class axis); averaged over every other axis (batch and the N spatial
    positions). Equals KL(F_t || F_h) plus the teacher entropy, a constant for the student.
    """
    log_p = F.log_softmax(student_logits.float(), dim=dim)
    return -(teacher_probs.float() * log_p).sum(dim=dim).mean()


def mi_info_nce(x: torch.Tensor, z: torch.Tensor, positive_mask: torch.Tensor,
                tau: float) -> torch.Tensor:
    """Multi-positive InfoNCE, CSVR Eq. 2 (after Vi2CLR), with cosine similarity.

    `L = -(1/B) sum_i log( sum_{p in P(i)} e^{cos(z_p,x_i)/tau} / sum_{all m} e^{cos(z_m,x_i)/tau} )`
    x: (B, D) clip embeddings; z: (M, D) frame embeddings (e.g. all I-frames of the batch);
    positive_mask: (B, M) bool, P(i) = the frames of clip i; every other frame is a negative.
    Rows without any positive are left out of the mean.
    """
    sim = F.normalize(x.float(), dim=1) @ F.normalize(z.float(), dim=1).t() / tau  # (B, M)
    positive_mask = positive_mask.bool()
    pos = torch.logsumexp(sim.masked_fill(~positive_mask, float("-inf")), dim=1)
    loss = torch.logsumexp(sim, dim=1) - pos  # (B,)
    has_pos = positive_mask.any(dim=1)
    if not bool(has_pos.any()):
        raise ValueError("mi_info_nce: no row has a positive")
    return loss[has_pos].mean()


def gradient_penalty(critic: Callable[[torch.Tensor], torch.Tensor], real: torch.Tensor,
                     fake: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
    """WGAN-GP gradient penalty, `E[(||grad_x critic(x)||_2 - 1)^2]` on random interpolates.

    Gulrajani et al., NeurIPS 2017, Eq. 3; the last term of CSVR Eq. 1. `critic` maps (B, ...)
    to (B,) or (B, 1) scores (close over any conditioning input); real/fake: (B, ...).
    """
    alpha_shape = (real.shape[0],) + (1,) * (real.dim() - 1)
    alpha = torch.rand(alpha_shape, generator=generator, device=real.device, dtype=real.dtype)
    x = (alpha * real.detach() + (1 - alpha) * fake.detach()).requires_grad_(True)
    scores = critic(x)
    (grad,) = torch.autograd.grad(scores.sum(), x, create_graph=True)
    return ((grad.flatten(1).norm(2, dim=1) - 1) ** 2).mean()
