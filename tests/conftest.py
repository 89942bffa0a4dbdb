"""Fixtures for the whole suite."""

import pytest


@pytest.fixture(autouse=True)
def _one_torch_thread():
    # Tiny models gain nothing from more threads, and CI has 2 cores for everything.
    import torch

    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)
