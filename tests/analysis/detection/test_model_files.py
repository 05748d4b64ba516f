"""Model files: a cached file is used as it is, a download fails fast with where to put the file.

Nothing here touches the network: downloads go to a closed local port or to file:// URLs.
"""

from __future__ import annotations

import zipfile

import pytest

from analysis.detection.model_files import (
    NAMED_MODELS,
    ModelUnavailable,
    cached_path,
    fetch_model,
)

UNREACHABLE = "http://127.0.0.1:9/v1/projects/rtmposev1/onnx_sdk/rtmpose-m_simcc-body7-256x192-e48f03d0.zip"


def test_an_unreachable_model_names_the_file_and_where_to_put_it(tmp_path):
    with pytest.raises(ModelUnavailable) as raised:
        fetch_model(UNREACHABLE, tmp_path / "cache", "body17 pose model", "--model-file")
    message = str(raised.value)
    assert "\n" not in message
    target = tmp_path / "cache" / "rtmpose-m_simcc-body7-256x192-e48f03d0.onnx"
    assert message.startswith("the body17 pose model rtmpose-m_simcc-body7-256x192-e48f03d0.onnx is not in the cache")
    assert UNREACHABLE in message and "refused" in message.lower()
    assert f"put the ONNX file at {target} or pass --model-file PATH.onnx" in message
    assert not target.exists() and list((tmp_path / "cache").iterdir()) == []      # nothing half-written


def test_a_cached_file_is_used_without_downloading(tmp_path):
    target = cached_path(UNREACHABLE, tmp_path)
    target.write_bytes(b"onnx")
    assert fetch_model(UNREACHABLE, tmp_path, "body17 pose model", "--model-file") == target


def test_a_downloaded_archive_leaves_its_onnx_in_the_cache_with_progress(tmp_path):
    archive = tmp_path / "served" / "yolox_m_8xb8-300e_humanart-c2c7a14a.zip"
    archive.parent.mkdir()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("yolox_m/readme.txt", "not the model")
        zipped.writestr("yolox_m/end2end.onnx", b"model bytes")
    reported = []
    path = fetch_model(archive.as_uri(), tmp_path / "cache", "person detector", "--detector-file",
                       lambda done, total: reported.append(done))
    assert path == tmp_path / "cache" / "yolox_m_8xb8-300e_humanart-c2c7a14a.onnx"
    assert path.read_bytes() == b"model bytes" and [p.name for p in path.parent.iterdir()] == [path.name]
    assert reported and reported[-1] == archive.stat().st_size


def test_an_archive_without_the_model_is_refused(tmp_path):
    archive = tmp_path / "empty.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("readme.txt", "nothing")
    with pytest.raises(ModelUnavailable, match="the archive holds no end2end.onnx"):
        fetch_model(archive.as_uri(), tmp_path / "cache", "person detector", "--detector-file")


def test_the_named_models_are_rtmlibs_rtmpose_with_a_person_detector():
    assert {name: model.n_keypoints for name, model in NAMED_MODELS.items()} == {
        "body17": 17, "halpe26": 26, "wholebody": 133}
    assert "rtmpose-m" in NAMED_MODELS["body17"].pose_url and "halpe26" in NAMED_MODELS["halpe26"].pose_url
    assert all("yolox" in model.detector_url for model in NAMED_MODELS.values())
