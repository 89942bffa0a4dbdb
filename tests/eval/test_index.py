"""FAISS search equals the numpy brute force exactly (indices and scores, ties included)."""

import builtins

import numpy as np
import pytest

from ssvzoo.errors import SsvzooError
from ssvzoo.eval import index as index_mod
from ssvzoo.eval.index import GalleryIndex, search, search_bruteforce


def _unit(rng, n, d):
    x = rng.standard_normal((n, d)).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


@pytest.mark.parametrize("k", [1, 5, 20, 400, 1000])
def test_flat_equals_bruteforce(k):
    rng = np.random.default_rng(k)
    gallery, queries = _unit(rng, 400, 32), _unit(rng, 150, 32)
    sims_f, idx_f = search(queries, gallery, k)
    sims_b, idx_b = search_bruteforce(queries, gallery, k)
    assert idx_f.shape == (150, min(k, 400))
    np.testing.assert_array_equal(idx_f, idx_b)
    np.testing.assert_array_equal(sims_f, sims_b)


def test_ties_follow_index_order_in_both():
    # Five copies of each basis vector: every query ties with five gallery items.
    gallery = np.repeat(np.eye(4, dtype=np.float32), 5, axis=0)  # (20, 4)
    queries = np.eye(4, dtype=np.float32)[[0, 3, 1]]
    _, idx_f = search(queries, gallery, 7)
    _, idx_b = search_bruteforce(queries, gallery, 7)
    np.testing.assert_array_equal(idx_f, idx_b)
    assert idx_f.tolist() == [[0, 1, 2, 3, 4, 5, 6],
                              [15, 16, 17, 18, 19, 0, 1],
                              [5, 6, 7, 8, 9, 0, 1]]


def test_all_equal_features_rank_by_index():
    gallery = np.ones((30, 8), dtype=np.float32)
    _, idx = search(np.ones((2, 8), dtype=np.float32), gallery, 10)
    assert idx.tolist() == [list(range(10))] * 2


@pytest.mark.parametrize("kind", ["hnsw", "ivfpq"])
def test_approximate_indexes_find_self(kind):
    rng = np.random.default_rng(0)
    gallery = _unit(rng, 800, 16)
    sims, idx = search(gallery[:20], gallery, 5, kind=kind)
    assert idx.shape == (20, 5)
    # approximate: most queries find themselves among their 5 neighbours
    assert (idx == np.arange(20)[:, None]).any(axis=1).mean() >= 0.8
    assert np.all(np.diff(sims, axis=1) <= 0)


def test_save_load_roundtrip(tmp_path):
    rng = np.random.default_rng(1)
    gallery, queries = _unit(rng, 50, 16), _unit(rng, 5, 16)
    index = GalleryIndex(16).add(gallery)
    index.save(tmp_path / "g.faiss")
    again = GalleryIndex.load(tmp_path / "g.faiss")
    np.testing.assert_array_equal(again.search(queries, 5)[1], index.search(queries, 5)[1])


def test_unknown_kind_and_missing_faiss(monkeypatch):
    with pytest.raises(SsvzooError, match="unknown index kind"):
        GalleryIndex(4, kind="lsh")
    real_import = builtins.__import__

    def no_faiss(name, *a, **kw):
        if name == "faiss":
            raise ImportError("no faiss")
        return real_import(name, *a, **kw)

    monkeypatch.setattr(builtins, "__import__", no_faiss)
    with pytest.raises(SsvzooError, match=r"ssvzoo\[cpu\] or ssvzoo\[gpu\]"):
        index_mod.import_faiss()
