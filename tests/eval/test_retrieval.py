"""Retrieval protocol pieces: item building, CoCLR centring, metrics end to end on arrays."""

import numpy as np
import pytest

from ssvzoo.eval.index import search_bruteforce
from ssvzoo.eval.metrics import recall_at_k
from ssvzoo.eval.protocols.retrieval import prepare, retrieval_items, retrieval_metrics


def test_items_video_and_clip_level_with_crops():
    # 2 videos x (2 clips x 2 crops) x 1-d features, clip-major: [c0k0, c0k1, c1k0, c1k1]
    emb = np.array([[[1.0], [3.0], [5.0], [7.0]],
                    [[0.0], [0.0], [4.0], [4.0]]], dtype=np.float32)
    labels = np.array([3, 4])
    items, item_labels = retrieval_items(emb, labels, crops=2, clip_level=False,
                                         normalize_clips=False)
    assert items[:, 0].tolist() == [4.0, 2.0] and item_labels.tolist() == [3, 4]
    items, item_labels = retrieval_items(emb, labels, crops=2, clip_level=True,
                                         normalize_clips=False)
    assert items[:, 0].tolist() == [2.0, 6.0, 0.0, 4.0]  # crops of a clip averaged
    assert item_labels.tolist() == [3, 3, 4, 4]


def test_coclr_centring_uses_gallery_mean():
    gallery = np.array([[2.0, 0.0], [0.0, 2.0]], dtype=np.float32)  # mean (1, 1)
    queries = np.array([[1.0, 3.0]], dtype=np.float32)
    q, g = prepare(queries, gallery, "gallery_mean")
    np.testing.assert_allclose(q, [[0.0, 1.0]], atol=1e-7)
    np.testing.assert_allclose(g, [[2 ** -0.5, -(2 ** -0.5)], [-(2 ** -0.5), 2 ** -0.5]],
                               atol=1e-6)
    q, _ = prepare(queries, gallery, None)
    assert np.linalg.norm(q) == pytest.approx(1.0)


def test_metrics_match_bruteforce_ranking():
    rng = np.random.default_rng(0)
    gallery = rng.standard_normal((40, 8)).astype(np.float32)
    queries = rng.standard_normal((15, 8)).astype(np.float32)
    g_labels, q_labels = rng.integers(0, 4, 40), rng.integers(0, 5, 15)  # class 4 absent
    queries, gallery = prepare(queries, gallery, None)
    metrics = retrieval_metrics(queries, q_labels, gallery, g_labels)
    _, idx = search_bruteforce(queries, gallery, 20)
    expected = recall_at_k(q_labels, g_labels, idx, (1, 5, 10, 20))
    assert [metrics[f"R@{k}"] for k in (1, 5, 10, 20)] == [expected[k] for k in (1, 5, 10, 20)]
    assert 0.0 < metrics["mAP"] < 100.0
