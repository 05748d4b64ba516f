"""Everyone's 2D keypoints in one video frame, from RTMPose (with a person detector) or RTMO.

Input and output conventions, as the models were trained (mmpose/mmdet configs)
and as rtmlib runs them:

- person detector (YOLOX exported end to end, NMS inside): BGR pixels 0-255,
  the frame scaled to fit the input and padded with grey 114 at the right and
  bottom; first output ``dets`` (1, N, 5): x1, y1, x2, y2, score in input pixels.
- RTMPose (SimCC): each person box widened 1.25x and warped to the input
  (W, H), e.g. 192x256, RGB normalised by the ImageNet mean and deviation;
  outputs ``simcc_x`` (N, K, W*r) and ``simcc_y`` (N, K, H*r), r = 2: the
  argmax over a row divided by r is the keypoint's input coordinate, the
  maximum its confidence.
- RTMO (one stage, no detector): letterboxed BGR 0-255 like the detector;
  outputs ``dets`` (1, N, 5) and ``keypoints`` (1, N, K, 3), x, y in input
  pixels and a confidence.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np
import onnxruntime as ort
from rtmlib.tools.pose_estimation.post_processings import get_simcc_maximum
from rtmlib.tools.pose_estimation.pre_processings import bbox_xyxy2cs, top_down_affine

from analysis.detection.onnx_runtime import (
    fixed_batch,
    fixed_input_size,
    open_session,
    output_shapes,
)

#: Detections below this score are not people.
DEFAULT_BOX_THRESHOLD = 0.3
#: RTMO boxes overlapping a better one by more than this IoU are the same person.
NMS_IOU = 0.45
_PADDING = 1.25
_MEAN_RGB = np.array([123.675, 116.28, 103.53], np.float32)
_STD_RGB = np.array([58.395, 57.12, 57.375], np.float32)


def letterbox(image: np.ndarray, size: tuple[int, int]) -> tuple[np.ndarray, float]:
    """``image`` (h, w, 3) scaled to fit ``size`` (H, W), padded with grey 114 right and bottom; and the scale."""
    height, width = size
    ratio = min(height / image.shape[0], width / image.shape[1])
    scaled = cv2.resize(image, (round(image.shape[1] * ratio), round(image.shape[0] * ratio)),
                        interpolation=cv2.INTER_LINEAR)
    padded = np.full((height, width, 3), 114, np.uint8)
    padded[:scaled.shape[0], :scaled.shape[1]] = scaled
    return padded, ratio


def _as_batch(images: list[np.ndarray]) -> np.ndarray:
    return np.ascontiguousarray(np.stack(images).transpose(0, 3, 1, 2), dtype=np.float32)


def _with_confidence(xy: np.ndarray, confidence: np.ndarray) -> np.ndarray:
    """(N, K, 3) of x, y and confidence clipped to [0, 1]; NaN x, y where the confidence is not positive."""
    keypoints = np.concatenate([xy, np.clip(confidence, 0.0, 1.0)[..., None]], axis=-1).astype(np.float64)
    keypoints[confidence <= 0, :2] = np.nan
    return keypoints


class PersonDetector:
    """Person boxes of one frame from an end-to-end YOLOX-style ONNX model."""

    def __init__(self, session: ort.InferenceSession, path: str | Path, threshold: float = DEFAULT_BOX_THRESHOLD):
        self.session = session
        self.size = fixed_input_size(session, path)
        shapes = output_shapes(session)
        if len(shapes[0]) != 3 or shapes[0][-1] != 5:
            raise ValueError(f"{path}: a person detector exported end to end (first output (1, N, 5): box and score) "
                             f"is needed, this one gives {shapes}")
        self.threshold = threshold
        self._input = self.session.get_inputs()[0].name

    def __call__(self, image_bgr: np.ndarray) -> np.ndarray:
        """Boxes (N, 4) x1, y1, x2, y2 in frame pixels, best score first."""
        padded, ratio = letterbox(image_bgr, self.size)
        dets = self.session.run(None, {self._input: _as_batch([padded])})[0][0]
        dets = dets[dets[:, 4] > self.threshold]
        dets = dets[np.argsort(-dets[:, 4], kind="stable")]
        boxes = dets[:, :4].astype(np.float64) / ratio
        boxes[:, [0, 2]] = boxes[:, [0, 2]].clip(0, image_bgr.shape[1])
        boxes[:, [1, 3]] = boxes[:, [1, 3]].clip(0, image_bgr.shape[0])
        return boxes[(boxes[:, 2] > boxes[:, 0]) & (boxes[:, 3] > boxes[:, 1])]


class SimccPose:
    """RTMPose: keypoints of the people in given boxes."""

    def __init__(self, session: ort.InferenceSession, path: str | Path):
        self.session = session
        height, width = fixed_input_size(session, path)
        self.input_size = (width, height)
        shapes = output_shapes(session)
        self.n_keypoints = int(shapes[0][1])
        self._input = self.session.get_inputs()[0].name
        self._one_at_a_time = fixed_batch(self.session)

    def __call__(self, image_rgb: np.ndarray, boxes: np.ndarray) -> np.ndarray:
        """Keypoints (N, K, 3) of the N ``boxes`` (N, 4): x, y in frame pixels and confidence."""
        if len(boxes) == 0:
            return np.zeros((0, self.n_keypoints, 3))
        centres, scales, crops = [], [], []
        for box in boxes:
            centre, scale = bbox_xyxy2cs(np.asarray(box, np.float64), padding=_PADDING)
            crop, scale = top_down_affine(self.input_size, scale, centre, image_rgb)
            centres.append(centre)
            scales.append(scale)
            crops.append((crop.astype(np.float32) - _MEAN_RGB) / _STD_RGB)
        batches = [[crop] for crop in crops] if self._one_at_a_time else [crops]
        outputs = [self.session.run(None, {self._input: _as_batch(batch)}) for batch in batches]
        simcc_x = np.concatenate([output[0] for output in outputs])
        simcc_y = np.concatenate([output[1] for output in outputs])
        locations, confidence = get_simcc_maximum(simcc_x, simcc_y)
        split_ratio = simcc_x.shape[-1] / self.input_size[0]
        centres, scales = np.asarray(centres)[:, None], np.asarray(scales)[:, None]
        xy = locations / split_ratio / np.asarray(self.input_size) * scales + centres - scales / 2
        return _with_confidence(xy, confidence)


class RtmoPose:
    """RTMO: every person's keypoints of one frame, no detector."""

    def __init__(self, session: ort.InferenceSession, path: str | Path, threshold: float = DEFAULT_BOX_THRESHOLD):
        self.session = session
        self.size = fixed_input_size(session, path)
        shapes = output_shapes(session)
        self._boxes = next(i for i, shape in enumerate(shapes) if len(shape) == 3)
        self._keypoints = next(i for i, shape in enumerate(shapes) if len(shape) == 4)
        self.n_keypoints = int(shapes[self._keypoints][2])
        self.threshold = threshold
        self._input = self.session.get_inputs()[0].name

    def __call__(self, image_bgr: np.ndarray) -> np.ndarray:
        """Keypoints (P, K, 3): x, y in frame pixels and confidence, best person first."""
        padded, ratio = letterbox(image_bgr, self.size)
        outputs = self.session.run(None, {self._input: _as_batch([padded])})
        dets, keypoints = outputs[self._boxes][0], outputs[self._keypoints][0]
        boxes = [[x1, y1, x2 - x1, y2 - y1] for x1, y1, x2, y2 in dets[:, :4].tolist()]
        kept = np.asarray(cv2.dnn.NMSBoxes(boxes, dets[:, 4].tolist(), self.threshold, NMS_IOU), int).reshape(-1)
        kept = kept[np.argsort(-dets[kept, 4], kind="stable")]
        return _with_confidence(keypoints[kept, :, :2] / ratio, keypoints[kept, :, 2])


