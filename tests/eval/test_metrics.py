"""Retrieval and classification metrics against numbers worked out by hand."""

import numpy as np
import pytest

from ssvzoo.eval.metrics import (average_precision, rank_by_similarity, recall_at_k,
                                 retrieval_map, topk_accuracy, video_level_scores)


def test_rank_ties_break_by_increasing_index():
    sims = np.array([[0.5, 0.9, 0.5, 0.9, 0.1]])
    # 0.9 at indices 1, 3; then 0.5 at 0, 2; then 0.1 at 4.
    assert rank_by_similarity(sims).tolist() == [[1, 3, 0, 2, 4]]
    assert rank_by_similarity(sims, k=3).tolist() == [[1, 3, 0]]
    assert rank_by_similarity(sims, k=99).shape == (1, 5)  # k clamps to the gallery


def test_recall_hand_worked():
    gallery = np.array([0, 0, 1, 1, 2])
    queries = np.array([0, 1, 2])
    neighbours = np.array([
        [0, 2, 3, 1, 4],  # class 0: hit at rank 1
        [0, 4, 2, 3, 1],  # class 1: first hit at rank 3
        [0, 1, 2, 3, 4],  # class 2: first hit at rank 5
    ])
    r = recall_at_k(queries, gallery, neighbours, ks=(1, 2, 3, 5))
    assert r == {1: pytest.approx(100 / 3), 2: pytest.approx(100 / 3),
                 3: pytest.approx(200 / 3), 5: pytest.approx(100.0)}


def test_recall_with_ties_uses_the_tie_rule():
    gallery = np.array([1, 0, 0])
    sims = np.array([[0.7, 0.7, 0.2]])  # query of class 0; gallery 0 and 1 tie
    neighbours = rank_by_similarity(sims)  # [0, 1, 2]: the tie goes to index 0 (class 1)
    assert recall_at_k(np.array([0]), gallery, neighbours, ks=(1, 2)) == {1: 0.0, 2: 100.0}


def test_k_larger_than_gallery_clamps():
    gallery = np.array([3, 4])
    neighbours = np.array([[0, 1], [1, 0]])
    r = recall_at_k(np.array([4, 5]), gallery, neighbours, ks=(1, 20))
    # query 0 (class 4) finds it at rank 2 -> hit for k=20 (clamped to 2); class 5 never.
    assert r == {1: 0.0, 20: 50.0}


def test_too_few_neighbours_is_an_error():
    with pytest.raises(ValueError):
        recall_at_k(np.array([0]), np.array([0, 1, 2]), np.array([[1]]), ks=(2,))


def test_class_absent_from_gallery_is_a_miss_and_ap_zero():
    gallery = np.array([0, 0, 1])
    queries = np.array([2, 0])
    neighbours = np.array([[0, 1, 2], [2, 0, 1]])
    assert recall_at_k(queries, gallery, neighbours, ks=(3,)) == {3: 50.0}
    # query 1 (class 0): relevant at ranks 2, 3 -> AP = (1/2 + 2/3) / 2 = 7/12.
    ap = average_precision(queries, gallery, neighbours)
    assert ap.tolist() == pytest.approx([0.0, 7 / 12])
    assert retrieval_map(queries, gallery, neighbours) == pytest.approx(100 * 7 / 24)


def test_single_class_gallery():
    gallery = np.zeros(4, dtype=int)
    neighbours = np.array([[3, 2, 1, 0], [0, 1, 2, 3]])
    queries = np.array([0, 1])
    assert recall_at_k(queries, gallery, neighbours, ks=(1, 10)) == {1: 50.0, 10: 50.0}
    assert retrieval_map(queries, gallery, neighbours) == pytest.approx(50.0)


def test_map_hand_worked():
    gallery = np.array([0, 1, 0, 1])
    neighbours = np.array([[1, 0, 3, 2]])  # class 0 at ranks 2 and 4: AP = (1/2 + 2/4) / 2
    assert retrieval_map(np.array([0]), gallery, neighbours) == pytest.approx(50.0)
    # A truncated ranking keeps R = 2 in the denominator: only rank 2 is seen -> 1/4.
    assert retrieval_map(np.array([0]), gallery, neighbours[:, :2]) == pytest.approx(25.0)


def test_negative_neighbour_ids_never_hit():
    gallery = np.array([0, 1])
    assert recall_at_k(np.array([0]), gallery, np.array([[-1, 1]]), ks=(2,)) == {2: 0.0}


def test_topk_accuracy_hand_worked_and_ties():
    scores = np.array([[0.1, 0.5, 0.4],
                       [0.3, 0.3, 0.3],   # full tie: order 0, 1, 2
                       [0.9, 0.0, 0.1]])
    labels = np.array([2, 1, 0])
    acc = topk_accuracy(scores, labels, ks=(1, 2, 5))
    # row 0: label 2 ranked 2nd; row 1: label 1 ranked 2nd (tie rule); row 2: 1st.
    assert acc == {1: pytest.approx(100 / 3), 2: 100.0, 5: 100.0}


def test_video_level_scores_mean_per_video_any_order():
    clip_scores = np.array([[1.0, 0.0], [0.0, 2.0], [3.0, 0.0], [0.0, 4.0]])
    video = np.array([7, 3, 7, 3])
    scores, ids = video_level_scores(clip_scores, video)
    assert ids.tolist() == [3, 7]
    assert scores.tolist() == [[0.0, 3.0], [2.0, 0.0]]
