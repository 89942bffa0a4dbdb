import pytest
import torch


@pytest.fixture(autouse=True)
def _one_thread():
    # 2 shared cores: keep each test's conv work single-threaded.
    torch.set_num_threads(1)


def _clip_for(name: str, batch: int = 2) -> torch.Tensor:
    """Tiny variants at their own 8x64x64 spec; full-size ones at a small 8x56x56 clip."""
    size = 64 if name.endswith("-tiny") else 56
    return torch.randn(batch, 3, 8, size, size, generator=torch.Generator().manual_seed(0))


@pytest.fixture
def clip_for():
    return _clip_for
