"""A data order that is a pure function of (seed, epoch): what makes resume exact.

`EpochSampler` shuffles with a generator seeded by (seed, epoch), shards the permutation over
ranks like `DistributedSampler`, and can skip the samples of the steps already done, so a run
resumed mid-epoch sees the same remaining batches. `SeededItems` gives every item its own
random state derived from (seed, epoch, index), so augmentations do not depend on which worker
loads an item or on what was loaded before it.
"""

from __future__ import annotations

import random
from typing import Any, Iterator

import numpy as np
import torch
from torch.utils.data import DataLoader, Dataset, Sampler


def item_seed(seed: int, epoch: int, index: int) -> int:
    """A 63-bit seed for one (run seed, epoch, dataset index); SeedSequence mixes the bits."""
    return int(np.random.SeedSequence([seed, epoch, index]).generate_state(1, np.uint64)[0] >> 1)


def epoch_seed(seed: int, epoch: int) -> int:
    """The seed of one epoch's permutation (a different stream from every item's)."""
    return int(np.random.SeedSequence([seed, epoch]).generate_state(1, np.uint64)[0] >> 1)


class EpochSampler(Sampler):
    """Yields `(index, epoch)` pairs: this rank's share of a per-epoch permutation.

    With `drop_last` the tail that does not fill every rank equally is dropped; otherwise the
    permutation is padded by wrapping around (DistributedSampler's rule). `set_epoch(e, skip)`
    chooses the epoch and how many of this rank's samples to skip (steps done x batch size).
    """

    def __init__(self, num_samples: int, *, num_replicas: int = 1, rank: int = 0,
                 shuffle: bool = True, seed: int = 0, drop_last: bool = True):
        self.n = num_samples
        self.num_replicas, self.rank = num_replicas, rank
        self.shuffle, self.seed, self.drop_last = shuffle, seed, drop_last
        self.epoch, self.skip = 0, 0
        if drop_last and num_samples >= num_replicas:
            self.per_rank = num_samples // num_replicas
        else:
            self.per_rank = -(-num_samples // num_replicas)

    def set_epoch(self, epoch: int, skip: int = 0) -> None:
        self.epoch, self.skip = epoch, skip

    def indices(self) -> list[int]:
        """This rank's full list for the current epoch (before skipping)."""
        if self.shuffle:
            g = torch.Generator().manual_seed(epoch_seed(self.seed, self.epoch))
            order = torch.randperm(self.n, generator=g).tolist()
        else:
            order = list(range(self.n))
        total = self.per_rank * self.num_replicas
        while len(order) < total:  # pad by wrapping (only without drop_last)
            order += order[: total - len(order)]
        return order[self.rank:total:self.num_replicas]

    def __iter__(self) -> Iterator[tuple[int, int]]:
        for index in self.indices()[self.skip:]:
            yield index, self.epoch

    def __len__(self) -> int:
        return max(0, self.per_rank - self.skip)


class SeededItems(Dataset):
    """Wraps a dataset: item `(index, epoch)` is loaded under its own seeded random state.

    The python, numpy and torch global generators are seeded from `item_seed` for the duration
    of `dataset[index]` and restored afterwards, so loading in the main process
    (num_workers=0) does not disturb the training loop's random stream.
    """

    def __init__(self, dataset: Dataset, seed: int):
        self.dataset, self.seed = dataset, seed

    def __len__(self) -> int:
        return len(self.dataset)  # type: ignore[arg-type]

    def __getitem__(self, key: tuple[int, int]) -> Any:
        index, epoch = key
        s = item_seed(self.seed, epoch, index)
        py_state, np_state = random.getstate(), np.random.get_state()
        with torch.random.fork_rng(devices=[]):
            random.seed(s)
            np.random.seed(s % (2**32))
            torch.default_generator.manual_seed(s)  # CPU only: CUDA streams stay untouched
            try:
                return _getitem(self.dataset, index, epoch)
            finally:
                random.setstate(py_state)
                np.random.set_state(np_state)


def _getitem(dataset: Dataset, index: int, epoch: int) -> Any:
    # VideoDataset seeds each item from (its seed, epoch, index) itself; this copy of the
    # dataset (one per worker) learns the epoch here. Other datasets use the seeded globals.
    set_epoch = getattr(dataset, "set_epoch", None)
    if callable(set_epoch):
        set_epoch(epoch)
    return dataset[index]


def build_loader(dataset: Dataset, sampler: EpochSampler, *, batch_size: int, num_workers: int,
                 seed: int, pin_memory: bool, collate_fn,
                 persistent_workers: bool = False) -> DataLoader:
    """DataLoader over `SeededItems`; its own generator keeps the global torch RNG untouched.

    `persistent_workers` keeps worker processes (and what they cached) across epochs."""
    return DataLoader(
        SeededItems(dataset, seed), batch_size=batch_size, sampler=sampler,
        num_workers=num_workers, collate_fn=collate_fn, pin_memory=pin_memory,
        drop_last=sampler.drop_last, persistent_workers=persistent_workers and num_workers > 0,
        generator=torch.Generator().manual_seed(seed),
    )
