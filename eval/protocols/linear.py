"""Linear probe: a softmax-regression classifier on frozen clip features.

Recipe (recorded in every record as `classifier`): each clip embedding L2-normalised (CoCLR's
linear probe normalises before its final BN), then standardised with the statistics of the
training part; multinomial logistic regression with an L2 penalty on the weights (not the
bias), scikit-learn's objective `sum_i CE_i + ||W||^2 / (2 C)`, minimised by full-batch L-BFGS
in float64. C is chosen from a small grid on a held-out part of the training split (videos,
stratified by class, drawn with the seed), never on test; the classifier is then refit on the
whole training split. Test: clip logits averaged per video (video level) or each clip alone.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ssvzoo.errors import ConfigError
from ssvzoo.eval.metrics import topk_accuracy, video_level_scores
from ssvzoo.eval.protocols import PROTOCOLS, Protocol, ProtocolResult, level_name
from ssvzoo.eval.protocols.retrieval import l2_normalize


@dataclass(frozen=True)
class LinearRecipe:
    c_grid: tuple[float, ...] = (0.01, 0.1, 1.0, 10.0, 100.0)
    holdout_fraction: float = 0.2  # of the training videos, per class
    max_iter: int = 200  # L-BFGS iterations per fit
    tolerance: float = 1e-6

    def as_dict(self) -> dict:
        return {"model": "multinomial logistic regression (softmax), L2 on weights",
                "objective": "sum CE + ||W||^2 / (2C) (scikit-learn's)", "solver": "L-BFGS fp64",
                "preprocess": "clip L2-normalise, standardise (train-part statistics)",
                "c_grid": list(self.c_grid), "selection": "held-out train videos, top-1",
                "holdout_fraction": self.holdout_fraction, "max_iter": self.max_iter,
                "train_on": "clips", "average": "logits"}


class Standardizer:
    """z-score with statistics of the data it was fit on."""

    def __init__(self, x: np.ndarray):
        self.mean = x.mean(axis=0)
        self.std = np.maximum(x.std(axis=0), 1e-6)

    def __call__(self, x: np.ndarray) -> np.ndarray:
        return (x - self.mean) / self.std


def fit_softmax_regression(x: np.ndarray, y: np.ndarray, num_classes: int, c: float,
                           max_iter: int = 200, tolerance: float = 1e-6,
                           init: tuple[np.ndarray, np.ndarray] | None = None,
                           device: str = "cpu") -> tuple[np.ndarray, np.ndarray]:
    """Weights (D, K) and bias (K,) minimising sum CE + ||W||^2 / (2C) (as scikit-learn)."""
    import torch
    import torch.nn.functional as F

    f64 = dict(dtype=torch.float64, device=device)
    xt = torch.as_tensor(x, **f64)  # (N, D)
    yt = torch.as_tensor(y, dtype=torch.long, device=device)
    n, d = xt.shape
    w = torch.zeros(d, num_classes, **f64)
    b = torch.zeros(num_classes, **f64)
    if init is not None:
        w, b = torch.as_tensor(init[0], **f64).clone(), torch.as_tensor(init[1], **f64).clone()
    w.requires_grad_(True)
    b.requires_grad_(True)
    opt = torch.optim.LBFGS([w, b], lr=1.0, max_iter=max_iter, tolerance_grad=tolerance,
                            tolerance_change=1e-12, history_size=20,
                            line_search_fn="strong_wolfe")

    def closure():
        opt.zero_grad()
        # Divided by n: the same minimiser, better-scaled numbers for L-BFGS.
        loss = (F.cross_entropy(xt @ w + b, yt, reduction="sum") + (w * w).sum() / (2 * c)) / n
        loss.backward()
        return loss

    opt.step(closure)
    return w.detach().cpu().numpy(), b.detach().cpu().numpy()


def stratified_holdout(labels: np.ndarray, fraction: float, seed: int) -> np.ndarray:
    """Boolean mask of held-out videos: round(fraction * n_c) of each class with >= 2 videos."""
    rng = np.random.default_rng(seed)
    held = np.zeros(len(labels), dtype=bool)
    for c in np.unique(labels):
        idx = np.flatnonzero(labels == c)
        n_out = min(len(idx) - 1, int(round(fraction * len(idx))))
        if n_out > 0:
            held[rng.permutation(idx)[:n_out]] = True
    return held


def video_clip_arrays(clip_embeddings: np.ndarray, labels: np.ndarray):
    """(V, N, D) -> clip rows (V*N, D) L2-normalised, their labels, and their video ids."""
    v, n, d = clip_embeddings.shape
    x = l2_normalize(clip_embeddings).reshape(v * n, d).astype(np.float64)
    return x, np.repeat(labels, n), np.repeat(np.arange(v), n)


def evaluate(weights, x: np.ndarray, labels: np.ndarray, group: np.ndarray,
             clip_level: bool = False, ks=(1, 5)) -> dict[int, float]:
    """top-k of logits averaged per `group` (video ids; or clip ids), or per row if clip_level."""
    logits = x @ weights[0] + weights[1]  # (rows, K)
    if clip_level:
        return topk_accuracy(logits, labels, ks)
    scores, ids = video_level_scores(logits, group)
    first = {int(g): lab for g, lab in zip(group.tolist(), labels.tolist())}
    return topk_accuracy(scores, np.array([first[int(i)] for i in ids]), ks)


def select_c(x, y, video, video_labels, num_classes, recipe: LinearRecipe, seed: int,
             device: str = "cpu") -> tuple[float, dict[str, float]]:
    """C with the best held-out video-level top-1 (ties: the smaller C, more regularised)."""
    held_videos = stratified_holdout(video_labels, recipe.holdout_fraction, seed)
    if not held_videos.any():
        return recipe.c_grid[len(recipe.c_grid) // 2], {}
    held = held_videos[video]
    norm = Standardizer(x[~held])
    xf, xh = norm(x[~held]), norm(x[held])
    scores: dict[str, float] = {}
    init = None
    for c in sorted(recipe.c_grid):  # warm start from the more regularised solution
        init = fit_softmax_regression(xf, y[~held], num_classes, c, recipe.max_iter,
                                      recipe.tolerance, init, device)
        scores[str(c)] = evaluate(init, xh, y[held], video[held], False, ks=(1,))[1]
    best = max(sorted(recipe.c_grid), key=lambda c: scores[str(c)])
    return best, scores


@PROTOCOLS.register("linear")
class LinearProbe(Protocol):
    name = "linear"
    recipe = LinearRecipe()

    def run(self, ctx) -> ProtocolResult:
        opts = ctx.options
        fparams = ctx.feature_params(feature="gap", crops=opts.crops or 1)
        train = ctx.features("train", fparams)
        test = ctx.features("test", fparams)
        num_classes = len(train.classes)
        if len(np.unique(train.labels)) < 2:
            raise ConfigError("the linear probe needs at least two classes in the training split")
        x, y, video = video_clip_arrays(train.clip_embeddings, train.labels)
        c, grid_scores = select_c(x, y, video, train.labels, num_classes, self.recipe,
                                  opts.seed, ctx.device)
        norm = Standardizer(x)
        weights = fit_softmax_regression(norm(x), y, num_classes, c, self.recipe.max_iter,
                                         self.recipe.tolerance, device=ctx.device)
        xt, yt, vt = video_clip_arrays(test.clip_embeddings, test.labels)
        # clip level: the crops of one clip are averaged (rows are clip-major, crop-minor)
        groups = np.arange(len(xt)) // fparams.crops if opts.clip_level else vt
        acc = evaluate(weights, norm(xt), yt, groups)
        params = {**fparams.as_dict(), "level": level_name(opts.clip_level),
                  "classifier": self.recipe.as_dict()}
        return ProtocolResult(
            params=params, metrics={"top1": acc[1], "top5": acc[5]},
            num_train=len(train), num_test=len(test),
            skipped_videos=train.skipped + test.skipped,
            details={"chosen_C": c, "holdout_top1_by_C": grid_scores,
                     "embedding_dim": int(x.shape[1])})
