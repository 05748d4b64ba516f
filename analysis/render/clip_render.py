"""Composing the frames of an annotated clip: video tiles, skeleton, angles, score, penalty strip.

Pure drawing with OpenCV and numpy (no Qt): :class:`ClipRenderer` turns the
decoded camera images of one frame into one output image. Three layouts:

- ``single``: one camera view;
- ``mosaic``: every view, 2 rows of 4 tiles (480 px wide each);
- ``compare``: one view of the trainee beside the same view of an exemplar,
  the exemplar shown at its time-aligned frame.

Below the video sit an information band (take, frame and time, score) and
the penalty strip: one row per penalty item with its frame span (or the
model's per-frame probability) and a cursor at the current frame. Views
without video show the skeleton on a neutral background. Everything that
does not change during the clip (labels, bars) is drawn once, at
construction, so each frame costs only the tiles and a cursor.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np

from analysis.geometry.cameras import Camera
from analysis.motion.skeleton import Skeleton

LAYOUTS: tuple[str, ...] = ("single", "mosaic", "compare")

BGR = tuple[int, int, int]


def hex_to_bgr(colour: str) -> BGR:
    """``"#3fa9ff"`` -> ``(255, 169, 63)``."""
    value = colour.lstrip("#")
    red, green, blue = (int(value[k:k + 2], 16) for k in (0, 2, 4))
    return blue, green, red


LEFT_COLOUR = hex_to_bgr("#3fa9ff")
RIGHT_COLOUR = hex_to_bgr("#ff7043")
CENTRE_COLOUR = hex_to_bgr("#ffffff")
NEUTRAL_BACKGROUND = hex_to_bgr("#23272e")
PANEL_BACKGROUND = hex_to_bgr("#15181d")
ROW_BACKGROUND = hex_to_bgr("#1f242b")
TEXT_COLOUR = hex_to_bgr("#e8eaed")
MUTED_TEXT = hex_to_bgr("#9aa0a6")
LABEL_BOX = hex_to_bgr("#101215")
CURSOR_COLOUR = hex_to_bgr("#ffffff")
#: Bar colour of a recorded penalty by deduction (light to heavy).
SEVERITY_COLOURS: dict[float, BGR] = {
    0.1: hex_to_bgr("#f6c945"), 0.3: hex_to_bgr("#ff9f40"),
    0.5: hex_to_bgr("#ff6b3d"), 1.0: hex_to_bgr("#e53935"),
}
PROBABILITY_COLOUR = hex_to_bgr("#ff5252")

MOSAIC_COLUMNS = 4
MOSAIC_TILE_WIDTH = 480
SINGLE_WIDTH_RANGE = (640, 1920)
COMPARE_TILE_WIDTH_RANGE = (640, 960)
INFO_BAND_HEIGHT = 30
PENALTY_ROW_HEIGHT = 22
STRIP_PADDING = 6
STRIP_LABEL_WIDTH = 230
FONT = cv2.FONT_HERSHEY_SIMPLEX
_SUBPIXEL_SHIFT = 4
_SUBPIXEL = 1 << _SUBPIXEL_SHIFT


# ------------------------------------------------------------------ data
@dataclass(frozen=True)
class AngleTrack:
    """A joint angle written next to its joint.

    Attributes
    ----------
    joint : int
        Index of the joint in the skeleton where the label is placed.
    label : str
        Short name shown before the value (``"L knee"``).
    degrees : ndarray (T,)
        The angle per frame, degrees; NaN where unknown (nothing is written).
    """

    joint: int
    label: str
    degrees: np.ndarray


@dataclass(frozen=True)
class TakeOverlays:
    """What is drawn over the views of one take.

    Attributes
    ----------
    label : str
        Names the take in titles (``"take3 · Straight jump"``).
    skeleton : Skeleton
    points : ndarray (V, T, J, 2) or None
        Joint positions in each camera's pixels (2D detections or reprojected
        3D); NaN where missing. None draws no skeleton.
    angles : tuple of AngleTrack
    fps : float
        Frames per second of the take.
    """

    label: str
    skeleton: Skeleton
    points: np.ndarray | None
    angles: tuple[AngleTrack, ...]
    fps: float


@dataclass(frozen=True)
class PenaltyTrack:
    """One row of the penalty strip.

    Attributes
    ----------
    name : str
        Item name from the penalty catalogue (the code when the catalogue lacks it).
    deduction : float or None
        The annotated deduction in points; None for a predicted item.
    activity : ndarray (T,)
        Per frame, how strongly the fault is present: 1 inside a recorded span
        and 0 outside, or the model's probability; NaN everywhere when the
        recorded span is unknown.
    """

    name: str
    deduction: float | None
    activity: np.ndarray


@dataclass(frozen=True)
class ClipOverlays:
    """Everything drawn over a clip besides the video.

    Attributes
    ----------
    take : TakeOverlays
        The (trainee) take's skeleton and angles.
    score : float or None
        Score shown in the information band; None shows no score.
    score_source : str
        Where the score comes from, shown beside it (``"annotated"``, ``"predicted"``).
    penalties : tuple of PenaltyTrack or None
        Rows of the penalty strip; None draws no strip, an empty tuple a strip
        saying that no penalty is recorded.
    timestamp : bool
        Write the frame index and time in the information band.
    """

    take: TakeOverlays
    score: float | None = None
    score_source: str = "annotated"
    penalties: tuple[PenaltyTrack, ...] | None = None
    timestamp: bool = True


@dataclass(frozen=True)
class ExemplarPane:
    """The exemplar side of the ``compare`` layout.

    Attributes
    ----------
    take : TakeOverlays
    camera : Camera
        The exemplar's camera of the compared view.
    frame_for : ndarray (T_trainee,) int
        Exemplar frame shown with each trainee frame (the time alignment).
    """

    take: TakeOverlays
    camera: Camera
    frame_for: np.ndarray


# ------------------------------------------------------------------ text
def text_width(text: str, scale: float, thickness: int = 1) -> int:
    """Width in pixels of ``text`` as :func:`put_text` writes it."""
    return cv2.getTextSize(text, FONT, scale, thickness)[0][0]


def put_text(image: np.ndarray, text: str, origin: tuple[int, int], scale: float, colour: BGR,
             thickness: int = 1) -> None:
    """Anti-aliased text with its baseline starting at ``origin`` (OpenCV 5 draws Unicode, ``°`` included)."""
    cv2.putText(image, text, origin, FONT, scale, colour, thickness, cv2.LINE_AA)


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


# -------------------------------------------------------------- skeleton
def bone_colours(skeleton: Skeleton) -> list[BGR]:
    """One colour per bone: blue on the left, orange on the right, white across the body."""
    side = {a: LEFT_COLOUR for a, _ in skeleton.pairs} | {b: RIGHT_COLOUR for _, b in skeleton.pairs}
    colours = []
    for a, b in skeleton.edges:
        sides = {side[j] for j in (a, b) if j in side}
        colours.append(sides.pop() if len(sides) == 1 else CENTRE_COLOUR)
    return colours


def joint_colours(skeleton: Skeleton) -> list[BGR]:
    """One colour per joint, with the same side convention as :func:`bone_colours`."""
    side = {a: LEFT_COLOUR for a, _ in skeleton.pairs} | {b: RIGHT_COLOUR for _, b in skeleton.pairs}
    return [side.get(j, CENTRE_COLOUR) for j in range(skeleton.n_joints)]


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
    fixed = np.round(np.nan_to_num(points, nan=-1e6) * _SUBPIXEL).clip(-1e8, 1e8).astype(np.int64)
    valid = np.isfinite(points).all(axis=1)
    by_colour: dict[BGR, list[np.ndarray]] = {}
    for (a, b), colour in zip(skeleton.edges, bone_colours(skeleton)):
        if valid[a] and valid[b]:
            by_colour.setdefault(colour, []).append(fixed[[a, b]].astype(np.int32))
    for colour, lines in by_colour.items():
        cv2.polylines(image, lines, False, LABEL_BOX, thickness + 2, cv2.LINE_AA, _SUBPIXEL_SHIFT)
    for colour, lines in by_colour.items():
        cv2.polylines(image, lines, False, colour, thickness, cv2.LINE_AA, _SUBPIXEL_SHIFT)
    radius = max(2, thickness + 1)
    for joint, colour in enumerate(joint_colours(skeleton)):
        if valid[joint]:
            centre = (int(fixed[joint, 0]), int(fixed[joint, 1]))
            cv2.circle(image, centre, radius * _SUBPIXEL, colour, cv2.FILLED, cv2.LINE_AA, _SUBPIXEL_SHIFT)


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
        Joints in ``image`` pixels; NaN where missing.
    """
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


