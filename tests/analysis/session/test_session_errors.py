"""Malformed files are refused with SessionFormatError naming the file, path and problem,
and are never modified by the attempt."""

from __future__ import annotations

import shutil

import h5py
import numpy as np
import pytest

from analysis.session.contract import SessionFormatError
from analysis.session.reader import Session
from tests.helpers import file_digest


def _delete_attr(where, name):
    def mutate(f):
        del f[where].attrs[name]
    return mutate


def _set_attr(where, name, value):
    def mutate(f):
        f[where].attrs[name] = value
    return mutate


def _replace_dataset(where, value):
    def mutate(f):
        del f[where]
        f[where] = value
    return mutate


def _delete(where):
    def mutate(f):
        del f[where]
    return mutate


def _nan_intrinsics(f):
    K = f["/cameras/cam2/K"][()]
    K[0, 0] = np.nan
    f["/cameras/cam2/K"][...] = K


def _video_file_entry(frame_offset):
    def mutate(f):
        del f["/takes/take1/video/cam1"]
        f["/takes/take1/video"].create_dataset("cam1", data="cam1.mp4", dtype=h5py.string_dtype())
        f["/takes/take1/video/cam1"].attrs["frame_offset"] = frame_offset
    return mutate


CASES = {
    "missing root attribute": (_delete_attr("/", "athlete"), "/", "missing attribute 'athlete'"),
    "missing fps": (_delete_attr("/", "fps"), "/", "missing attribute 'fps'"),
    "missing take attribute": (_delete_attr("/takes/take1", "n_frames"), "/takes/take1", "missing attribute 'n_frames'"),
    "wrong format_version": (_set_attr("/", "format_version", 7), "/", "format_version 7 is not supported"),
    "wrong format name": (_set_attr("/", "format", "something-else"), "/", "not a Lucid session file"),
    "unknown event": (_set_attr("/", "event", "XYZ"), "/", "event 'XYZ' is not one of"),
    "level below one": (_set_attr("/", "level", 0), "/", "'level' must be an integer from 1 to 2147483648"),
    "negative fps": (_set_attr("/", "fps", -30.0), "/", "fps must be a positive number from 0.01 to 100000, got -30"),
    "pose2d wrong shape": (_replace_dataset("/takes/take2/pose2d", np.zeros((8, 12, 15, 3), np.float32)),
                           "/takes/take2/pose2d", "has shape (8, 12, 15, 3), expected (8, 12, 17, 3)"),
    "pose3d wrong shape": (_replace_dataset("/takes/take1/pose3d", np.zeros((11, 17, 3), np.float32)),
                           "/takes/take1/pose3d", "has shape (11, 17, 3), expected (12, 17, 3)"),
    "K wrong shape": (_replace_dataset("/cameras/cam1/K", np.eye(4)), "/cameras/cam1/K", "expected (3, 3)"),
    "view listed but missing": (_delete("/cameras/cam5"), "/cameras/cam5",
                                "view 'cam5' is listed in /cameras order but missing"),
    "take listed but missing": (_delete("/takes/take2"), "/takes/take2", "listed in /takes order but missing"),
    "NaN intrinsics": (_nan_intrinsics, "/cameras/cam2/K", "contains NaN"),
    "rotation not orthonormal": (_replace_dataset("/cameras/cam1/R", np.eye(3) * 2), "/cameras/cam1/R",
                                 "not a rotation matrix"),
    "edge out of range": (_replace_dataset("/skeleton/edges", np.array([[0, 40]])), "/skeleton/edges",
                          "joint index out of range"),
    "missing skeleton": (_delete("/skeleton"), "/skeleton", "missing group"),
    "video frame count": (_replace_dataset("/takes/take1/video/cam1", np.zeros(3, np.uint8)),
                          "/takes/take1/video/cam1", "has shape (3,), expected (12)"),
    "video for unknown view": (lambda f: f["/takes/take1/video"].create_dataset("cam99", data="x.mp4"),
                               "/takes/take1/video/cam99", "not in /cameras order"),
    "negative video frame_offset": (_video_file_entry(-3), "/takes/take1/video/cam1",
                                    "'frame_offset' must be an integer from 0 to 2147483648"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_contract_violation_is_named(session_file, tmp_path, case):
    mutate, where, problem = CASES[case]
    broken = tmp_path / "broken.h5"
    shutil.copy(session_file, broken)
    with h5py.File(broken, "r+") as f:
        mutate(f)
    digest = file_digest(broken)
    with pytest.raises(SessionFormatError) as caught:
        Session.open(broken)
    error = caught.value
    assert error.file == broken and error.where == where
    assert problem in error.problem
    assert str(broken) in str(error) and where in str(error)
    assert file_digest(broken) == digest


def test_bad_penalty_value_is_refused_when_read(session_file, tmp_path):
    broken = tmp_path / "broken.h5"
    shutil.copy(session_file, broken)
    with h5py.File(broken, "r+") as f:
        f["/takes/take2/penalties/value"][0] = 0.7
    with Session.open(broken) as session, pytest.raises(SessionFormatError, match=r"penalty values must be one of"):
        session.penalties("take2")


# Files that are not sessions at all: (name, their bytes from a valid session's bytes, the problem named).
NOT_SESSIONS = {
    "truncated": (lambda valid: valid[: len(valid) // 2], "truncated"),
    "not_hdf5": (lambda valid: b"these are my notes, not a session\n", "not an HDF5 file"),
    "empty": (lambda valid: b"", "the file is empty"),
}


@pytest.mark.parametrize("case", sorted(NOT_SESSIONS))
def test_a_file_that_is_not_a_session_is_refused_and_left_as_it_was(session_file, tmp_path, case):
    contents, problem = NOT_SESSIONS[case]
    path = tmp_path / f"{case}.h5"
    path.write_bytes(contents(session_file.read_bytes()))
    digest = file_digest(path)
    with pytest.raises(SessionFormatError, match=problem) as raised:
        Session.open(path)
    assert str(raised.value) == f"{path}: {raised.value.problem}"   # the file as a whole: no stray "/:"
    assert file_digest(path) == digest


def test_missing_file(tmp_path):
    with pytest.raises(SessionFormatError, match="file not found"):
        Session.open(tmp_path / "nowhere.h5")


def test_hdf5_file_of_another_kind(tmp_path):
    path = tmp_path / "other.h5"
    with h5py.File(path, "w") as f:
        f["data"] = np.arange(10)
    with pytest.raises(SessionFormatError, match="missing attribute 'format'"):
        Session.open(path)