def model_kind(shapes: list[tuple]) -> str | None:
    """"simcc" (RTMPose), "rtmo", or None, from a model's output shapes."""
    by_rank = {len(shape): shape for shape in shapes}
    if len(shapes) == 2 and set(by_rank) == {3} and shapes[0][1] == shapes[1][1]:
        return "simcc"
    if len(shapes) == 2 and set(by_rank) == {3, 4} and by_rank[3][-1] == 5 and by_rank[4][-1] == 3:
        return "rtmo"
    return None


class PoseEstimator:
    """Everyone's keypoints in one BGR frame (h, w, 3) uint8: ``estimator(frame)`` gives (P, K, 3).

    Build it with :func:`load_estimator`.
    """

    def __init__(self, pose: SimccPose | RtmoPose, detector: PersonDetector | None):
        self.pose = pose
        self.detector = detector

    @property
    def n_keypoints(self) -> int:
        return self.pose.n_keypoints

    def __call__(self, image_bgr: np.ndarray) -> np.ndarray:
        if isinstance(self.pose, RtmoPose):
            return self.pose(image_bgr)
        return self.pose(cv2.cvtColor(image_bgr, cv2.COLOR_BGR2RGB), self.detector(image_bgr))


def load_estimator(pose_path: str | Path, device: str, detector_path: Callable[[], Path],
                   threads: int | None = None) -> PoseEstimator:
    """The estimator of an RTMPose or RTMO ONNX file.

    Parameters
    ----------
    pose_path : Path
    device : {"cpu", "cuda"}
    detector_path : callable
        Gives the person detector's ONNX file; called only for RTMPose, which needs one.
    threads : int, optional
        Threads per model (onnxruntime's default: one per physical core).

    Raises
    ------
    FileNotFoundError, ValueError
        Naming the file that is missing or is not such a model.
    """
    session = open_session(pose_path, device, threads)
    shapes = output_shapes(session)
    kind = model_kind(shapes)
    if kind is None:
        raise ValueError(f"{pose_path}: not an RTMPose model (outputs simcc_x (N, K, Wx), simcc_y (N, K, Wy)) nor "
                         f"an RTMO model (outputs dets (1, N, 5), keypoints (1, N, K, 3)); its outputs are {shapes}")
    if kind == "rtmo":
        return PoseEstimator(RtmoPose(session, pose_path), None)
    detector = detector_path()
    detector_session = open_session(detector, device, threads)
    return PoseEstimator(SimccPose(session, pose_path), PersonDetector(detector_session, detector))
