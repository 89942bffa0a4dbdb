"""One SynthActions video: draw an actor, a scene and a motion, then render it.

Randomness comes from two generators: the actor's (body proportions, part colours, size),
seeded by (seed, group) and shared by every class in that group, as a UCF101 group shares its
actor; and the video's own, seeded by (seed, class, index), for everything else. Either way no
appearance choice depends on the class, and a video does not depend on the worker that draws it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from ssvzoo.data.synth.actions import ACTIONS
from ssvzoo.data.synth.render import blur, draw_background, draw_figure, draw_shape
from ssvzoo.data.synth.skeleton import PART_NAMES, Body, forward_kinematics, place_on_ground

_ACTOR_STREAM = 1_000_003  # keeps actor seeds apart from (class, index) video seeds
BACKGROUNDS = ("stripes", "checker", "plasma", "gradient")


@dataclass
class RenderedVideo:
    """frames (T, H, W, 3) uint8, parts (T, H, W) uint8, joints (T, J, 2) float32 (x, y)
    pixels, visible (T, J) bool (joint inside the frame)."""

    frames: np.ndarray
    parts: np.ndarray
    joints: np.ndarray
    visible: np.ndarray


@dataclass(frozen=True)
class Actor:
    body: Body
    colours: np.ndarray  # (len(PART_NAMES), 3) 0..255
    height: float  # body height as a fraction of the frame

    @staticmethod
    def draw(seed: int, group: int) -> Actor:
        rng = np.random.default_rng([seed, _ACTOR_STREAM, group])
        return Actor(Body.random(rng), rng.uniform(15, 240, (len(PART_NAMES), 3)),
                     float(rng.uniform(0.55, 0.75)))


def _random_colour(rng: np.random.Generator) -> np.ndarray:
    return rng.uniform(0, 255, 3)


def _background_params(kind: str, size: int, rng: np.random.Generator) -> dict:
    if kind == "stripes":
        return {"angle": rng.uniform(0, np.pi), "period": rng.uniform(0.08, 0.4) * size}
    if kind == "checker":
        return {"cell": rng.uniform(0.05, 0.25) * size}
    if kind == "plasma":
        return {"waves": [(rng.uniform(0, 2 * np.pi), rng.uniform(0.2, 1.2) * size,
                           rng.uniform(0, 2 * np.pi)) for _ in range(3)]}
    return {"angle": rng.uniform(0, 2 * np.pi), "span": rng.uniform(0.6, 2.0) * size}


@dataclass(frozen=True)
class SceneStyle:
    """How much nuisance surrounds the figure (none of it depends on the class)."""

    texture_contrast: float  # std of the background's second colour around its first
    drift_share: float  # share of videos whose background drifts
    max_distractors: int  # moving discs and squares, 0..max per video
    distractor_speed: float  # px per frame (std)
    colour_jitter: float  # per-video change of the part colours (std)
    noise_max: float  # sensor noise std, drawn in [0, noise_max]
    blur_share: float  # share of blurred videos
    shake: float  # camera shake step std, drawn in [0, shake]
    figure_scale: float  # multiplies the actor's height (a fraction of the frame)
    colours_per_video: bool  # True: part colours drawn per video, not per actor
    grey_background: bool  # True: a grey of random brightness, lightly tinted; False: any colour
    palette: bool = False  # True: every figure wears PALETTE (+ colour_jitter), like a parsing map
    grey_range: tuple[float, float] = (50.0, 205.0)  # brightness of a grey background
    # Not nuisance but the classes' motions: Run takes the walk's poses and half the videos of
    # the arm-free classes hold an arm up as in a wave (actions.Action.motion), so that single
    # frames say less and the class is in the motion.
    shared_poses: bool = False


# "clean" is the default because a tiny 3-D CNN learns it on 2 CPU cores: measured with a
# throwaway script (r2plus1d_18-tiny, AdamW, 10 classes x 40 videos), "cluttered" (generator
# version 2) stayed near chance after 12 epochs, and with per-actor colours the model fitted the
# 6 training actors' videos (58 %) but not the unseen test actors (22 %). Per-video colours
# give the classifier many appearances per class, so appearance cannot stand in for motion.
# Grey backgrounds: a saturated random background colour dominated the pooled features of a
# random-init network (retrieval R@1 17.8 on 6 classes, chance 16.7); on grey it was 31.1.
# "uniform" is for instance-contrastive pre-training: two clips of a video must not be matched
# by a per-video appearance cue. With the palette but greys of 50..205, MoCo's pooled features
# (r2plus1d_18-tiny, 10 epochs) had 79 % of their variance in one direction correlated 0.95
# with the background's brightness (colour jitter cannot remove it: the palette gives the
# reference) and retrieval fell to chance (16.7).
STYLES: dict[str, SceneStyle] = {
    "clean": SceneStyle(texture_contrast=0.0, drift_share=0.0, max_distractors=0,
                        distractor_speed=0.0, colour_jitter=12.0, noise_max=2.0, blur_share=0.0,
                        shake=0.3, figure_scale=1.2, colours_per_video=True,
                        grey_background=True),
    "uniform": SceneStyle(texture_contrast=0.0, drift_share=0.0, max_distractors=0,
                          distractor_speed=0.0, colour_jitter=12.0, noise_max=2.0, blur_share=0.0,
                          shake=0.3, figure_scale=1.2, colours_per_video=False,
                          grey_background=True, palette=True, grey_range=(118.0, 138.0)),
    "cluttered": SceneStyle(texture_contrast=15.0, drift_share=0.5, max_distractors=3,
                            distractor_speed=0.6, colour_jitter=12.0, noise_max=6.0,
                            blur_share=0.4, shake=0.6, figure_scale=1.0, colours_per_video=False,
                            grey_background=False),
}
# "motion" is "uniform" with poses shared harder. On "uniform" a 2-D twin (single middle frames)
# reached 63.3 % against 77.8 % for the clip model (r2plus1d_18-tiny, 30 epochs): a raised arm
# gave WaveOneHand away in any frame, and Run's wider gait gave Run away. On "motion" the twin
# gets 35.9 % against 73.0 % on clips (s3d-tiny, mean of 3 seeds; README, "Known status").
STYLES["motion"] = replace(STYLES["uniform"], shared_poses=True)


def _palette() -> np.ndarray:
    """(len(PART_NAMES), 3): one saturated colour per body part, hues spread round the wheel."""
    import colorsys

    n = len(PART_NAMES) - 1  # the background has none
    hues = [(k * 7 % n) / n for k in range(n)]  # neighbouring parts get distant hues
    rgb = [colorsys.hsv_to_rgb(h, 0.8, 0.85 if k % 2 else 0.55) for k, h in enumerate(hues)]
    return np.array([(0.0, 0.0, 0.0)] + rgb) * 255


PALETTE = _palette()


def _camera_jitter(frames: int, rng: np.random.Generator, shake: float) -> np.ndarray:
    """Hand-held shake (T, 2) pixels: a damped random walk, centred, a few pixels at most."""
    steps = rng.normal(0.0, rng.uniform(0.0, shake), (frames, 2))
    walk = np.cumsum(steps, axis=0) * 0.7
    return np.clip(walk - walk.mean(0), -3.0, 3.0)


def render_video(class_index: int, video_index: int, group: int, size: int, frames: int,
                 fps: float, seed: int, style: SceneStyle = STYLES["clean"]) -> RenderedVideo:
    """Render video `video_index` of class `class_index` (ids into `ACTIONS`)."""
    actor = Actor.draw(seed, group)
    rng = np.random.default_rng([seed, class_index, video_index])
    action = ACTIONS[class_index]

    # motion: random frequency and start phase; facing and view width random per video
    secs = np.arange(frames) / fps
    phase = rng.uniform() + rng.uniform(*action.freq) * secs
    motion = action.motion(phase, secs, rng, actor.body, style.shared_poses)
    joints = forward_kinematics(motion.pose, actor.body)  # (T, J, 2) body heights
    facing, view = rng.choice([-1.0, 1.0]), rng.uniform(0.5, 1.0)
    joints[..., 0] *= (facing * view * motion.xscale)[:, None]
    joints = place_on_ground(joints, actor.body, motion.lift)

    # into pixels: body size, position, centred travel, camera shake
    scale = actor.height * style.figure_scale * size * rng.uniform(0.9, 1.1)
    shake = _camera_jitter(frames, rng, style.shake)
    root_x = size * rng.uniform(0.35, 0.65) + (motion.dx - motion.dx.mean()) * scale
    ground = rng.uniform(min(scale + 0.05 * size, 0.97 * size), 0.97 * size)
    joints_px = joints * scale
    joints_px[..., 0] += root_x[:, None]
    joints_px[..., 1] += ground
    joints_px += shake[:, None, :]

    # scene: a (possibly drifting) textured background, moving distractors, the figure
    kind = BACKGROUNDS[rng.integers(len(BACKGROUNDS))]
    # px per frame, for a `drift_share` of the videos
    drift = rng.normal(0.0, 0.4, 2) * (rng.random() < style.drift_share)
    offsets = np.arange(frames)[:, None] * drift - shake
    base = (rng.uniform(*style.grey_range) + rng.normal(0.0, 8.0, 3)).clip(0, 255) \
        if style.grey_background else _random_colour(rng)
    # second texture colour near the first (style.texture_contrast; 0 = flat): the background
    # stays low-contrast, so the figure is the salient thing. Measured: at full contrast a
    # tiny 3-D CNN could not fit 300 training videos in 25 epochs; with a flat background it
    # reached 57 % train / 31 % test (a throwaway script).
    second = np.clip(base + rng.normal(0.0, style.texture_contrast, 3), 0, 255)
    canvas = draw_background(size, offsets, kind, _background_params(kind, size, rng),
                             base, second)
    for _ in range(rng.integers(0, style.max_distractors + 1)):
        start = rng.uniform(0, size, 2)
        velocity = rng.normal(0.0, style.distractor_speed, 2)
        centres = start + np.arange(frames)[:, None] * velocity + shake
        draw_shape(canvas, centres, rng.uniform(0.03, 0.09) * size, bool(rng.random() < 0.5),
                   _random_colour(rng))
    parts = np.zeros((frames, size, size), dtype=np.uint8)
    if style.palette:
        own = PALETTE
    elif style.colours_per_video:
        own = rng.uniform(15, 240, actor.colours.shape)
    else:
        own = actor.colours
    colours = np.clip(own + rng.normal(0, style.colour_jitter, actor.colours.shape), 0, 255)
    draw_figure(canvas, parts, joints_px, actor.body, scale, colours.astype(np.float32))

    # camera: mild blur for some videos, sensor noise of random strength
    if rng.random() < style.blur_share:
        canvas = blur(canvas)
    sigma = rng.uniform(0.0, style.noise_max)
    if sigma > 1.0:
        # luminance noise: one draw per pixel, a third of the cost of per-channel noise
        canvas += rng.standard_normal(canvas.shape[:3] + (1,), dtype=np.float32) * np.float32(sigma)
    canvas += 0.5  # round, not truncate
    video = np.clip(canvas, 0, 255, out=canvas).astype(np.uint8)
    visible = ((joints_px >= 0) & (joints_px < size)).all(-1)
    return RenderedVideo(video, parts, joints_px.astype(np.float32), visible)
