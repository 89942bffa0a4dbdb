"""SynthActions classes: each is a function of phase -> joint angles + root motion.

Design goal: a class is told apart by how the pose changes, not by one frame. So classes share
poses on purpose: WalkLeft and WalkRight are the same gait travelling opposite ways (the figure's
facing is random per video, independent of the direction); Run is the walk gait faster and
wider (the amplitude ranges overlap); Jump and Squat share the crouch (arms included) and differ
in the take-off; WaveOneHand and RaiseOneHand reach the same raised arm; WaveTwoHands and Clap
both hold the arms up; Spin's frames look like a narrow or wide standing figure, and every class
gets a random view width. Start phase, cycle frequency, amplitudes and limb choice are random
per video; nothing here depends on appearance. Styles with `shared_poses` (scene.STYLES["motion"])
go further: Run takes exactly the walk's poses (only its tempo differs), and half the videos of
the arm-free classes hold an arm up in a frame of the wave.

An action returns a `Motion`; angles follow skeleton.py (0 = limb down, +pi/2 = towards +x).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from ssvzoo.data.synth.skeleton import Body, neutral_pose

TAU = 2.0 * np.pi


@dataclass
class Motion:
    """Per-frame pose (dict of (T,) angles), root travel `dx` (T,) and `lift` (T,) in body
    heights, and `xscale` (T,) for turning about the vertical axis (1 = no turn)."""

    pose: dict[str, np.ndarray]
    dx: np.ndarray
    lift: np.ndarray
    xscale: np.ndarray


ActionFn = Callable[[np.ndarray, np.ndarray, np.random.Generator, Body], Motion]


@dataclass(frozen=True)
class Action:
    """A class: its CamelCase name, cycle frequency range (Hz) and motion function.

    For styles with `shared_poses`: `shared_fn` replaces `fn` where given, and `arm_free` marks
    classes whose motion does not need an arm held up or waving (one may be frozen raised)."""

    name: str
    freq: tuple[float, float]
    fn: ActionFn
    shared_fn: ActionFn | None = None
    arm_free: bool = False

    def motion(self, p, secs, rng, body, shared_poses: bool = False) -> Motion:
        if not shared_poses:
            return self.fn(p, secs, rng, body)
        motion = (self.shared_fn or self.fn)(p, secs, rng, body)
        if self.arm_free and rng.random() < 0.5:
            hold_one_arm_up(motion.pose, rng)
        return motion


def _motion(pose: dict[str, np.ndarray], dx=None, lift=None, xscale=None) -> Motion:
    t = pose["lean"].shape[0]
    zero = np.zeros(t)
    return Motion(pose, zero if dx is None else dx, zero if lift is None else lift,
                  np.ones(t) if xscale is None else xscale)


def _ease(q: np.ndarray) -> np.ndarray:
    """0 -> 1 -> 0 over one cycle, smooth (raised cosine)."""
    return 0.5 - 0.5 * np.cos(TAU * q)


def _gait(p, secs, rng, amp, knee, arm_ratio, elbow, lean):
    """Shared walk/run leg and arm swing; the legs swing in antiphase, the arms oppose them."""
    pose = neutral_pose(p.shape[0])
    swing, forward = np.sin(TAU * p), np.cos(TAU * p)
    pose["l_leg"] += amp * swing
    pose["r_leg"] -= amp * swing
    # The knee bends while its leg swings forward (its angle's derivative is positive).
    pose["l_knee"] = -knee * np.clip(forward, 0.0, None) - 0.05
    pose["r_knee"] = -knee * np.clip(-forward, 0.0, None) - 0.05
    pose["l_arm"] -= arm_ratio * amp * swing
    pose["r_arm"] += arm_ratio * amp * swing
    pose["l_elbow"][:] = pose["r_elbow"][:] = elbow
    pose["lean"][:] = lean
    return pose


def _walk_gait(p, secs, rng):
    return _gait(p, secs, rng, amp=rng.uniform(0.3, 0.65), knee=rng.uniform(0.4, 1.0),
                 arm_ratio=rng.uniform(0.4, 1.0), elbow=rng.uniform(0.1, 1.3),
                 lean=rng.uniform(-0.05, 0.2))


def walk(direction: float) -> ActionFn:
    def fn(p, secs, rng, body):
        return _motion(_walk_gait(p, secs, rng), dx=direction * rng.uniform(0.25, 0.45) * secs)
    return fn


def _run_travel(p, secs, rng, pose) -> Motion:
    # Either way, at any speed from running on the spot to a walker's pace: the direction is
    # WalkLeft/WalkRight's cue, not Run's.
    dx = rng.choice([-1.0, 1.0]) * rng.uniform(0.0, 0.45) * secs
    lift = rng.uniform(0.0, 0.04) * np.clip(-np.cos(2 * TAU * p), 0.0, None)
    return _motion(pose, dx=dx, lift=lift)


def run(p, secs, rng, body):
    pose = _gait(p, secs, rng, amp=rng.uniform(0.5, 0.85), knee=rng.uniform(0.8, 1.6),
                 arm_ratio=rng.uniform(0.5, 1.0), elbow=rng.uniform(0.1, 1.6),
                 lean=rng.uniform(0.0, 0.3))
    return _run_travel(p, secs, rng, pose)


def run_at_walk_poses(p, secs, rng, body):
    """Run for pose-sharing styles: exactly the walk's gait ranges, so a single frame of Run is
    a frame of WalkLeft/WalkRight; only the tempo (its cycle frequency is twice the walk's, the
    ranges do not overlap), the bounce and the travel tell it apart."""
    return _run_travel(p, secs, rng, _walk_gait(p, secs, rng))


def _crouch(depth: np.ndarray, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """The crouch Jump and Squat share: thighs forward, shins back, torso and arms forward."""
    pose = neutral_pose(depth.shape[0])
    arm_lift, elbow, lean = rng.uniform(0.0, 1.5), rng.uniform(0.1, 0.8), rng.uniform(-0.05, 0.1)
    for side, sign in (("l", -1.0), ("r", 1.0)):
        pose[f"{side}_leg"] = sign * 0.05 + 1.1 * depth
        pose[f"{side}_knee"] = -2.0 * depth
        pose[f"{side}_arm"] = sign * 0.12 + arm_lift * depth
        pose[f"{side}_elbow"][:] = elbow
    pose["lean"] = lean + 0.5 * depth
    return pose


def jump(p, secs, rng, body):
    q = np.mod(p, 1.0)
    deep, height = rng.uniform(0.4, 0.9), rng.uniform(0.12, 0.3)
    # crouch, extend, fly, land, recover (fractions of the cycle)
    depth = np.interp(q, [0.0, 0.25, 0.35, 0.75, 0.85, 1.0], [0.0, deep, 0.0, 0.0, 0.6 * deep, 0.0])
    flying = (q > 0.35) & (q < 0.75)
    lift = np.where(flying, height * np.sin(np.pi * (q - 0.35) / 0.4), 0.0)
    return _motion(_crouch(depth, rng), lift=lift)


def squat(p, secs, rng, body):
    return _motion(_crouch(rng.uniform(0.4, 1.0) * _ease(p), rng))


def _raised_forearm(upper: np.ndarray, sign: float, tilt: np.ndarray) -> np.ndarray:
    """Elbow flex that points the forearm up, tilted by `tilt` radians towards the body."""
    return sign * (np.pi - tilt) - upper


def _wave_tilt(p, rng) -> np.ndarray:
    """The waving forearm's tilt over phase `p`: a rest tilt plus a sway."""
    return rng.uniform(-0.1, 0.4) + rng.uniform(0.35, 0.7) * np.sin(TAU * p)


