"""Nearest-neighbour search by inner product: FAISS (GPU when present) and a numpy reference.

Features are expected L2-normalised, so inner product = cosine similarity. `flat` is exact
(`IndexFlatIP`); `hnsw` and `ivfpq` are approximate indexes for large galleries (export's
persistent video index builds on `GalleryIndex`).

Tie rule: results are ordered by (-similarity, gallery index), the rule of
`ssvzoo.eval.metrics.rank_by_similarity`. FAISS's float32 scores differ from a numpy matmul in
the last bits (another summation order) and its order among equal scores is an artefact of its
heap, so `GalleryIndex.search` uses FAISS to propose candidates (with a margin past the k-th),
re-scores them in float64 (`inner_products`) and re-sorts stably: brute force and FAISS then
return the same indices and the same scores.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from ssvzoo.errors import ConfigError, SsvzooError
from ssvzoo.eval.metrics import rank_by_similarity
from ssvzoo.utils.io import atomic_path

INDEX_KINDS = ("flat", "hnsw", "ivfpq")
GPU_MAX_K = 2048  # FAISS GPU k-selection limit; larger searches run on the CPU copy
QUERY_BLOCK = 1024  # queries searched together (bounds memory when ties force a long fetch)
RESCORE_TOL = 1e-4  # relative margin below the k-th float32 score when fetching candidates


def import_faiss():
    """The faiss module, or a one-line SsvzooError telling the user which extra to install."""
    try:
        import faiss
    except ImportError:
        raise SsvzooError("FAISS is not installed: install ssvzoo[cpu] or ssvzoo[gpu]") from None
    return faiss


def gpu_available(faiss) -> bool:
    """True only for a GPU build of faiss that sees at least one GPU."""
    return hasattr(faiss, "StandardGpuResources") and faiss.get_num_gpus() > 0


def as_features(x: np.ndarray, name: str) -> np.ndarray:
    x = np.ascontiguousarray(np.asarray(x, dtype=np.float32))
    if x.ndim != 2:
        raise ValueError(f"{name} must be (N, D) features, got shape {x.shape}")
    return x


class GalleryIndex:
    """A searchable gallery of (N, D) float32 features.

    kind: `flat` (exact), `hnsw` (HNSW32 graph, approximate) or `ivfpq` (inverted lists +
    product quantisation, approximate; trained on the gallery itself). `use_gpu=None` moves
    a flat or IVF index to the GPU when a GPU build of faiss sees one.
    """

    def __init__(self, dim: int, kind: str = "flat", use_gpu: bool | None = None,
                 nlist: int | None = None, pq_m: int | None = None):
        self.faiss = import_faiss()
        if kind not in INDEX_KINDS:
            raise ConfigError(f"unknown index kind {kind!r}; use one of {', '.join(INDEX_KINDS)}")
        self.dim, self.kind = int(dim), kind
        self.nlist, self.pq_m = nlist, pq_m
        self.use_gpu = gpu_available(self.faiss) if use_gpu is None else bool(use_gpu)
        if self.use_gpu and not gpu_available(self.faiss):
            raise ConfigError("a GPU index was requested but faiss has no GPU: install "
                              "ssvzoo[gpu] on a machine with CUDA, or use the CPU index")
        self._cpu = None
        self._gpu = None
        self.ntotal = 0

    def _build(self, gallery: np.ndarray):
        faiss = self.faiss
        metric = faiss.METRIC_INNER_PRODUCT
        if self.kind == "flat":
            return faiss.IndexFlatIP(self.dim)
        if self.kind == "hnsw":
            return faiss.IndexHNSWFlat(self.dim, 32, metric)
        n = len(gallery)
        nlist = self.nlist or max(1, min(int(4 * np.sqrt(n)), n // 39 or 1))
        # sub-vectors of >= 4 dims, at most 64 codes (64 bytes per vector at 8 bits)
        m = self.pq_m or next(m for m in (64, 32, 16, 8, 4, 2, 1)
                              if self.dim % m == 0 and self.dim // m >= 4 or m == 1)
        index = faiss.index_factory(self.dim, f"IVF{nlist},PQ{m}x{min(8, _pq_bits(n))}", metric)
        index.train(gallery)
        index.nprobe = min(nlist, 16)
        return index

    def add(self, gallery: np.ndarray) -> "GalleryIndex":
        """Add (N, D) features; their gallery indices continue from the current size."""
        gallery = as_features(gallery, "gallery")
        if gallery.shape[1] != self.dim:
            raise ValueError(f"gallery dim {gallery.shape[1]} != index dim {self.dim}")
        if self._cpu is None:
            self._cpu = self._build(gallery)
        self._cpu.add(gallery)
        self.ntotal = int(self._cpu.ntotal)
        self._gpu = None
        return self

    def _searcher(self, k: int):
        if not self.use_gpu or k > GPU_MAX_K or self.kind == "hnsw":
            return self._cpu
        if self._gpu is None:
            faiss = self.faiss
            self._resources = faiss.StandardGpuResources()
            self._gpu = faiss.index_cpu_to_gpu(self._resources, 0, self._cpu)
        return self._gpu

    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """(sims (Q, k'), indices (Q, k')) with k' = min(k, gallery size), tie rule applied.

        FAISS proposes candidates in float32; for `flat` and `hnsw` (which store the raw
        vectors) the candidates are re-scored with `inner_products` and re-ranked, so the
        result equals `search_bruteforce` exactly. Candidates are fetched with a margin below
        the k-th score, so a float32 rounding near the cut cannot drop the true k-th item.
        """
        queries = as_features(queries, "queries")
        if self.ntotal == 0:
            raise ValueError("search on an empty gallery")
        k = min(int(k), self.ntotal)
        parts = [self._search_block(queries[i:i + QUERY_BLOCK], k)
                 for i in range(0, len(queries), QUERY_BLOCK)]
        if not parts:
            return np.zeros((0, k), np.float32), np.zeros((0, k), np.int64)
        return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])

    def _search_block(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        fetch = min(self.ntotal, k + 8)
        while True:
            sims, idx = self._searcher(fetch).search(queries, fetch)
            scale = max(1.0, float(np.abs(sims[idx >= 0]).max(initial=0.0)))
            boundary_open = sims[:, -1] >= sims[:, k - 1] - RESCORE_TOL * scale
            if fetch >= self.ntotal or not boundary_open.any():
                break
            fetch = min(self.ntotal, 2 * fetch)
        if self.kind != "ivfpq":
            sims = self._rescore(queries, idx)
        # Stable re-sort on (-sim, index); -1 (no result) goes last.
        key_idx = np.where(idx < 0, np.iinfo(np.int64).max, idx)
        sims = np.where(idx < 0, -np.inf, sims).astype(np.float32)
        order = np.lexsort((key_idx, -sims), axis=1)[:, :k]  # (Q, k)
        return (np.take_along_axis(sims, order, axis=1),
                np.take_along_axis(idx, order, axis=1).astype(np.int64))

    def _rescore(self, queries: np.ndarray, idx: np.ndarray) -> np.ndarray:
        """Exact similarities (Q, n) of each query with its candidates `idx` (Q, n)."""
        safe = np.where(idx < 0, 0, idx).astype(np.int64)
        out = np.empty(idx.shape, dtype=np.float32)
        step = max(1, (1 << 22) // max(1, idx.shape[1] * self.dim))  # bound memory per chunk
        for start in range(0, len(idx), step):
            rows = safe[start:start + step]
            vectors = self._cpu.reconstruct_batch(rows.ravel()).reshape(rows.shape + (self.dim,))
            out[start:start + step] = _round_sum(queries[start:start + step, None, :], vectors)
        return out

    def save(self, path: str | os.PathLike) -> Path:
        """Write the (CPU) index to `path` atomically."""
        path = Path(path)
        with atomic_path(path) as tmp:
            self.faiss.write_index(self._cpu, str(tmp))
        return path

    @classmethod
    def load(cls, path: str | os.PathLike, use_gpu: bool | None = None) -> "GalleryIndex":
        faiss = import_faiss()
        cpu = faiss.read_index(str(path))
        kind = ("hnsw" if isinstance(cpu, faiss.IndexHNSW) else
                "flat" if isinstance(cpu, faiss.IndexFlat) else "ivfpq")
        index = cls(cpu.d, kind, use_gpu=use_gpu)
        index._cpu, index.ntotal = cpu, int(cpu.ntotal)
        return index


def _pq_bits(n: int) -> int:
    # PQ training needs about 39 x 2^bits points; small galleries get fewer centroids.
    return max(1, min(8, int(np.log2(max(n // 39, 2)))))


def search(queries: np.ndarray, gallery: np.ndarray, k: int, kind: str = "flat",
           use_gpu: bool | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Top-k gallery items by inner product for each query: (sims (Q, k'), indices (Q, k'))."""
    gallery = as_features(gallery, "gallery")
    return GalleryIndex(gallery.shape[1], kind, use_gpu=use_gpu).add(gallery).search(queries, k)


def _round_sum(queries: np.ndarray, vectors: np.ndarray) -> np.ndarray:
    # float64 products summed, then one rounding to float32: two summation orders then give
    # the same float32 (except within 1e-16 of a rounding edge), unlike float32 sums.
    return (queries.astype(np.float64) * vectors.astype(np.float64)).sum(-1).astype(np.float32)


def inner_products(queries: np.ndarray, gallery: np.ndarray) -> np.ndarray:
    """(Q, G) float32 similarities computed in float64: the scores every ranking here uses."""
    queries, gallery = as_features(queries, "queries"), as_features(gallery, "gallery")
    return (queries.astype(np.float64) @ gallery.astype(np.float64).T).astype(np.float32)


def search_bruteforce(queries: np.ndarray, gallery: np.ndarray, k: int
                      ) -> tuple[np.ndarray, np.ndarray]:
    """Numpy reference of `search`: exact scores (`inner_products`), same tie rule."""
    sims = inner_products(queries, gallery)  # (Q, G)
    idx = rank_by_similarity(sims, k)  # (Q, k')
    return np.take_along_axis(sims, idx, axis=1), idx
