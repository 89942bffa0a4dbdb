"""Rasterise SynthActions frames with numpy: backgrounds, distractors, the figure, blur, noise.

Shapes are drawn by signed distance on a pixel grid with a one-pixel soft edge (cheap
anti-aliasing); a pixel belongs to a part in the label map when that part covers at least half
of it and nothing drawn later covers it. The figure is rasterised frame by frame inside its own
bounding box, which keeps the work proportional to the figure's area, not the frame's.
"""

from __future__ import annotations

import numpy as np

from ssvzoo.data.synth.skeleton import J, LIMBS, P, Body, torso_quad

# Painter's order for the figure: far limbs, torso, near limbs, head.
DRAW_ORDER_NAMES = tuple(n for n, _, _ in LIMBS[:4]) + ("torso",) + tuple(
    n for n, _, _ in LIMBS[4:]) + ("head",)
ORDER_LABELS = np.array([P[name] for name in DRAW_ORDER_NAMES], dtype=np.uint8)


def segment_distance(x: np.ndarray, y: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Distance from grid points (x (w,), y (h,)) to segments a -> b (S, 2): (S, h, w)."""
    ab = b - a  # (S, 2)
    denom = np.maximum((ab**2).sum(-1), 1e-9)[:, None, None]
    px = x[None, None, :] - a[:, 0, None, None]  # (S, 1, w)
    py = y[None, :, None] - a[:, 1, None, None]  # (S, h, 1)
    t = np.clip((px * ab[:, 0, None, None] + py * ab[:, 1, None, None]) / denom, 0.0, 1.0)
    return np.hypot(px - t * ab[:, 0, None, None], py - t * ab[:, 1, None, None])


def polygon_inside_distance(x: np.ndarray, y: np.ndarray, poly: np.ndarray) -> np.ndarray:
    """Signed distance (h, w) to a convex polygon (n, 2), positive inside (the minimum over
    edges of the distance to each edge's line: exact inside, a good bound near the edge)."""
    nxt = np.concatenate([poly[1:], poly[:1]])
    orient = 1.0 if np.sum(poly[:, 0] * nxt[:, 1] - nxt[:, 0] * poly[:, 1]) >= 0 else -1.0
    best = np.full((y.shape[0], x.shape[0]), np.inf)
    for i in range(poly.shape[0]):
        a, b = poly[i], poly[(i + 1) % poly.shape[0]]
        edge = b - a
        length = max(float(np.hypot(*edge)), 1e-9)
        # cross(edge, p - a) / |edge|: positive on the inner side of a counter-clockwise edge
        d = orient * (edge[0] * (y[:, None] - a[1]) - edge[1] * (x[None, :] - a[0])) / length
        best = np.minimum(best, d)
    return best


def coverage(signed_inside: np.ndarray) -> np.ndarray:
    """Soft one-pixel edge: 1 well inside, 0 well outside, 0.5 on the boundary."""
    return np.clip(signed_inside + 0.5, 0.0, 1.0)


def draw_figure(frames: np.ndarray, parts: np.ndarray, joints: np.ndarray, body: Body,
                scale: float, colours: np.ndarray) -> None:
    """Paint the figure into `frames` (T, H, W, 3) float32 and `parts` (T, H, W) uint8 in place.

    `joints` (T, J, 2) are pixels, `scale` is pixels per body height, `colours` (len(P), 3).
    """
    t_len, h, w, _ = frames.shape
    radius = max(body.limb_radius * scale, 0.8)
    head_r = body.head_radius * scale
    quads = torso_quad(joints)  # (T, 4, 2)
    for t in range(t_len):
        pts = joints[t]
        lo = np.floor(np.minimum(pts.min(0) - head_r, pts.min(0) - radius) - 2).astype(int)
        hi = np.ceil(np.maximum(pts.max(0) + head_r, pts.max(0) + radius) + 2).astype(int)
        x0, y0 = max(lo[0], 0), max(lo[1], 0)
        x1, y1 = min(hi[0], w), min(hi[1], h)
        if x0 >= x1 or y0 >= y1:
            continue
        x = np.arange(x0, x1, dtype=np.float32) + 0.5
        y = np.arange(y0, y1, dtype=np.float32) + 0.5
        seg_a = np.array([pts[J[a]] for _, a, _ in LIMBS], dtype=np.float32)
        seg_b = np.array([pts[J[b]] for _, _, b in LIMBS], dtype=np.float32)
        limb_cov = coverage(radius - segment_distance(x, y, seg_a, seg_b))  # (8, h, w)
        head_cov = coverage(head_r - segment_distance(x, y, pts[None, J["head"]],
                                                      pts[None, J["head"]])[0])
        torso_in = polygon_inside_distance(x, y, quads[t])
        torso_cov = coverage(torso_in + radius)  # the quad grown by the limb thickness
        covs = {name: limb_cov[i] for i, (name, _, _) in enumerate(LIMBS)}
        covs["head"], covs["torso"] = head_cov, torso_cov
        stack = np.stack([covs[name] for name in DRAW_ORDER_NAMES])  # (10, h, w)
        # Painter's order in one pass: a pixel takes the last part covering at least half of it
        # (label and colour agree), or at the silhouette's soft edge the part covering it most,
        # blended with what lies below by the union coverage.
        last = len(DRAW_ORDER_NAMES) - 1
        covering = stack[::-1] >= 0.5
        top = np.where(covering.any(0), last - np.argmax(covering, axis=0),
                       np.argmax(stack, axis=0))
        label = np.where(covering.any(0), ORDER_LABELS[top], 0)
        alpha = stack.max(0)[..., None]
        tile = frames[t, y0:y1, x0:x1]
        tile += (colours[ORDER_LABELS[top]] - tile) * alpha
        parts[t, y0:y1, x0:x1] = np.where(label > 0, label, parts[t, y0:y1, x0:x1])


def pattern(kind: str, x: np.ndarray, y: np.ndarray, params: dict) -> np.ndarray:
    """Background pattern in [0, 1] at pixel coordinates x, y (broadcastable arrays).

    kinds: "stripes" (angle, period), "checker" (cell), "plasma" (a few random sinusoids),
    "gradient" (angle). Moving backgrounds pass coordinates shifted per frame.
    """
    if kind == "stripes":
        u = x * np.cos(params["angle"]) + y * np.sin(params["angle"])
        return 0.5 + 0.5 * np.sin(2 * np.pi * u / params["period"])
    if kind == "checker":
        cell = params["cell"]
        return ((np.floor(x / cell) + np.floor(y / cell)) % 2).astype(np.float32)
    if kind == "plasma":
        total = 0.0
        for angle, period, phase in params["waves"]:
            u = x * np.cos(angle) + y * np.sin(angle)
            total = total + np.sin(2 * np.pi * u / period + phase)
        return 0.5 + 0.5 * total / len(params["waves"])
    if kind == "gradient":
        u = x * np.cos(params["angle"]) + y * np.sin(params["angle"])
        return np.clip(0.5 + u / params["span"], 0.0, 1.0)
    raise ValueError(f"unknown background pattern {kind!r}")


def draw_background(size: int, offsets: np.ndarray, kind: str, params: dict,
                    colour_a: np.ndarray, colour_b: np.ndarray) -> np.ndarray:
    """Frames (T, size, size, 3) float32 of a pattern seen through a camera at `offsets` (T, 2).

    The coloured texture is rendered once, large enough for every offset, and each frame is a
    crop of it: offsets are rounded to whole pixels (a sub-pixel pan is not worth a resample).
    """
    shift = np.rint(offsets).astype(int)
    lo = shift.min(0)
    span = shift.max(0) - lo + size  # (w, h) of the texture
    x = np.arange(span[0], dtype=np.float32) + 0.5 + lo[0]
    y = np.arange(span[1], dtype=np.float32) + 0.5 + lo[1]
    mix = np.broadcast_to(pattern(kind, x[None, :], y[:, None], params), (span[1], span[0]))
    texture = (colour_a + (colour_b - colour_a) * mix[..., None]).astype(np.float32)
    frames = np.empty((len(offsets), size, size, 3), dtype=np.float32)
    for t, (ox, oy) in enumerate(shift - lo):
        frames[t] = texture[oy:oy + size, ox:ox + size]
    return frames


def draw_shape(frames: np.ndarray, centres: np.ndarray, half: float, disc: bool,
               colour: np.ndarray) -> None:
    """A moving disc (radius `half`) or square (half side) at `centres` (T, 2), in place."""
    _, h, w, _ = frames.shape
    colour = colour.astype(np.float32)
    for t, (cx, cy) in enumerate(centres):
        x0, x1 = max(int(cx - half - 1), 0), min(int(cx + half + 2), w)
        y0, y1 = max(int(cy - half - 1), 0), min(int(cy + half + 2), h)
        if x0 >= x1 or y0 >= y1:
            continue
        dx = np.abs(np.arange(x0, x1, dtype=np.float32) + 0.5 - cx)[None, :]
        dy = np.abs(np.arange(y0, y1, dtype=np.float32) + 0.5 - cy)[:, None]
        c = coverage(half - (np.hypot(dx, dy) if disc else np.maximum(dx, dy)))[..., None]
        tile = frames[t, y0:y1, x0:x1]
        tile += (colour - tile) * c


def blur(frames: np.ndarray) -> np.ndarray:
    """Separable [1, 2, 1] / 4 blur of every frame (T, H, W, C), border pixels left as they are."""
    rows = frames.copy()
    rows[:, 1:-1] += frames[:, 1:-1]
    rows[:, 1:-1] += frames[:, :-2]
    rows[:, 1:-1] += frames[:, 2:]
    rows[:, 1:-1] *= 0.25
    out = rows.copy()
    out[:, :, 1:-1] += rows[:, :, 1:-1]
    out[:, :, 1:-1] += rows[:, :, :-2]
    out[:, :, 1:-1] += rows[:, :, 2:]
    out[:, :, 1:-1] *= 0.25
    return out