def wave_one_hand(p, secs, rng, body):
    pose = neutral_pose(p.shape[0])
    side, sign = ("l", -1.0) if rng.random() < 0.5 else ("r", 1.0)
    pose[f"{side}_arm"][:] = sign * rng.uniform(2.2, 2.9)
    pose[f"{side}_elbow"] = _raised_forearm(pose[f"{side}_arm"], sign, _wave_tilt(p, rng))
    pose["lean"][:] = rng.uniform(-0.05, 0.1)
    return _motion(pose)


def hold_one_arm_up(pose: dict[str, np.ndarray], rng: np.random.Generator) -> None:
    """Freeze one arm (random side) in a frame of WaveOneHand's wave: the same raised upper arm
    and forearm tilt (drawn at a random phase), held still. Pose-sharing styles do this to half
    of the videos of the classes that leave an arm free, so a raised arm in one frame no longer
    says WaveOneHand; only the sway does."""
    side, sign = ("l", -1.0) if rng.random() < 0.5 else ("r", 1.0)
    pose[f"{side}_arm"] = np.full_like(pose[f"{side}_arm"], sign * rng.uniform(2.2, 2.9))
    tilt = _wave_tilt(np.full(1, rng.uniform()), rng)
    pose[f"{side}_elbow"] = _raised_forearm(pose[f"{side}_arm"], sign, tilt)


