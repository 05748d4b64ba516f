"""The workstation's colours, in one place: the 3D view, the 2D overlays, the curves and the exported clips.

Colours are ``"#rrggbb"`` strings; the converters give what each drawing
library takes: RGBA floats in [0, 1] (vispy), 0-255 RGB (Qt's ``QColor``), BGR
tuples (OpenCV). No Qt here. Joints and bones are coloured by the athlete's
side (:func:`analysis.motion.skeleton.joint_sides`): :data:`SIDE_COLOURS` is
indexed by the side code.
"""

from __future__ import annotations

import colorsys

import numpy as np

from analysis.motion.skeleton import CENTRE, LEFT, RIGHT

BGR = tuple[int, int, int]

# ------------------------------------------------------------------ hues
BLUE = "#3fa9ff"
ORANGE = "#ff7043"
LIGHT = "#f2f2f2"
WHITE = "#ffffff"
GREEN = "#4dff99"

# ------------------------------------------------------------ the athlete
LEFT_SIDE = BLUE
RIGHT_SIDE = ORANGE
CENTRE_SIDE = LIGHT
#: Colour of a joint or bone by side code (CENTRE, LEFT, RIGHT).
SIDE_COLOURS: tuple[str, ...] = tuple({CENTRE: CENTRE_SIDE, LEFT: LEFT_SIDE, RIGHT: RIGHT_SIDE}[code]
                                      for code in sorted((CENTRE, LEFT, RIGHT)))
#: Side colour by the side's name (kinematics columns): ``"left"``, ``"right"``, None across the body.
SIDE_BY_NAME: dict[str | None, str] = {"left": LEFT_SIDE, "right": RIGHT_SIDE, None: CENTRE_SIDE}
#: Joints drawn hollow because few views see them well.
LOW_CONFIDENCE = "#8a8f98"
#: Outline around 2D bones and joint dots, so they read on any video.
OUTLINE = "#0a0c10"

# ------------------------------------------------- selection and the cursor
#: The selected joint and camera in 3D.
SELECTED = "#ffd23f"
#: Border of the selected camera's video tile.
SELECTED_TILE = "#3daee9"
#: The time cursor; also marks the trainee's side of a comparison.
CURSOR = "#ffd84d"

# ------------------------------------------------------------ annotations
#: A new drawing on the video and a 3D measurement.
ANNOTATION = "#ffd43b"
#: Markers on the transport bar and the curves.
MARKER = "#c77dff"

# ---------------------------------------------------------------- ghosts
#: The exemplar: its ghost skeleton in 3D, its tile and captions in the comparison.
EXEMPLAR = GREEN
EXEMPLAR_GHOST_ALPHA = 0.55
#: The ground-truth (reference) skeleton, a faint white ghost.
REFERENCE = WHITE
REFERENCE_GHOST_ALPHA = 0.22

# ----------------------------------------------------------------- ramps
#: Detection confidence is drawn from red (0) through yellow (0.5) to green (1) at this saturation.
CONFIDENCE_SATURATION = 0.85
#: Reprojection error classes: good, fair, bad.
ERROR_CLASS_COLOURS: tuple[str, ...] = ("#3cdc5a", "#fad228", "#f03c32")
#: Joints the scoring blames: orange at the threshold, red when fully responsible.
RESPONSIBLE_LOW = "#ff9e1a"
RESPONSIBLE_HIGH = "#f21a1f"
#: Bar colour of a penalty probability at or above each threshold: likely, possible, unlikely.
PROBABILITY_BARS: tuple[tuple[float, str], ...] = ((0.5, "#e5484d"), (0.25, "#f5a524"), (0.0, "#5b8def"))
#: Bar colour of a recorded penalty by deduction (light to heavy), and of a predicted one.
SEVERITY_COLOURS: dict[float, str] = {0.1: "#f6c945", 0.3: "#ff9f40", 0.5: "#ff6b3d", 1.0: "#e53935"}
PREDICTED_PENALTY = "#ff5252"
#: Penalty spans shaded behind the curves, and their codes.
PENALTY_SPAN = "#eb506e"
PENALTY_SPAN_ALPHA = 45
PENALTY_TEXT = "#ff9db0"
#: Colour map (matplotlib name) of the penalty × time and reprojection error heatmaps.
HEATMAP_COLOURMAP = "inferno"

