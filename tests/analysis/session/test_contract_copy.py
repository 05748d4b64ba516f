"""Copying the contract's objects of a session into another file."""

from __future__ import annotations

import h5py
import pytest

from analysis.session.contract import SessionFormatError
from analysis.session.contract_copy import copy_session


def test_a_copy_holds_the_contract_and_not_what_other_tools_added(session_file, tmp_path):
    with h5py.File(session_file, "a") as handle:
        handle["takes/take2"].attrs["other_tool"] = "x"
        handle.create_dataset("takes/take2/extra", data=[1, 2, 3])
    with h5py.File(session_file, "r") as source, h5py.File(tmp_path / "copy.h5", "w") as target:
        copy_session(source, target)
        assert "pose2d" in target["takes/take2"] and "extra" not in target["takes/take2"]
        assert "other_tool" not in target["takes/take2"].attrs
        assert target["takes/take2"].attrs["n_frames"] == source["takes/take2"].attrs["n_frames"]


def test_a_dataset_hdf5_cannot_copy_is_refused_naming_the_file_and_the_dataset(session_file, tmp_path, monkeypatch):
    def damaged(self, source, *args, **kwargs):      # what HDF5 says of a damaged object header
        raise RuntimeError("Unable to synchronously copy object (bad version number for message)")

    monkeypatch.setattr(h5py.File, "copy", damaged)
    with h5py.File(session_file, "r") as source, h5py.File(tmp_path / "copy.h5", "w") as target:
        with pytest.raises(SessionFormatError, match=r"session\.h5: /skeleton/joint_names: damaged, it cannot be "
                                                     r"copied \(Unable to synchronously copy object"):
            copy_session(source, target)
