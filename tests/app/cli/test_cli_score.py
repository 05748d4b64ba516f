"""``main.py score`` scores the takes it can and names why it cannot score the others."""

from __future__ import annotations

import json
import shutil

import h5py
import numpy as np

from analysis.session.writer import write_session
from app.cli.main import main
from tests.helpers import make_session_data


def test_takes_without_pose3d_or_hips_are_listed_as_not_scored(session_file, tiny_model_file, tmp_path, capsys):
    exemplars = tmp_path / "exemplars"
    exemplars.mkdir()
    shutil.copyfile(session_file, exemplars / "exemplar.h5")
    trainee = write_session(tmp_path / "trainee" / "trainee.h5", make_session_data(seed=4, n_takes=3))
    with h5py.File(trainee, "r+") as handle:
        del handle["/takes/take2/pose3d"]
        pose = handle["/takes/take3/pose3d"][()]
        pose[:, 11:13] = np.nan   # both hips, every frame
        handle["/takes/take3/pose3d"][...] = pose
    out = tmp_path / "score.json"
    assert main(["score", str(trainee), "--model", str(tiny_model_file), "--exemplars", str(exemplars),
                 "--json", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "take2  MFE-1-01  not scored: the take has no pose3d" in printed
    assert "take3  MFE-1-01  not scored: pose has no valid hip joints" in printed
    takes = {take["take"]: take for take in json.loads(out.read_text())["takes"]}
    assert np.isfinite(takes["take1"]["predicted"]) and "not_scored" not in takes["take1"]
    assert takes["take2"]["predicted"] is None and takes["take2"]["not_scored"] == "the take has no pose3d"
    assert takes["take3"]["predicted"] is None
