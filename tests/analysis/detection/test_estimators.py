"""RTMPose and RTMO on onnxruntime: keypoints land on the people drawn, with each keypoint's confidence."""

from __future__ import annotations

import numpy as np
import onnxruntime as ort
import pytest

from analysis.detection.estimators import load_estimator
from analysis.detection.onnx_runtime import available_devices, open_session
from tests.analysis.detection.scenes import keypoints_in, render_frames, walking_boxes
from tests.analysis.detection.tiny_models import CONFIDENCE

SIZE = (320, 240)
RED = walking_boxes(1, (40, 60), 0, (30, 90))
GREEN = walking_boxes(1, (180, 40), 0, (40, 120))


def frame_with(boxes: dict) -> np.ndarray:
    return render_frames(SIZE, boxes)[0]


def no_detector():
    raise AssertionError("RTMO needs no person detector")


@pytest.mark.parametrize("model", ["rtmpose", "rtmpose_single", "rtmo"])
def test_every_person_is_found_with_keypoints_where_drawn(tiny_models, model):
    detector = tiny_models["detector"]
    estimator = load_estimator(tiny_models[model], "cpu", (lambda: detector) if "rtmpose" in model else no_detector)
    people = estimator(frame_with({0: RED, 1: GREEN}))
    assert people.shape == (2, 17, 3) and estimator.n_keypoints == 17
    for box in (RED[0], GREEN[0]):
        expected = keypoints_in(box)
        match = np.argmin([np.abs(p[:, :2] - expected).max() for p in people])
        np.testing.assert_allclose(people[match, :, :2], expected, atol=1.5)
        np.testing.assert_allclose(people[match, :, 2], CONFIDENCE, atol=0.02)


@pytest.mark.parametrize("model", ["rtmpose", "rtmo"])
def test_an_empty_frame_has_nobody(tiny_models, model):
    estimator = load_estimator(tiny_models[model], "cpu", lambda: tiny_models["detector"])
    people = estimator(render_frames(SIZE, {0: np.full((1, 4), -1)})[0])
    assert people.shape == (0, 17, 3)


def test_a_model_of_another_kind_is_refused_naming_the_file(tiny_models):
    with pytest.raises(ValueError, match=r"detector\.onnx: not an RTMPose model .* nor an RTMO model"):
        load_estimator(tiny_models["detector"], "cpu", lambda: tiny_models["detector"])
    with pytest.raises(ValueError, match=r"rtmpose\.onnx: a person detector exported end to end"):
        load_estimator(tiny_models["rtmpose"], "cpu", lambda: tiny_models["rtmpose"])


def test_a_file_that_is_not_onnx_is_refused_naming_it(tmp_path):
    broken = tmp_path / "rtmpose-m.onnx"
    broken.write_bytes(b"this is not a protobuf" * 10)
    with pytest.raises(ValueError, match=r"rtmpose-m\.onnx: not a usable ONNX model"):
        open_session(broken, "cpu")
    with pytest.raises(FileNotFoundError, match="missing.onnx: model file not found"):
        open_session(tmp_path / "missing.onnx", "cpu")


def test_cuda_without_its_provider_is_refused_with_what_to_do(tiny_models, monkeypatch):
    monkeypatch.setattr(ort, "get_available_providers", lambda: ["CPUExecutionProvider"])
    assert available_devices() == ("cpu",)
    with pytest.raises(ValueError, match="--device cuda: this onnxruntime has no CUDAExecutionProvider.*--device cpu"):
        open_session(tiny_models["rtmpose"], "cuda")
