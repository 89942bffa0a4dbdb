"""Shared fixtures: one tiny SynthActions per session, isolated cache and results folders."""

import shutil

import pytest


@pytest.fixture(scope="session")
def tiny_root(tmp_path_factory):
    """3 classes x 8 videos (4 train, 4 test each), 16 frames of 48x48: generated once."""
    from ssvzoo.data.synth.generate import generate

    root = tmp_path_factory.mktemp("synth") / "tiny"
    generate(root, classes=3, videos_per_class=8, size=48, frames=16, seed=0, workers=1,
             progress=False)
    return root


@pytest.fixture
def broken_root(tiny_root, tmp_path):
    """A copy of the tiny set with one training video overwritten by garbage bytes."""
    root = tmp_path / "broken"
    shutil.copytree(tiny_root, root)
    first = (root / "trainlist01.txt").read_text().split()[0]
    (root / first).write_bytes(b"not a video" * 10)
    return root, str(root / first)


@pytest.fixture
def dirs(tmp_path, monkeypatch):
    """Fresh results and cache folders; $SSVZOO_RESULTS / $SSVZOO_CACHE point at them."""
    results, cache = tmp_path / "results", tmp_path / "cache"
    monkeypatch.setenv("SSVZOO_RESULTS", str(results))
    monkeypatch.setenv("SSVZOO_CACHE", str(cache))
    return results, cache