# ----------------------------------------------------------------- tiles
@dataclass(frozen=True)
class Tile:
    """Where one camera view goes in the output image.

    Attributes
    ----------
    x, y, width, height : int
        The tile, output pixels.
    camera : Camera
        Whose image (``camera.width`` x ``camera.height``) fills the tile, aspect kept.
    """

    x: int
    y: int
    width: int
    height: int
    camera: Camera

    @property
    def scale(self) -> float:
        """Output pixels per camera pixel."""
        return min(self.width / self.camera.width, self.height / self.camera.height)

    @property
    def image_size(self) -> tuple[int, int]:
        """(width, height) of the letterboxed camera image, output pixels."""
        return (max(1, round(self.camera.width * self.scale)), max(1, round(self.camera.height * self.scale)))

    @property
    def image_origin(self) -> tuple[int, int]:
        width, height = self.image_size
        return self.x + (self.width - width) // 2, self.y + (self.height - height) // 2


def _even(value: float) -> int:
    return max(2, int(round(value / 2.0)) * 2)


def _tile_height(camera: Camera, width: int) -> int:
    return _even(width * camera.height / camera.width)


def layout_tiles(layout: str, cameras: Sequence[Camera]) -> tuple[list[Tile], tuple[int, int]]:
    """Tiles of a layout and the (width, height) of the video area, output pixels.

    Parameters
    ----------
    layout : {"single", "mosaic", "compare"}
    cameras : sequence of Camera
        ``single``: one camera; ``mosaic``: every view, in display order;
        ``compare``: the trainee's then the exemplar's camera of the view.
    """
    if layout == "single":
        (camera,) = cameras
        width = _even(np.clip(camera.width, *SINGLE_WIDTH_RANGE))
        height = _tile_height(camera, width)
        return [Tile(0, 0, width, height, camera)], (width, height)
    if layout == "mosaic":
        width = MOSAIC_TILE_WIDTH
        height = max(_tile_height(camera, width) for camera in cameras)
        rows = -(-len(cameras) // MOSAIC_COLUMNS)
        columns = min(len(cameras), MOSAIC_COLUMNS)
        tiles = [Tile((k % MOSAIC_COLUMNS) * width, (k // MOSAIC_COLUMNS) * height, width, height, camera)
                 for k, camera in enumerate(cameras)]
        return tiles, (columns * width, rows * height)
    if layout == "compare":
        trainee, exemplar = cameras
        width = _even(np.clip(trainee.width, *COMPARE_TILE_WIDTH_RANGE))
        height = max(_tile_height(trainee, width), _tile_height(exemplar, width))
        return [Tile(0, 0, width, height, trainee), Tile(width, 0, width, height, exemplar)], (2 * width, height)
    raise ValueError(f"unknown layout {layout!r}; expected one of {', '.join(LAYOUTS)}")


def _tile_text_scale(tile: Tile) -> float:
    return float(np.clip(tile.width / 1000.0, 0.38, 0.6))


def render_tile(canvas: np.ndarray, tile: Tile, image: np.ndarray | None, take: TakeOverlays, view: int,
                frame: int, title: str) -> None:
    """Draw one view of one frame into its tile of ``canvas``.

    Parameters
    ----------
    canvas : ndarray (H, W, 3) uint8
        The output image, drawn on in place.
    image : ndarray (h, w, 3) uint8 or None
        The decoded camera image; None (no video) leaves a neutral background.
    view : int
        Index of the view in ``take.points``.
    frame : int
        Frame of ``take`` shown.
    """
    region = canvas[tile.y:tile.y + tile.height, tile.x:tile.x + tile.width]
    region[:] = NEUTRAL_BACKGROUND
    width, height = tile.image_size
    left, top = tile.image_origin[0] - tile.x, tile.image_origin[1] - tile.y
    picture = region[top:top + height, left:left + width]
    if image is not None:
        interpolation = cv2.INTER_AREA if width < image.shape[1] else cv2.INTER_LINEAR
        if image.shape[:2] == (height, width):
            picture[:] = image
        else:
            cv2.resize(image, (width, height), dst=picture, interpolation=interpolation)
    scale = width / tile.camera.width
    text_scale = _tile_text_scale(tile)
    if take.points is not None:
        joints = take.points[view, frame] * scale + (left, top)
        draw_skeleton(region, joints, take.skeleton, thickness=max(2, int(round(width / 320))))
        draw_angle_labels(region, joints, take, frame, text_scale * 0.9)
    if image is None:
        put_label(region, "no video", (6, tile.height - 24), text_scale * 0.85, MUTED_TEXT)
    put_label(region, title, (6, 6), text_scale)


# ----------------------------------------------------------------- strip
def _strip_height(overlays: ClipOverlays) -> int:
    height = 0
    if overlays.timestamp or overlays.score is not None:
        height += INFO_BAND_HEIGHT
    if overlays.penalties is not None:
        height += 2 * STRIP_PADDING + max(1, len(overlays.penalties)) * PENALTY_ROW_HEIGHT
    return height


def _fit_text(text: str, scale: float, width: int) -> str:
    if text_width(text, scale) <= width:
        return text
    while text and text_width(text + "…", scale) > width:
        text = text[:-1]
    return text.rstrip() + "…"


class PenaltyStrip:
    """The rows of the penalty strip, drawn once; a cursor is added per frame.

    Parameters
    ----------
    penalties : tuple of PenaltyTrack
    width : int
        Width of the strip, output pixels.
    first, last : int
        Frame range the timeline spans (inclusive).
    """

    def __init__(self, penalties: tuple[PenaltyTrack, ...], width: int, first: int, last: int) -> None:
        self.first, self.last = first, last
        rows = max(1, len(penalties))
        self.height = 2 * STRIP_PADDING + rows * PENALTY_ROW_HEIGHT
        self.timeline_left = STRIP_LABEL_WIDTH
        self.timeline_width = max(1, width - STRIP_LABEL_WIDTH - STRIP_PADDING)
        self.background = np.empty((self.height, width, 3), np.uint8)
        self.background[:] = PANEL_BACKGROUND
        if not penalties:
            put_text(self.background, "No penalty recorded for this take", (STRIP_PADDING + 4, STRIP_PADDING + 15),
                     0.45, MUTED_TEXT)
        for row, track in enumerate(penalties):
            self._draw_row(row, track)

    def x_of(self, frame: float) -> float:
        """Horizontal position of the centre of ``frame`` in the strip, pixels."""
        count = self.last - self.first + 1
        return self.timeline_left + (frame - self.first + 0.5) / count * self.timeline_width

    def _draw_row(self, row: int, track: PenaltyTrack) -> None:
        top = STRIP_PADDING + row * PENALTY_ROW_HEIGHT
        bottom = top + PENALTY_ROW_HEIGHT - 3
        image = self.background
        right = self.timeline_left + self.timeline_width
        cv2.rectangle(image, (self.timeline_left, top), (right - 1, bottom), ROW_BACKGROUND, cv2.FILLED)
        suffix = f"  −{track.deduction:.1f}" if track.deduction is not None else ""
        label = _fit_text(track.name, 0.45, STRIP_LABEL_WIDTH - 16 - text_width(suffix, 0.45)) + suffix
        put_text(image, label, (STRIP_PADDING + 4, bottom - 5), 0.45, TEXT_COLOUR)
        activity = np.asarray(track.activity[self.first:self.last + 1], dtype=np.float64)
        if not np.isfinite(activity).any():
            put_text(image, "time span not recorded", (self.timeline_left + 8, bottom - 5), 0.4, MUTED_TEXT)
            return
        if track.deduction is not None:
            colour = np.array(SEVERITY_COLOURS.get(round(track.deduction, 1), PROBABILITY_COLOUR), np.float64)
        else:
            colour = np.array(PROBABILITY_COLOUR, np.float64)
        edges = np.round([self.x_of(self.first + k - 0.5) for k in range(len(activity) + 1)]).astype(int)
        base = np.array(ROW_BACKGROUND, np.float64)
        for k, value in enumerate(np.nan_to_num(activity, nan=0.0)):
            if value > 0.02 and edges[k + 1] > edges[k]:
                shade = tuple(int(c) for c in base + (colour - base) * min(value, 1.0))
                cv2.rectangle(image, (edges[k], top + 2), (edges[k + 1] - 1, bottom - 2), shade, cv2.FILLED)

    def draw(self, target: np.ndarray, frame: int) -> None:
        """Copy the strip into ``target`` ``(height, width, 3)`` and draw the cursor at ``frame``."""
        target[:] = self.background
        x = int(round(self.x_of(frame) * _SUBPIXEL))
        bottom = (self.height - STRIP_PADDING + 1) * _SUBPIXEL
        cv2.line(target, (x, (STRIP_PADDING - 3) * _SUBPIXEL), (x, bottom), CURSOR_COLOUR, 2, cv2.LINE_AA,
                 _SUBPIXEL_SHIFT)


# --------------------------------------------------------------- renderer
class ClipRenderer:
    """Composes the output frames of a clip.

    Parameters
    ----------
    layout : {"single", "mosaic", "compare"}
    cameras : list of Camera
        The take's cameras, in display order (as ``overlays.take.points`` indexes them).
    views : sequence of int
        Indices of the views shown: one for ``single`` and ``compare``, all for ``mosaic``.
    overlays : ClipOverlays
    first, last : int
        Frame range of the clip (inclusive); the penalty strip spans it.
    exemplar : ExemplarPane, optional
        Required by ``compare``; the exemplar's skeleton is drawn from its
        ``take.points`` at view index 0.

    Attributes
    ----------
    size : (int, int)
        (width, height) of every output frame, pixels (both even).
    """

    def __init__(self, layout: str, cameras: Sequence[Camera], views: Sequence[int], overlays: ClipOverlays,
                 first: int, last: int, exemplar: ExemplarPane | None = None) -> None:
        if layout not in LAYOUTS:
            raise ValueError(f"unknown layout {layout!r}; expected one of {', '.join(LAYOUTS)}")
        if layout in ("single", "compare") and len(views) != 1:
            raise ValueError(f"the {layout} layout shows one view, got {len(views)}")
        if layout == "compare" and exemplar is None:
            raise ValueError("the compare layout needs an exemplar")
        if not 0 <= first <= last:
            raise ValueError(f"bad frame range {first}..{last}")
        self.layout = layout
        self.views = tuple(int(v) for v in views)
        self.overlays = overlays
        self.exemplar = exemplar
        self.first, self.last = first, last
        shown = [cameras[v] for v in self.views]
        if layout == "compare":
            shown.append(exemplar.camera)
        self.tiles, (width, video_height) = layout_tiles(layout, shown)
        self.video_height = video_height
        self.size = (width, _even(video_height + _strip_height(overlays)))
        self.strip = None if overlays.penalties is None else PenaltyStrip(overlays.penalties, width, first, last)
        self._band = self._info_band(width) if (overlays.timestamp or overlays.score is not None) else None

    @property
    def needs_exemplar_image(self) -> bool:
        return self.layout == "compare"

    def exemplar_frame(self, frame: int) -> int:
        """Exemplar frame shown with trainee ``frame`` in the ``compare`` layout."""
        return int(self.exemplar.frame_for[frame])

    def _info_band(self, width: int) -> np.ndarray:
        band = np.empty((INFO_BAND_HEIGHT, width, 3), np.uint8)
        band[:] = PANEL_BACKGROUND
        cv2.line(band, (0, 0), (width - 1, 0), ROW_BACKGROUND, 1)
        score = self.overlays.score
        if score is not None:
            text = f"Score {score:.2f}" if np.isfinite(score) else "Score -"
            source = f"  ({self.overlays.score_source})"
            right = width - STRIP_PADDING - 4 - text_width(source, 0.45)
            put_text(band, text, (right - text_width(text, 0.6, 2), 21), 0.6, TEXT_COLOUR, 2)
            put_text(band, source, (right, 21), 0.45, MUTED_TEXT)
        centre = _fit_text(self.overlays.take.label, 0.5, width // 3)
        put_text(band, centre, ((width - text_width(centre, 0.5)) // 2, 20), 0.5, MUTED_TEXT)
        return band

    def render(self, frame: int, images: Sequence[np.ndarray | None],
               exemplar_image: np.ndarray | None = None) -> np.ndarray:
        """The output image of trainee ``frame``.

        Parameters
        ----------
        frame : int
            Frame index of the take (within ``first..last``).
        images : sequence of ndarray (h, w, 3) uint8 or None
            Decoded images of :attr:`views`, in that order; None without video.
        exemplar_image : ndarray or None
            ``compare`` only: the exemplar's image at :meth:`exemplar_frame`.

        Returns
        -------
        ndarray (height, width, 3) uint8, BGR, of :attr:`size`.
        """
        width, height = self.size
        canvas = np.empty((height, width, 3), np.uint8)
        canvas[self.video_height:] = PANEL_BACKGROUND
        take = self.overlays.take
        if self.layout == "compare":
            view = self.views[0]
            camera_name = self.tiles[0].camera.name
            render_tile(canvas, self.tiles[0], images[0], take, view, frame,
                        f"Trainee  {camera_name}  frame {frame}")
            shown = self.exemplar_frame(frame)
            render_tile(canvas, self.tiles[1], exemplar_image, self.exemplar.take, 0, shown,
                        f"Exemplar  {self.exemplar.take.label}  frame {shown}")
            cv2.line(canvas, (self.tiles[1].x, 0), (self.tiles[1].x, self.video_height - 1), PANEL_BACKGROUND, 2)
        else:
            for tile, view, image in zip(self.tiles, self.views, images):
                render_tile(canvas, tile, image, take, view, frame, tile.camera.name)
        top = self.video_height
        if self._band is not None:
            canvas[top:top + INFO_BAND_HEIGHT] = self._band
            if self.overlays.timestamp:
                put_text(canvas, f"frame {frame}   {frame / take.fps:6.2f} s", (STRIP_PADDING + 4, top + 21),
                         0.55, TEXT_COLOUR)
            top += INFO_BAND_HEIGHT
        if self.strip is not None:
            self.strip.draw(canvas[top:top + self.strip.height], frame)
        return canvas
