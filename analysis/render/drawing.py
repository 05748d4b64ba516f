"""Drawing primitives of the clips, with OpenCV: text, labels, the 2D skeleton and its angle labels.

Colours come from :mod:`analysis.render.palette` (BGR, OpenCV's order). Lines
and dots are anti-aliased and placed with sub-pixel precision.
"""

from __future__ import annotations

import cv2
import numpy as np

from analysis.motion.skeleton import Skeleton, bone_sides, joint_sides
from analysis.render import palette
from analysis.render.overlays import AngleTrack, TakeOverlays

BGR = palette.BGR
TEXT_COLOUR = palette.bgr(palette.TEXT)
MUTED_TEXT = palette.bgr(palette.MUTED_TEXT)
LABEL_BOX = palette.bgr(palette.LABEL_BOX)
#: Colour of a joint or bone by side code, BGR.
SIDE_BGR: tuple[BGR, ...] = tuple(palette.bgr(colour) for colour in palette.SIDE_COLOURS)
FONT = cv2.FONT_HERSHEY_SIMPLEX
SUBPIXEL_SHIFT = 4
SUBPIXEL = 1 << SUBPIXEL_SHIFT
#: Largest pixel coordinate a label is drawn at (OpenCV takes 32-bit integers).
MAX_DRAWN_COORDINATE = 1e6
#: Characters of one drawn text at most (no line in a frame holds more).
MAX_DRAWN_CHARACTERS = 160


# ------------------------------------------------------------------ text
def drawable_text(text: str) -> str:
    """``text`` as OpenCV can draw it: valid UTF-8 (lone surrogates, which h5py gives for
    undecodable bytes, become "?"), control characters as spaces, at most
    :data:`MAX_DRAWN_CHARACTERS` characters (cut with an ellipsis)."""
    text = str(text)[:MAX_DRAWN_CHARACTERS + 1].encode("utf-8", "replace").decode("utf-8")
    text = "".join(" " if not character.isprintable() else character for character in text)
    return text if len(text) <= MAX_DRAWN_CHARACTERS else text[:MAX_DRAWN_CHARACTERS - 1] + "…"


def text_width(text: str, scale: float, thickness: int = 1) -> int:
    """Width in pixels of ``text`` as :func:`put_text` writes it."""
    return cv2.getTextSize(drawable_text(text), FONT, scale, thickness)[0][0]


def put_text(image: np.ndarray, text: str, origin: tuple[int, int], scale: float, colour: BGR,
             thickness: int = 1) -> None:
    """Anti-aliased text with its baseline starting at ``origin`` (OpenCV 5 draws Unicode, ``°`` included);
    the text is first made :func:`drawable_text`."""
    cv2.putText(image, drawable_text(text), origin, FONT, scale, colour, thickness, cv2.LINE_AA)


def label_size(text: str, scale: float) -> tuple[int, int]:
    """(width, height) of the box :func:`put_label` draws, pixels."""
    pad = _label_pad(scale)
    return text_width(text, scale) + 2 * pad, cv2.getTextSize("Ag", FONT, scale, 1)[0][1] + 2 * pad + 2


def _label_pad(scale: float) -> int:
    return max(2, int(round(4 * scale)))


def put_label(image: np.ndarray, text: str, origin: tuple[int, int], scale: float,
              colour: BGR = TEXT_COLOUR, box: BGR = LABEL_BOX) -> None:
    """Text on a filled box; ``origin`` is the box's top-left corner, kept inside the image."""
    height = cv2.getTextSize("Ag", FONT, scale, 1)[0][1]
    width = text_width(text, scale)
    pad = _label_pad(scale)
    image_h, image_w = image.shape[:2]
    x = int(min(max(origin[0], 0), max(image_w - width - 2 * pad, 0)))
    y = int(min(max(origin[1], 0), max(image_h - height - 2 * pad - 2, 0)))
    cv2.rectangle(image, (x, y), (x + width + 2 * pad, y + height + 2 * pad + 2), box, cv2.FILLED)
    put_text(image, text, (x + pad, y + pad + height), scale, colour)


def fit_text(text: str, scale: float, width: int) -> str:
    """``text``, cut short with an ellipsis where it would be wider than ``width`` pixels."""
    text = drawable_text(text)
    if text_width(text, scale) <= width:
        return text
    while text and text_width(text + "…", scale) > width:
        text = text[:-1]
    return text.rstrip() + "…"


# -------------------------------------------------------------- skeleton
def bone_colours(skeleton: Skeleton) -> list[BGR]:
    """One colour per bone, by the side of the body it is on (:func:`analysis.motion.skeleton.bone_sides`)."""
    return [SIDE_BGR[side] for side in bone_sides(skeleton)]