def raise_one_hand(p, secs, rng, body):
    pose = neutral_pose(p.shape[0])
    side, sign = ("l", -1.0) if rng.random() < 0.5 else ("r", 1.0)
    u = _ease(p)
    pose[f"{side}_arm"] = sign * (0.15 + (rng.uniform(2.2, 2.9) - 0.15) * u)
    up = _raised_forearm(pose[f"{side}_arm"], sign, rng.uniform(-0.1, 0.4))
    pose[f"{side}_elbow"] = (1 - u) * 0.15 + u * up
    pose["lean"][:] = rng.uniform(-0.05, 0.1)
    return _motion(pose)


def wave_two_hands(p, secs, rng, body):
    pose = neutral_pose(p.shape[0])
    raise_, tilt0 = rng.uniform(1.6, 2.9), rng.uniform(-0.1, 0.4)
    swing = rng.uniform(0.35, 0.7) * np.sin(TAU * p)  # both forearms sway the same way
    for side, sign in (("l", -1.0), ("r", 1.0)):
        pose[f"{side}_arm"][:] = sign * raise_
        pose[f"{side}_elbow"] = _raised_forearm(pose[f"{side}_arm"], sign, tilt0) + swing
    return _motion(pose)


def _reach(dx: np.ndarray, dy: np.ndarray, upper: float, lower: float, sign: float):
    """Two-link inverse kinematics from the shoulder to offset (dx, dy), elbow outwards.

    Returns (upper-arm angle, elbow flex), each (T,)."""
    r = np.clip(np.hypot(dx, dy), abs(upper - lower) + 1e-3, upper + lower - 1e-3)
    to_target = np.arctan2(dx, dy)
    at_shoulder = np.arccos(np.clip((upper**2 + r**2 - lower**2) / (2 * upper * r), -1, 1))
    best = None
    for bend in (-1.0, 1.0):
        a1 = to_target + bend * at_shoulder
        ex, ey = upper * np.sin(a1), upper * np.cos(a1)
        flex = np.arctan2(dx * r / np.hypot(dx, dy).clip(1e-9) - ex,
                          dy * r / np.hypot(dx, dy).clip(1e-9) - ey) - a1
        if best is None:
            best = (a1, flex, ex)
        else:
            outwards = sign * ex > sign * best[2]
            best = (np.where(outwards, a1, best[0]), np.where(outwards, flex, best[1]), ex)
    return best[0], np.mod(best[1] + np.pi, TAU) - np.pi


def clap(p, secs, rng, body):
    pose = neutral_pose(p.shape[0])
    height = rng.uniform(-0.4, 0.1)  # wrist height relative to the shoulders (negative = up)
    gap = 0.2 * body.limb_radius + rng.uniform(0.12, 0.25) * _ease(p)  # hands meet at q = 0
    for side, sign in (("l", -1.0), ("r", 1.0)):
        dx = sign * (gap - body.shoulder_half)
        arm, flex = _reach(dx, np.full_like(p, height), body.upper_arm, body.lower_arm, sign)
        pose[f"{side}_arm"], pose[f"{side}_elbow"] = arm, flex
    return _motion(pose)


