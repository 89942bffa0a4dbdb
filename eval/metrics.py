"""Pure metric functions (numpy): retrieval recall@k and mAP, classification top-k accuracy.

Every function returns percentages (0-100), the unit of every number in a result record.

Tie rule (shared with `ssvzoo.eval.index`): a ranking orders the gallery by decreasing
similarity and, among equal similarities, by increasing gallery index -- a stable sort on
(-similarity, index). `rank_by_similarity` implements it; the FAISS wrapper re-sorts its
results the same way, so brute force and FAISS give identical neighbour lists.
"""

from __future__ import annotations

from typing import Iterable, Sequence

import numpy as np


def rank_by_similarity(similarities: np.ndarray, k: int | None = None) -> np.ndarray:
    """Gallery indices (Q, k) sorted by (-similarity, index) for each row of (Q, G) scores.

    `k=None` ranks the whole gallery; `k` larger than the gallery is clamped to it.
    """
    similarities = np.asarray(similarities)
    g = similarities.shape[1]
    k = g if k is None else min(int(k), g)
    # argsort is stable with kind="stable", so equal scores keep increasing index order.
    order = np.argsort(-similarities, axis=1, kind="stable")  # (Q, G)
    return order[:, :k]


def hits_at_k(query_labels: np.ndarray, gallery_labels: np.ndarray,
              neighbour_indices: np.ndarray, ks: Sequence[int]) -> np.ndarray:
    """(Q, len(ks)) bool: does any of the query's top-k neighbours have the query's class?

    This is the VCOP / CoCLR / RSPNet / CSVR rule ("R@k", also called top-k retrieval
    accuracy). `k` larger than the gallery is clamped to the gallery size. Negative
    neighbour indices (FAISS's "no result") never hit. `neighbour_indices` must hold at least
    min(max(ks), gallery size) columns.
    """
    query_labels = np.asarray(query_labels)
    gallery_labels = np.asarray(gallery_labels)
    neighbour_indices = np.asarray(neighbour_indices, dtype=np.int64)
    n_gallery = len(gallery_labels)
    if neighbour_indices.ndim != 2 or len(neighbour_indices) != len(query_labels):
        raise ValueError(f"neighbour_indices must be (Q, k) with Q={len(query_labels)}, "
                         f"got {neighbour_indices.shape}")
    ks = [int(k) for k in ks]
    if any(k < 1 for k in ks):
        raise ValueError(f"k must be >= 1, got {ks}")
    needed = min(max(ks, default=0), n_gallery)
    if neighbour_indices.shape[1] < needed:
        raise ValueError(f"need {needed} neighbours per query for k={max(ks)}, "
                         f"got {neighbour_indices.shape[1]}")
    valid = neighbour_indices >= 0
    labels = gallery_labels[np.where(valid, neighbour_indices, 0)]  # (Q, n)
    same = (labels == query_labels[:, None]) & valid
    # first_hit[q] = rank (0-based) of the first same-class neighbour, n if none.
    n = same.shape[1]
    first_hit = np.where(same.any(axis=1), same.argmax(axis=1), n)
    columns = [first_hit < min(k, n_gallery) for k in ks]
    return np.stack(columns, axis=1) if columns else np.zeros((len(first_hit), 0), dtype=bool)


def recall_at_k(query_labels: np.ndarray, gallery_labels: np.ndarray,
                neighbour_indices: np.ndarray, ks: Iterable[int] = (1, 5, 10, 20)
                ) -> dict[int, float]:
    """{k: percentage of queries with a same-class item among their top-k neighbours}."""
    ks = [int(k) for k in ks]
    hits = hits_at_k(query_labels, gallery_labels, neighbour_indices, ks)
    if len(hits) == 0:
        raise ValueError("recall_at_k needs at least one query")
    return {k: float(hits[:, i].mean() * 100.0) for i, k in enumerate(ks)}


def average_precision(query_labels: np.ndarray, gallery_labels: np.ndarray,
                      neighbour_indices: np.ndarray) -> np.ndarray:
    """(Q,) average precision of each query's ranked gallery list, as fractions in [0, 1].

    AP = (1 / R) * sum over the ranks r of same-class items of precision@r, where R is the
    number of same-class items in the whole gallery. Pass the full ranking (Q, G) for the
    usual AP; a truncated ranking gives AP@n (a lower bound, still normalised by R).
    A query whose class is absent from the gallery has AP = 0 (it can retrieve nothing
    relevant) and still counts in the mean, as it counts as a miss in recall@k.
    """
    query_labels = np.asarray(query_labels)
    gallery_labels = np.asarray(gallery_labels)
    neighbour_indices = np.asarray(neighbour_indices, dtype=np.int64)
    valid = neighbour_indices >= 0
    same = (gallery_labels[np.where(valid, neighbour_indices, 0)] == query_labels[:, None]) & valid
    ranks = np.arange(1, same.shape[1] + 1)  # (n,)
    precision = np.cumsum(same, axis=1) / ranks  # (Q, n)
    classes, counts = np.unique(gallery_labels, return_counts=True)
    per_class = dict(zip(classes.tolist(), counts.tolist()))
    n_relevant = np.array([per_class.get(lab, 0) for lab in query_labels.tolist()], dtype=float)
    summed = (precision * same).sum(axis=1)
    return np.divide(summed, n_relevant, out=np.zeros_like(summed, dtype=float),
                     where=n_relevant > 0)


def retrieval_map(query_labels: np.ndarray, gallery_labels: np.ndarray,
                  neighbour_indices: np.ndarray) -> float:
    """Mean average precision (percent) over the queries; see `average_precision`."""
    ap = average_precision(query_labels, gallery_labels, neighbour_indices)
    if len(ap) == 0:
        raise ValueError("retrieval_map needs at least one query")
    return float(ap.mean() * 100.0)


def topk_accuracy(scores: np.ndarray, labels: np.ndarray, ks: Iterable[int] = (1, 5)
                  ) -> dict[int, float]:
    """{k: percentage of rows whose label is among the k highest scores}.

    Ties follow the same rule as retrieval: equal scores rank by increasing class index.
    `k` larger than the number of classes is clamped (always a hit).
    """
    scores = np.asarray(scores)
    labels = np.asarray(labels, dtype=np.int64)
    if scores.ndim != 2 or len(scores) != len(labels) or len(labels) == 0:
        raise ValueError(f"scores must be (N, C) with N = len(labels) > 0, got {scores.shape} "
                         f"and {labels.shape}")
    order = rank_by_similarity(scores)  # (N, C)
    rank_of_label = (order == labels[:, None]).argmax(axis=1)  # (N,)
    return {int(k): float((rank_of_label < min(int(k), scores.shape[1])).mean() * 100.0)
            for k in ks}


def video_level_scores(clip_scores: np.ndarray, video_index: np.ndarray
                       ) -> tuple[np.ndarray, np.ndarray]:
    """Mean of each video's clip scores: (N_clips, C) + (N_clips,) video ids -> (V, C), ids.

    Returns the averaged scores and the sorted distinct video ids they belong to (row i of
    the result is video `ids[i]`). Clips may come in any order.
    """
    clip_scores = np.asarray(clip_scores, dtype=np.float64)
    video_index = np.asarray(video_index)
    ids, inverse = np.unique(video_index, return_inverse=True)
    sums = np.zeros((len(ids),) + clip_scores.shape[1:], dtype=np.float64)
    np.add.at(sums, inverse, clip_scores)
    counts = np.bincount(inverse, minlength=len(ids)).astype(np.float64)
    return sums / counts.reshape((-1,) + (1,) * (clip_scores.ndim - 1)), ids