def joint_colours(skeleton: Skeleton) -> list[BGR]:
    """One colour per joint, by its side (:func:`analysis.motion.skeleton.joint_sides`)."""
    return [SIDE_BGR[side] for side in joint_sides(skeleton)]


def draw_skeleton(image: np.ndarray, points: np.ndarray, skeleton: Skeleton, thickness: int) -> None:
    """Anti-aliased bones and joint dots between the joints that are present.

    Parameters
    ----------
    image : ndarray (H, W, 3) uint8
        Drawn on in place.
    points : ndarray (J, 2)
        Joints in ``image`` pixels; NaN where missing.
    thickness : int
        Bone width, pixels.
    """
    fixed = np.round(np.nan_to_num(points, nan=-1e6).clip(-1e8 / SUBPIXEL, 1e8 / SUBPIXEL) * SUBPIXEL).astype(np.int64)
    valid = np.isfinite(points).all(axis=1)
    by_colour: dict[BGR, list[np.ndarray]] = {}
    for (a, b), colour in zip(skeleton.edges, bone_colours(skeleton)):
        if valid[a] and valid[b]:
            by_colour.setdefault(colour, []).append(fixed[[a, b]].astype(np.int32))
    for colour, lines in by_colour.items():
        cv2.polylines(image, lines, False, LABEL_BOX, thickness + 2, cv2.LINE_AA, SUBPIXEL_SHIFT)
    for colour, lines in by_colour.items():
        cv2.polylines(image, lines, False, colour, thickness, cv2.LINE_AA, SUBPIXEL_SHIFT)
    radius = max(2, thickness + 1)
    for joint, colour in enumerate(joint_colours(skeleton)):
        if valid[joint]:
            centre = (int(fixed[joint, 0]), int(fixed[joint, 1]))
            cv2.circle(image, centre, radius * SUBPIXEL, colour, cv2.FILLED, cv2.LINE_AA, SUBPIXEL_SHIFT)


def format_angle(track: AngleTrack, frame: int) -> str | None:
    """``"L knee 23°"`` at ``frame``, or None where the angle is unknown."""
    value = float(track.degrees[frame])
    return None if not np.isfinite(value) else f"{track.label} {value:.0f}°"


def draw_angle_labels(image: np.ndarray, joints: np.ndarray, take: TakeOverlays, frame: int, scale: float) -> None:
    """Write each angle of ``take`` in a column beside the body, with a leader line to its joint.

    The labels sit right of the skeleton's bounding box (left of it when they
    would leave the image), ordered by the height of their joints and pushed
    apart so that none overlaps another.

    Parameters
    ----------
    image : ndarray (H, W, 3) uint8
        The tile, drawn on in place.
    joints : ndarray (J, 2)
        Joints in ``image`` pixels; NaN where missing. Joints farther than
        :data:`MAX_DRAWN_COORDINATE` from the image count as missing.
    """
    joints = np.where(np.abs(joints) <= MAX_DRAWN_COORDINATE, joints, np.nan)
    side_colour = joint_colours(take.skeleton)
    labels = []
    for track in take.angles:
        text = format_angle(track, frame)
        if text is not None and np.isfinite(joints[track.joint]).all():
            labels.append((joints[track.joint], text, side_colour[track.joint]))
    if not labels:
        return
    labels.sort(key=lambda label: label[0][1])
    present = joints[np.isfinite(joints).all(axis=1)]
    sizes = [label_size(text, scale) for _, text, _ in labels]
    widest = max(width for width, _ in sizes)
    image_h, image_w = image.shape[:2]
    margin = max(10, int(round(24 * scale)))
    on_right = present[:, 0].max() + margin + widest <= image_w - 2
    x = int(present[:, 0].max() + margin) if on_right else int(max(present[:, 0].min() - margin - widest, 2))
    tops, floor = [], 2
    for (joint, _, _), (_, height) in zip(labels, sizes):
        top = max(int(joint[1] - height / 2), floor)
        tops.append(top)
        floor = top + height + 2
    overflow = floor - image_h
    if overflow > 0:
        tops = [max(top - overflow, 2) for top in tops]
    for (joint, text, colour), (width, height), top in zip(labels, sizes, tops):
        anchor = (x, top + height // 2) if on_right else (x + widest, top + height // 2)
        cv2.line(image, (int(joint[0]), int(joint[1])), anchor, colour, 1, cv2.LINE_AA)
        put_label(image, text, (x if on_right else x + widest - width, top), scale, colour)
