"""Tiny ONNX models shared by the detection tests, built once per test session."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.analysis.detection.tiny_models import (
    write_detector,
    write_rtmo,
    write_rtmpose,
)


@pytest.fixture(scope="session")
def tiny_models(tmp_path_factory) -> dict[str, Path]:
    """Paths of the tiny detector, RTMPose (batched and one image at a time) and RTMO models."""
    folder = tmp_path_factory.mktemp("tiny_models")
    return {"detector": write_detector(folder / "detector.onnx"), "rtmpose": write_rtmpose(folder / "rtmpose.onnx"),
            "rtmpose_single": write_rtmpose(folder / "rtmpose_single.onnx", batch=1),
            "rtmo": write_rtmo(folder / "rtmo.onnx")}