# ------------------------------------------------------- panels and text
#: Background of the 3D scene and of the plots.
SCENE_BACKGROUND = "#17191d"
#: Background around the video tiles, and under them in a clip (information band, penalty strip).
VIDEO_BACKGROUND = "#15171b"
#: A camera tile before its image arrives, and the letterbox around it.
TILE_BACKGROUND = "#0c0d10"
TILE_BORDER = "#343942"
#: Where a view has no video: the tile, the clip and the comparison.
NO_VIDEO_BACKGROUND = "#262a31"
#: A row of a clip's penalty strip.
CLIP_ROW = "#1f242b"
#: Behind labels drawn on the video (a dark pill).
LABEL_BOX = "#101215"
TEXT = "#f0f2f5"
TITLE_TEXT = "#dfe2e7"
MUTED_TEXT = "#a0a4ab"
#: A problem the user should act on (no exemplar, scoring failed).
WARNING_TEXT = "#ffb74d"
FAINT_TEXT = "#78808c"
#: The scoring panel's probability bars (trough and border) and separators.
BAR_TROUGH = "#22252b"
BAR_BORDER = "#3a3f47"
SEPARATOR = "#33373e"
#: Captions over the video tiles: white on this black, at this opacity (0-255).
CAPTION_SHADE_ALPHA = 150

# ------------------------------------------------------------ 3D scene
FRUSTUM = "#6f7d90"
CAMERA_LABEL = "#aab4c3"
FLOOR_GRID = "#343a44"
FLOOR_X_AXIS = "#7a3a3a"
FLOOR_Y_AXIS = "#3a6a3a"

# ------------------------------------------------------------ training plots
LOSS = ORANGE
RHO = BLUE

# ------------------------------------------------------------ printed report (light paper)
REPORT_PAPER = "#ffffff"
REPORT_INK = "#1d2128"
REPORT_MUTED = "#6b7280"
REPORT_GRID = "#e3e6ea"
REPORT_AXIS = "#9aa1ab"
#: Curves of the body's centre line (trunk, centre of mass) on paper; left and right keep their colours.
REPORT_CENTRE_CURVE = "#3b4252"
REPORT_MARKER = "#8a3fc2"   # the workstation's marker purple, darker for paper
REPORT_SPAN_ALPHA = 0.16


# ------------------------------------------------------------ converters
def rgb255(colour: str) -> tuple[int, int, int]:
    """``"#3fa9ff"`` -> ``(63, 169, 255)``."""
    value = colour.lstrip("#")
    if len(value) != 6:
        raise ValueError(f"a colour is written #rrggbb, got {colour!r}")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def bgr(colour: str) -> BGR:
    """``"#3fa9ff"`` -> ``(255, 169, 63)``, OpenCV's channel order."""
    red, green, blue = rgb255(colour)
    return blue, green, red


def rgba(colour: str, alpha: float = 1.0) -> tuple[float, float, float, float]:
    """``"#3fa9ff"`` -> ``(0.247, 0.663, 1.0, alpha)``: floats in [0, 1]."""
    return (*(channel / 255.0 for channel in rgb255(colour)), float(alpha))


def rgba_array(colours: tuple[str, ...] | list[str], alpha: float = 1.0) -> np.ndarray:
    """RGBA floats ``(N, 4)`` of N colours."""
    return np.array([rgba(colour, alpha) for colour in colours], dtype=np.float64).reshape(-1, 4)


def confidence_rgb(confidence: float) -> tuple[float, float, float]:
    """RGB floats in [0, 1] of a detection confidence: red (0) through yellow (0.5) to green (1)."""
    hue = float(np.clip(confidence, 0.0, 1.0)) / 3.0
    return colorsys.hsv_to_rgb(hue, CONFIDENCE_SATURATION, 1.0)


def probability_bar(probability: float) -> str:
    """The :data:`PROBABILITY_BARS` colour of a penalty probability in [0, 1]."""
    return next(colour for threshold, colour in PROBABILITY_BARS if probability >= threshold)


def responsibility_rgba(weight: np.ndarray) -> np.ndarray:
    """RGBA floats ``(N, 4)`` from :data:`RESPONSIBLE_LOW` (weight 0) to :data:`RESPONSIBLE_HIGH` (1)."""
    weight = np.asarray(weight, dtype=np.float64).reshape(-1, 1)
    return (1.0 - weight) * np.array(rgba(RESPONSIBLE_LOW)) + weight * np.array(rgba(RESPONSIBLE_HIGH))
