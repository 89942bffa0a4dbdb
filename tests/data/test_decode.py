from __future__ import annotations

import numpy as np
import pytest

from ssvzoo.data.decode import Video, probe, read_clip
from ssvzoo.errors import SsvzooError, VideoReadError


def test_probe_reports_header_and_keyframes(lossless_video):
    path, frames = lossless_video
    info = probe(path)
    assert info.num_frames == 40
    assert info.fps == pytest.approx(25.0)
    assert info.duration == pytest.approx(1.6, abs=0.05)
    assert (info.width, info.height) == (32, 24)
    assert info.keyframes == [0, 8, 16, 24, 32]  # gop 8
    assert info.codec == "h264"


def test_frames_exact_in_requested_order_with_duplicates(lossless_video):
    path, frames = lossless_video
    wanted = [5, 3, 3, 39, 0, 20, 5]
    with Video(path) as video:
        got = video.frames(wanted)
    assert got.shape == (7, 24, 32, 3) and got.dtype == np.uint8
    np.testing.assert_array_equal(got, frames[wanted])


def test_seek_path_equals_sequential_path(lossless_video):
    path, frames = lossless_video
    wanted = np.array([1, 2, 17, 18, 33, 39, 9])
    with Video(path, seek_min_skip=1) as seeking, Video(path, seek_min_skip=10**6) as forward:
        np.testing.assert_array_equal(seeking.frames(wanted), forward.frames(wanted))
        np.testing.assert_array_equal(seeking.frames(wanted), frames[wanted])


def test_repeated_calls_on_one_handle(lossless_video):
    path, frames = lossless_video
    with Video(path) as video:
        np.testing.assert_array_equal(video.frames([30, 31]), frames[[30, 31]])
        np.testing.assert_array_equal(video.frames([0, 1]), frames[[0, 1]])  # backwards: seeks


def test_lossy_codecs_agree_between_seek_and_forward(make_video, tmp_path):
    for name, codec in [("a.mp4", "libx264"), ("a.avi", "mpeg4"), ("a.webm", "libvpx-vp9")]:
        path, _ = make_video(tmp_path / name, num_frames=30, lossless=False, codec=codec)
        wanted = [25, 2, 13]
        with Video(path, seek_min_skip=1) as a, Video(path, seek_min_skip=10**6) as b:
            assert a.info.num_frames == 30
            np.testing.assert_array_equal(a.frames(wanted), b.frames(wanted))


def test_lossy_bframes_map_each_frame_to_its_own_index(tmp_path):
    # x264 "veryfast" uses B-frames: decode order differs from display order, so this checks
    # the pts -> index mapping. Smoothly moving content: frame t is nearest to source frame t.
    t, h, w = 24, 24, 32
    x = np.arange(w)[None, None, :, None]
    source = np.broadcast_to((x * 8 + np.arange(t)[:, None, None, None] * 10) % 256,
                             (t, h, w, 3)).astype(np.uint8)
    from ssvzoo.data.encode import write_video

    path = write_video(tmp_path / "b.mp4", source, gop=12, crf=10)
    with Video(path) as video:
        got = video.frames(np.arange(t)[::-1]).astype(np.int32)[::-1]
    dist = np.abs(got[:, None] - source[None].astype(np.int32)).mean(axis=(2, 3, 4))  # (T, T)
    np.testing.assert_array_equal(dist.argmin(axis=1), np.arange(t))


def test_keyframes_only(lossless_video):
    path, frames = lossless_video
    with Video(path) as video:
        idx, key = video.keyframes()
        np.testing.assert_array_equal(idx, [0, 8, 16, 24, 32])
        np.testing.assert_array_equal(key, frames[idx])
        # skip_frame is reset afterwards: ordinary decoding still sees every frame
        np.testing.assert_array_equal(video.frames([3, 4]), frames[[3, 4]])


def test_read_clip_and_index_range(lossless_video):
    path, frames = lossless_video
    np.testing.assert_array_equal(read_clip(path, [7]), frames[[7]])
    with Video(path) as video:
        with pytest.raises(IndexError):
            video.frames([40])
        assert video.frames([]).shape == (0, 24, 32, 3)


@pytest.mark.parametrize("kind", ["zero_byte", "truncated", "text", "missing"])
def test_broken_files_raise_one_typed_error(broken_files, kind):
    path = broken_files[kind]
    with pytest.raises(VideoReadError) as err:
        probe(path)
    assert isinstance(err.value, SsvzooError)
    assert err.value.path == str(path)
    assert err.value.cause and str(path) in str(err.value)


def test_directory_and_audio_only_raise(tmp_path):
    with pytest.raises(VideoReadError, match="directory"):
        probe(tmp_path)
    import av

    audio = tmp_path / "tone.wav"
    with av.open(str(audio), "w") as out:
        stream = out.add_stream("pcm_s16le", rate=8000)
        frame = av.AudioFrame.from_ndarray(np.zeros((1, 800), np.int16), format="s16", layout="mono")
        frame.sample_rate = 8000
        for packet in stream.encode(frame):
            out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    with pytest.raises(VideoReadError, match="no video stream"):
        probe(audio)
