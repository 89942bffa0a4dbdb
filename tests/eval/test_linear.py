"""Linear probe: the torch softmax regression agrees with scikit-learn's LogisticRegression."""

import numpy as np
import pytest

from ssvzoo.eval.protocols.linear import (LinearRecipe, Standardizer, evaluate,
                                          fit_softmax_regression, select_c, stratified_holdout,
                                          video_clip_arrays)


def blobs(rng, centers, videos_per_class, clips, noise=1.0):
    """(V, clips, D) clip features around a class centre, with a per-video offset."""
    k, d = centers.shape
    labels = np.repeat(np.arange(k), videos_per_class)
    video = centers[labels] + 0.5 * rng.standard_normal((len(labels), d))
    x = video[:, None, :] + noise * rng.standard_normal((len(labels), clips, d))
    return x.astype(np.float32), labels


@pytest.mark.parametrize("c", [0.1, 1.0])
def test_agrees_with_sklearn_within_half_a_point(c):
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(0)
    centers = rng.standard_normal((6, 24)) * 0.5
    train, y_train = blobs(rng, centers, 40, 4)
    test, y_test = blobs(rng, centers, 60, 4)
    x, y, vid = video_clip_arrays(train, y_train)
    xt, yt, vt = video_clip_arrays(test, y_test)
    norm = Standardizer(x)
    ours = fit_softmax_regression(norm(x), y, 6, c)
    sk = LogisticRegression(C=c, max_iter=5000, tol=1e-10).fit(norm(x), y)
    ref = (sk.coef_.T, sk.intercept_)
    for clip_level in (False, True):
        a = evaluate(ours, norm(xt), yt, vt, clip_level)
        b = evaluate(ref, norm(xt), yt, vt, clip_level)
        assert a[1] == pytest.approx(b[1], abs=0.5)
        assert a[5] == pytest.approx(b[5], abs=0.5)
    assert 30 < evaluate(ours, norm(xt), yt, vt, False)[1] < 100  # a task neither trivial nor hopeless
    np.testing.assert_allclose(ours[0], ref[0], atol=1e-3)


def test_holdout_is_stratified_seeded_and_keeps_one_per_class():
    labels = np.array([0] * 10 + [1] * 5 + [2])
    held = stratified_holdout(labels, 0.2, seed=3)
    assert held[labels == 0].sum() == 2 and held[labels == 1].sum() == 1
    assert held[labels == 2].sum() == 0  # a single video stays in training
    assert np.array_equal(held, stratified_holdout(labels, 0.2, seed=3))
    assert not np.array_equal(held, stratified_holdout(labels, 0.2, seed=4))


def test_c_is_chosen_on_holdout_only():
    rng = np.random.default_rng(1)
    centers = rng.standard_normal((3, 8))
    train, y_train = blobs(rng, centers, 20, 2)
    x, y, vid = video_clip_arrays(train, y_train)
    c, scores = select_c(x, y, vid, y_train, 3, LinearRecipe(c_grid=(0.001, 1.0)), seed=0)
    assert set(scores) == {"0.001", "1.0"}
    assert c == max((0.001, 1.0), key=lambda v: (scores[str(v)], -v))
