"""Tiny ONNX models with the real models' signatures, whose outputs follow what the scene shows.

The scenes (:mod:`tests.analysis.detection.scenes`) draw each person as a
rectangle of one saturated colour (red, green or blue) on a dark background.

- detector (YOLOX end to end): input (1, 3, 640, 640) BGR 0-255; outputs
  ``dets`` (1, 3, 5), one box per colour around the pixels where that colour
  dominates (score 1, or 0 when absent), and ``labels`` (1, 3).
- RTMPose (SimCC): input (N, 3, 256, 192) normalised RGB; outputs ``simcc_x``
  (N, K, 384) and ``simcc_y`` (N, K, 512) peaking at keypoint k placed at
  ``LAYOUT[k]`` (fractions of width and height) inside the box of the pixels
  that share the crop centre's colour, with peak height ``CONFIDENCE[k]``.
- RTMO: input (1, 3, 640, 640) BGR 0-255; outputs ``dets`` (1, 3, 5) as the
  detector and ``keypoints`` (1, 3, K, 3) at the same places inside each box.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

#: Where each keypoint sits inside a person's box: (fraction of width, fraction of height), COCO-17 order.
LAYOUT = np.array([
    (0.5, 0.06), (0.56, 0.04), (0.44, 0.04), (0.62, 0.06), (0.38, 0.06),
    (0.8, 0.2), (0.2, 0.2), (0.9, 0.38), (0.1, 0.38), (0.92, 0.52), (0.08, 0.52),
    (0.7, 0.55), (0.3, 0.55), (0.68, 0.76), (0.32, 0.76), (0.66, 0.96), (0.34, 0.96),
])
#: Each keypoint's confidence (the peak height of its SimCC rows).
CONFIDENCE = np.linspace(0.95, 0.35, len(LAYOUT))
#: BGR colours of the people the models can tell apart.
COLOURS_BGR = ((0, 0, 255), (0, 255, 0), (255, 0, 0))
_MEAN_RGB = (123.675, 116.28, 103.53)
_STD_RGB = (58.395, 57.12, 57.375)
_DOMINANCE = 100.0
_SAME_COLOUR = 90.0
_PEAK_WIDTH = 2.0
_OPSET = 17


class _Graph:
    """An ONNX graph written node by node; every node has one output."""

    def __init__(self) -> None:
        self.nodes: list = []
        self.initializers: list = []

    def const(self, value, dtype=np.float32) -> str:
        name = f"const{len(self.initializers)}"
        self.initializers.append(numpy_helper.from_array(np.asarray(value, dtype=dtype), name))
        return name

    def op(self, op_type: str, *inputs: str, **attributes) -> str:
        name = f"{op_type.lower()}{len(self.nodes)}"
        self.nodes.append(helper.make_node(op_type, list(inputs), [name], **attributes))
        return name

    def save(self, path: Path, inputs: list, outputs: list[tuple[str, str, int, list]]) -> Path:
        for source, name, _, _ in outputs:
            self.nodes.append(helper.make_node("Identity", [source], [name]))
        graph = helper.make_graph(self.nodes, "tiny", inputs,
                                  [helper.make_tensor_value_info(n, t, s) for _, n, t, s in outputs],
                                  self.initializers)
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", _OPSET)], ir_version=8)
        onnx.checker.check_model(model)
        onnx.save(model, str(path))
        return path


def _extent(g: _Graph, mask: str, axis: int) -> tuple[str, str]:
    """First and last index (float, keepdims) along ``axis`` where ``mask`` (..., H, W) is set in any row/column."""
    other = 3 if axis == 2 else 2
    profile = g.op("ReduceMax", mask, axes=[other], keepdims=0)                     # (N, 1, L)
    first = g.op("Cast", g.op("ArgMax", profile, axis=2, keepdims=1), to=TensorProto.FLOAT)
    last = g.op("Cast", g.op("ArgMax", profile, axis=2, keepdims=1, select_last_index=1), to=TensorProto.FLOAT)
    return first, last


def _colour_boxes(g: _Graph, image: str) -> str:
    """(1, 3, 5) boxes x1, y1, x2, y2 (exclusive ends) and score, one per colour of :data:`COLOURS_BGR`."""
    channels = [g.op("Slice", image, g.const([c], np.int64), g.const([c + 1], np.int64), g.const([1], np.int64))
                for c in range(3)]
    boxes = []
    for c in range(3):
        others = g.op("Max", *[channels[o] for o in range(3) if o != c])
        dominant = g.op("Greater", g.op("Sub", channels[c], others), g.const(_DOMINANCE))
        mask = g.op("Cast", dominant, to=TensorProto.FLOAT)
        x1, x2 = _extent(g, mask, axis=3)
        y1, y2 = _extent(g, mask, axis=2)
        score = g.op("ReduceMax", mask, axes=[1, 2, 3], keepdims=1)                  # (1, 1, 1, 1)
        score = g.op("Reshape", score, g.const([1, 1, 1], np.int64))
        one = g.const(1.0)
        boxes.append(g.op("Concat", x1, y1, g.op("Add", x2, one), g.op("Add", y2, one), score, axis=2))  # (1, 1, 5)
    return g.op("Concat", *boxes, axis=1)


def _gaussian_rows(g: _Graph, position: str, length: int) -> str:
    """Rows (N, K, 2 * length) peaking at ``position`` (N, K, 1) pixels, height :data:`CONFIDENCE`."""
    grid = g.const((np.arange(2 * length) / 2.0).reshape(1, 1, -1))
    squared = g.op("Pow", g.op("Sub", grid, position), g.const(2.0))
    bell = g.op("Exp", g.op("Mul", squared, g.const(-1.0 / (2 * _PEAK_WIDTH ** 2))))
    return g.op("Mul", bell, g.const(CONFIDENCE.reshape(1, -1, 1)))


def _place(g: _Graph, start: str, end: str, fractions: np.ndarray) -> str:
    """``start - 0.5 + f (end - start)`` for each keypoint fraction f: (N, K, 1) from (N, 1, 1) extents."""
    span = g.op("Sub", end, start)
    offset = g.op("Mul", span, g.const(fractions.reshape(1, -1, 1)))
    return g.op("Add", g.op("Sub", start, g.const(0.5)), offset)


def write_detector(path: Path, side: int = 640) -> Path:
    """The YOLOX-signature detector (see the module docstring), on a ``side`` x ``side`` input."""
    g = _Graph()
    boxes = _colour_boxes(g, "input")
    labels = g.op("ConstantOfShape", g.const([1, 3], np.int64), value=numpy_helper.from_array(np.zeros(1, np.int64)))
    image = helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 3, side, side])
    return g.save(path, [image], [(boxes, "dets", TensorProto.FLOAT, [1, 3, 5]),
                                  (labels, "labels", TensorProto.INT64, [1, 3])])


def write_rtmpose(path: Path, batch: int | str = "batch") -> Path:
    """The RTMPose-signature SimCC model (see the module docstring); ``batch`` 1 fixes the batch size."""
    g = _Graph()
    rgb = g.op("Add", g.op("Mul", "input", g.const(np.reshape(_STD_RGB, (1, 3, 1, 1)))),
               g.const(np.reshape(_MEAN_RGB, (1, 3, 1, 1))))
    centre = g.op("Slice", rgb, g.const([128, 96], np.int64), g.const([129, 97], np.int64), g.const([2, 3], np.int64))
    distance = g.op("ReduceSum", g.op("Abs", g.op("Sub", rgb, centre)), g.const([1], np.int64), keepdims=1)
    mask = g.op("Cast", g.op("Less", distance, g.const(_SAME_COLOUR)), to=TensorProto.FLOAT)   # (N, 1, 256, 192)
    x1, x2 = _extent(g, mask, axis=3)
    y1, y2 = _extent(g, mask, axis=2)
    simcc_x = _gaussian_rows(g, _place(g, x1, g.op("Add", x2, g.const(1.0)), LAYOUT[:, 0]), 192)
    simcc_y = _gaussian_rows(g, _place(g, y1, g.op("Add", y2, g.const(1.0)), LAYOUT[:, 1]), 256)
    k = len(LAYOUT)
    image = helper.make_tensor_value_info("input", TensorProto.FLOAT, [batch, 3, 256, 192])
    return g.save(path, [image], [(simcc_x, "simcc_x", TensorProto.FLOAT, [batch, k, 384]),
                                  (simcc_y, "simcc_y", TensorProto.FLOAT, [batch, k, 512])])


def write_rtmo(path: Path) -> Path:
    """The RTMO-signature one-stage model (see the module docstring)."""
    g = _Graph()
    boxes = _colour_boxes(g, "input")                                                 # (1, 3, 5)

    def column(index: int) -> str:
        value = g.op("Slice", boxes, g.const([index], np.int64), g.const([index + 1], np.int64), g.const([2], np.int64))
        return g.op("Reshape", value, g.const([3, 1, 1], np.int64))                  # (3, 1, 1)

    x1, y1, x2, y2, score = (column(i) for i in range(5))
    xs, ys = _place(g, x1, x2, LAYOUT[:, 0]), _place(g, y1, y2, LAYOUT[:, 1])       # (3, K, 1)
    confidence = g.op("Mul", score, g.const(CONFIDENCE.reshape(1, -1, 1)))
    keypoints = g.op("Unsqueeze", g.op("Concat", xs, ys, confidence, axis=2), g.const([0], np.int64))
    k = len(LAYOUT)
    image = helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 3, 640, 640])
    return g.save(path, [image], [(boxes, "dets", TensorProto.FLOAT, [1, 3, 5]),
                                  (keypoints, "keypoints", TensorProto.FLOAT, [1, 3, k, 3])])
