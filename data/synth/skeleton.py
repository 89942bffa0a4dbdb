"""The SynthActions figure: 15 joints from joint angles by 2-D forward kinematics, 10 body parts.

Units are body heights (a standing figure is about 1.0 tall), image axes (x right, y down).
An angle of 0 points a limb straight down and +pi/2 points it to +x ("forward" in the body
frame); the figure's left side is at -x. Everything is vectorised over frames: a pose is a dict
of (T,) angle arrays, joints come out as (T, J, 2).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

JOINT_NAMES = ("head", "neck", "l_shoulder", "r_shoulder", "l_elbow", "r_elbow", "l_wrist",
               "r_wrist", "pelvis", "l_hip", "r_hip", "l_knee", "r_knee", "l_ankle", "r_ankle")
J = {name: i for i, name in enumerate(JOINT_NAMES)}

# Label 0 is the background, so part_names[k] names label k (the oracle teacher counts them).
PART_NAMES = ("background", "head", "torso", "l_upper_arm", "r_upper_arm", "l_lower_arm",
              "r_lower_arm", "l_upper_leg", "r_upper_leg", "l_lower_leg", "r_lower_leg")
P = {name: i for i, name in enumerate(PART_NAMES)}

# Limb parts as capsules between two joints, in painter's order for a figure facing +x:
# the far (left) limbs first, the near (right) limbs last. The torso and head are special.
LIMBS = (("l_upper_leg", "l_hip", "l_knee"), ("l_lower_leg", "l_knee", "l_ankle"),
         ("l_upper_arm", "l_shoulder", "l_elbow"), ("l_lower_arm", "l_elbow", "l_wrist"),
         ("r_upper_leg", "r_hip", "r_knee"), ("r_lower_leg", "r_knee", "r_ankle"),
         ("r_upper_arm", "r_shoulder", "r_elbow"), ("r_lower_arm", "r_elbow", "r_wrist"))

POSE_KEYS = ("lean", "l_arm", "l_elbow", "r_arm", "r_elbow", "l_leg", "l_knee", "r_leg", "r_knee")


@dataclass(frozen=True)
class Body:
    """Segment lengths and thicknesses in body heights (one "actor")."""

    torso: float = 0.30
    neck: float = 0.04
    head_radius: float = 0.07
    shoulder_half: float = 0.09
    hip_half: float = 0.055
    upper_arm: float = 0.17
    lower_arm: float = 0.16
    upper_leg: float = 0.245
    lower_leg: float = 0.245
    limb_radius: float = 0.045  # thick enough to survive a 64-px crop (tiny models)

    @staticmethod
    def random(rng: np.random.Generator) -> Body:
        """An actor: every length within +-12 % of the default, thickness 0.036..0.061."""
        base = Body()
        scale = {k: float(rng.uniform(0.88, 1.12)) for k in base.__dataclass_fields__}
        scale["limb_radius"] = float(rng.uniform(0.8, 1.35))
        return Body(**{k: getattr(base, k) * s for k, s in scale.items()})


def neutral_pose(t: int) -> dict[str, np.ndarray]:
    """Standing, arms slightly out, legs slightly apart: (T,) arrays for every POSE_KEYS entry."""
    pose = {k: np.zeros(t) for k in POSE_KEYS}
    pose["l_arm"][:], pose["r_arm"][:] = -0.25, 0.25  # clear of the torso's outline
    pose["l_elbow"][:], pose["r_elbow"][:] = 0.15, 0.15
    pose["l_leg"][:], pose["r_leg"][:] = -0.05, 0.05
    return pose


def _direction(angle: np.ndarray) -> np.ndarray:
    """Unit vectors (T, 2) for limb angles (0 = down, +pi/2 = +x)."""
    return np.stack([np.sin(angle), np.cos(angle)], axis=-1)


def forward_kinematics(pose: dict[str, np.ndarray], body: Body) -> np.ndarray:
    """Joint positions (T, J, 2) in body heights with the pelvis at the origin.

    Arms hang from the (leaning) torso, legs from the pelvis; each lower segment's angle is its
    upper segment's angle plus the flex at the elbow / knee.
    """
    lean = np.asarray(pose["lean"], dtype=np.float64)
    t = lean.shape[0]
    up = np.stack([np.sin(lean), -np.cos(lean)], axis=-1)  # (T, 2)
    across = np.stack([np.cos(lean), np.sin(lean)], axis=-1)  # towards +x (right side)
    joints = np.zeros((t, len(JOINT_NAMES), 2))
    joints[:, J["neck"]] = body.torso * up
    joints[:, J["head"]] = (body.torso + body.neck + body.head_radius) * up
    for side, sign in (("l", -1.0), ("r", 1.0)):
        shoulder = joints[:, J["neck"]] + sign * body.shoulder_half * across
        hip = sign * body.hip_half * across
        arm = pose[f"{side}_arm"] + lean
        elbow = shoulder + body.upper_arm * _direction(arm)
        wrist = elbow + body.lower_arm * _direction(arm + pose[f"{side}_elbow"])
        knee = hip + body.upper_leg * _direction(pose[f"{side}_leg"])
        ankle = knee + body.lower_leg * _direction(pose[f"{side}_leg"] + pose[f"{side}_knee"])
        for name, value in (("shoulder", shoulder), ("hip", hip), ("elbow", elbow),
                            ("wrist", wrist), ("knee", knee), ("ankle", ankle)):
            joints[:, J[f"{side}_{name}"]] = value
    return joints


def place_on_ground(joints: np.ndarray, body: Body, lift: np.ndarray | None = None) -> np.ndarray:
    """Shift each frame vertically so the lower ankle (plus foot thickness) touches y = 0,
    then raise it by `lift` (T,) body heights (airborne phases of a jump)."""
    foot = joints[:, [J["l_ankle"], J["r_ankle"]], 1].max(axis=1) + body.limb_radius
    out = joints.copy()
    out[..., 1] -= foot[:, None]
    if lift is not None:
        out[..., 1] -= np.asarray(lift)[:, None]
    return out


def torso_quad(joints: np.ndarray) -> np.ndarray:
    """Torso polygon (T, 4, 2): left shoulder, right shoulder, right hip, left hip."""
    return joints[:, [J["l_shoulder"], J["r_shoulder"], J["r_hip"], J["l_hip"]]]