def _held_arms(pose: dict[str, np.ndarray], rng: np.random.Generator) -> None:
    """A static arm pose borrowed from another class (so a Spin frame looks like one of theirs):
    hanging, spread, one arm up, both arms up, or hands together in front of the chest."""
    choice = rng.integers(5)
    for side, sign in (("l", -1.0), ("r", 1.0)):
        if choice == 1:
            pose[f"{side}_arm"][:] = sign * rng.uniform(0.2, 1.6)
        elif choice == 3 or (choice == 2 and side == "l"):
            pose[f"{side}_arm"][:] = sign * rng.uniform(1.8, 2.9)
            tilt = rng.uniform(-0.1, 0.4)
            pose[f"{side}_elbow"] = _raised_forearm(pose[f"{side}_arm"], sign, tilt)
        elif choice == 4:
            pose[f"{side}_arm"][:] = sign * 0.5
            pose[f"{side}_elbow"][:] = -sign * 2.0


def spin(p, secs, rng, body):
    pose = neutral_pose(p.shape[0])
    _held_arms(pose, rng)
    turn = rng.choice([-1.0, 1.0])
    return _motion(pose, xscale=np.cos(TAU * turn * p))


def kick(p, secs, rng, body):
    pose = neutral_pose(p.shape[0])
    side = "l" if rng.random() < 0.5 else "r"
    q, height = np.mod(p, 1.0), rng.uniform(0.8, 1.5)
    keys = [0.0, 0.2, 0.35, 0.6, 1.0]
    pose[f"{side}_leg"] = np.interp(q, keys, [0.0, 0.8 * height, height, 0.0, 0.0])
    pose[f"{side}_knee"] = np.interp(q, keys, [-0.05, -1.6, -0.1, -0.3, -0.05])
    spread = rng.uniform(0.1, 0.8)
    pose["l_arm"] -= spread * np.interp(q, keys, [0, 1, 1, 0, 0])
    pose["r_arm"] += spread * np.interp(q, keys, [0, 1, 1, 0, 0])
    pose["lean"] = -0.15 * np.interp(q, keys, [0, 1, 1, 0, 0])
    return _motion(pose)


def jumping_jacks(p, secs, rng, body):
    pose = neutral_pose(p.shape[0])
    u, top = _ease(p), rng.uniform(2.2, 2.8)
    for side, sign in (("l", -1.0), ("r", 1.0)):
        pose[f"{side}_arm"] = sign * (0.15 + (top - 0.15) * u)
        pose[f"{side}_leg"] = sign * (0.05 + 0.3 * u)
    return _motion(pose, lift=rng.uniform(0.0, 0.05) * np.abs(np.sin(TAU * p)))


# The order fixes class ids; `--classes N` takes the first N. The first six are the default
# (demo) set: WalkLeft/WalkRight have the same poses, Run is their gait faster and wider, Jump
# and Squat share the crouch; a 2-D model on single frames reaches 20.0 % top-1 on them against
# 62.2 % for the same network on clips with the "clean" style, 46.7 % against 72.2 % with
# "motion" (README, "Known status"). The first ten give every class a pose-sharing partner.
ACTIONS: tuple[Action, ...] = (
    Action("WalkLeft", (0.8, 1.2), walk(-1.0), arm_free=True),
    Action("WalkRight", (0.8, 1.2), walk(1.0), arm_free=True),
    Action("Run", (1.6, 2.4), run, shared_fn=run_at_walk_poses, arm_free=True),
    Action("Jump", (0.6, 1.0), jump, arm_free=True),
    Action("Squat", (0.35, 0.8), squat, arm_free=True),
    Action("WaveOneHand", (1.5, 2.8), wave_one_hand),
    Action("RaiseOneHand", (0.35, 0.7), raise_one_hand),
    Action("WaveTwoHands", (1.2, 2.5), wave_two_hands),
    Action("Clap", (1.0, 2.0), clap),
    Action("Spin", (0.4, 0.9), spin),
    Action("Kick", (0.5, 1.0), kick, arm_free=True),
    Action("JumpingJacks", (0.8, 1.5), jumping_jacks),
)
ACTION_NAMES = tuple(a.name for a in ACTIONS)
