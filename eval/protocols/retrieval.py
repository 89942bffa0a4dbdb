"""Nearest-neighbour retrieval: test videos query the training videos, R@k and mAP.

Default = the CSVR / VCOP / RSPNet convention: K uniformly spaced clips per video, centre crop,
global-average-pooled last stage, clip embeddings averaged per video, L2-normalised, cosine
similarity (inner product of unit vectors), hit at k if any of the top-k training videos has
the query's class. Every video of both subsets is used (no `drop_last`).

Variants (`--variant`):
- `coclr`: CoCLR's `test_retrieval`: each clip embedding L2-normalised before averaging, then
  both sets centred by the mean of the gallery (train) video embeddings and re-normalised.
- `vcop`: VCOP's `retrieve_clips.py` feature: last stage max-pooled (1, 2, 2) and flattened.
`--clip-level`: every clip is its own query / gallery item (crops of a clip averaged).
"""

from __future__ import annotations

import numpy as np

from ssvzoo.errors import ConfigError
from ssvzoo.eval.protocols import PROTOCOLS, Protocol, ProtocolResult, level_name

KS = (1, 5, 10, 20)
VARIANTS = {
    # name: (feature kind, normalise clips before averaging, centring statistics)
    "default": ("gap", False, None),
    "coclr": ("gap", True, "gallery_mean"),
    "vcop": ("conv5_maxpool_flat", False, None),
}
MAP_QUERY_CHUNK = 256  # queries ranked against the whole gallery at once for mAP


def l2_normalize(x: np.ndarray) -> np.ndarray:
    norm = np.linalg.norm(x, axis=-1, keepdims=True)
    return (x / np.maximum(norm, 1e-12)).astype(np.float32)


def retrieval_items(clip_embeddings: np.ndarray, labels: np.ndarray, crops: int,
                    clip_level: bool, normalize_clips: bool) -> tuple[np.ndarray, np.ndarray]:
    """(V, K*crops, D) clip embeddings -> items (N, D) and their labels (N,), not normalised."""
    x = l2_normalize(clip_embeddings) if normalize_clips else clip_embeddings
    v, n, d = x.shape
    per_clip = x.reshape(v, n // crops, crops, d).mean(axis=2)  # (V, K, D) crops averaged
    if clip_level:
        return per_clip.reshape(-1, d), np.repeat(labels, n // crops)
    return per_clip.mean(axis=1), labels


def prepare(queries: np.ndarray, gallery: np.ndarray, center: str | None
            ) -> tuple[np.ndarray, np.ndarray]:
    """Optional centring by the gallery mean, then L2 normalisation of both sets."""
    if center == "gallery_mean":
        mean = gallery.mean(axis=0, keepdims=True)
        queries, gallery = queries - mean, gallery - mean
    return l2_normalize(queries), l2_normalize(gallery)


def retrieval_metrics(queries: np.ndarray, query_labels: np.ndarray, gallery: np.ndarray,
                      gallery_labels: np.ndarray, ks=KS) -> dict[str, float]:
    """R@k through the FAISS index, mAP through exact full rankings (same tie rule)."""
    from ssvzoo.eval.index import inner_products, search
    from ssvzoo.eval.metrics import average_precision, rank_by_similarity, recall_at_k

    _, neighbours = search(queries, gallery, max(ks))
    metrics = {f"R@{k}": v for k, v in recall_at_k(query_labels, gallery_labels, neighbours,
                                                  ks).items()}
    ap = []
    for i in range(0, len(queries), MAP_QUERY_CHUNK):
        ranking = rank_by_similarity(inner_products(queries[i:i + MAP_QUERY_CHUNK], gallery))
        ap.append(average_precision(query_labels[i:i + MAP_QUERY_CHUNK], gallery_labels,
                                    ranking))
    metrics["mAP"] = float(np.concatenate(ap).mean() * 100.0)
    return metrics


@PROTOCOLS.register("retrieval")
class Retrieval(Protocol):
    name = "retrieval"

    def run(self, ctx) -> ProtocolResult:
        opts = ctx.options
        if opts.variant not in VARIANTS:
            raise ConfigError(f"unknown retrieval variant {opts.variant!r}; use one of "
                              f"{', '.join(VARIANTS)}")
        feature, normalize_clips, center = VARIANTS[opts.variant]
        fparams = ctx.feature_params(feature=feature, crops=opts.crops or 1)
        gallery_set = ctx.features("train", fparams)
        query_set = ctx.features("test", fparams)
        gallery, gallery_labels = retrieval_items(gallery_set.clip_embeddings,
                                                  gallery_set.labels, fparams.crops,
                                                  opts.clip_level, normalize_clips)
        queries, query_labels = retrieval_items(query_set.clip_embeddings, query_set.labels,
                                                fparams.crops, opts.clip_level, normalize_clips)
        queries, gallery = prepare(queries, gallery, center)
        metrics = retrieval_metrics(queries, query_labels, gallery, gallery_labels)
        params = {**fparams.as_dict(), "variant": opts.variant,
                  "level": level_name(opts.clip_level),
                  "clip_normalize": normalize_clips, "center": center or "none",
                  "similarity": "cosine", "queries": "test", "gallery": "train",
                  "hit_rule": "any of top-k has the query class"}
        return ProtocolResult(
            params=params, metrics=metrics, num_train=len(gallery_set), num_test=len(query_set),
            skipped_videos=gallery_set.skipped + query_set.skipped,
            details={"num_queries": int(len(queries)), "num_gallery": int(len(gallery)),
                     "embedding_dim": int(gallery.shape[1])})
