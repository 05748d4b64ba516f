"""Multi-view scoring models: every camera's 2D keypoints, views joined at one stage."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from analysis.catalogue.penalties import load_penalty_catalogue
from analysis.motion.skeleton import COCO17
from analysis.session.library import Library
from app.cli.main import main
from app.cli.scoring import read_exemplar, scoring_exemplars
from app.cli.training_data import load_library_data
from models.checkpoint import load_checkpoint, save_checkpoint
from models.config import preset
from models.features import JointRoles, take_features
from models.scorer import Scorer
from models.train import train

FUSIONS = (("batch", "avg"), ("backbone", "cat"), ("backbone", "avg"), ("decoder", "cat"), ("pair", "cat"),
           ("pair", "avg"), ("regressor", "avg"))


@pytest.fixture(scope="module")
def views_data(tiny_library):
    """:func:`tiny_library` read with every camera's 2D keypoints."""
    return load_library_data(tiny_library, "pose2d_views", 32, tuple(load_penalty_catalogue()))


def _config(data, fusion: str, op: str):
    return preset("tiny", epochs=1, modality="pose2d_views", n_views=data.features.shape[1], view_fusion=fusion,
                  fusion_op=op)


def _scored_take(scorer: Scorer, library: Library, take):
    """The score of one library take (a row of the index) with its session's 2D poses of every view."""
    chosen = scoring_exemplars(library, library.path_of(take.file), take.take, take.action, take.event, 2)
    exemplars = [read_exemplar(library, row.file, row.take, row.score, "pose2d_views") for row in chosen.itertuples()]
    with library.open(take.file) as session:
        return scorer.score(None, session.pose2d(take.take), exemplars)


def test_every_view_of_a_take_becomes_one_backbone_input(views_data, tiny_library):
    single = load_library_data(tiny_library, "pose2d", 32, tuple(load_penalty_catalogue()))
    n_takes, n_views = views_data.features.shape[:2]
    assert views_data.features.shape == (n_takes, n_views, 9, 32, COCO17.n_joints) and n_views >= 4
    # The first view is what a single-view 2D model reads; the other cameras see the take differently.
    np.testing.assert_allclose(views_data.features[:, 0], single.features, atol=1e-6)
    assert not np.allclose(views_data.features[:, 1], views_data.features[:, 0], atol=1e-2)


def test_a_camera_that_never_sees_the_athlete_gives_an_empty_view():
    rng = np.random.default_rng(0)
    pose2d = rng.normal(300.0, 40.0, size=(3, 50, COCO17.n_joints, 3))
    pose2d[1, :, COCO17.index("left_hip")] = np.nan
    roles = JointRoles.from_joint_names(COCO17.joint_names)
    features = take_features(None, pose2d, "pose2d_views", roles, 32, n_views=3)
    assert features.shape == (3, 9, 32, COCO17.n_joints)
    assert not features[1].any() and features[0].any() and features[2].any()
    with pytest.raises(ValueError, match="reads 4 camera views, the take has 3"):
        take_features(None, pose2d, "pose2d_views", roles, 32, n_views=4)
    pose2d[:, :, COCO17.index("right_hip")] = np.nan
    with pytest.raises(ValueError, match="no valid hip joints in any camera view"):
        take_features(None, pose2d, "pose2d_views", roles, 32, n_views=3)


@pytest.mark.parametrize(("fusion", "op"), FUSIONS)
def test_each_fusion_trains_saves_and_scores_a_session_take(views_data, tiny_library, tmp_path, fusion, op):
    model = train(views_data, _config(views_data, fusion, op), seed=0, device="cpu", log=lambda _line: None)
    assert np.isfinite(model.metadata["metrics"]["validation"]["spearman"])
    path = save_checkpoint(tmp_path / f"{fusion}-{op}.pt", model)
    scorer = Scorer(load_checkpoint(path), torch.device("cpu"))
    library = Library.scan(tiny_library)
    take = next(library.index[~library.index["is_exemplar"]].itertuples())
    result = _scored_take(scorer, library, take)
    assert np.isfinite(result.score) and 0.0 <= result.score <= 10.5
    # The saved model is the trained one: the same take scores the same from the file.
    again = Scorer(model, torch.device("cpu"))
    assert _scored_take(again, library, take).score == pytest.approx(result.score, abs=1e-4)


@pytest.mark.parametrize(("fusion", "op"), [("backbone", "avg"), ("pair", "avg"), ("regressor", "avg"),
                                            ("batch", "avg")])
def test_averaged_views_do_not_depend_on_the_camera_order(views_data, fusion, op):
    model = train(views_data, _config(views_data, fusion, op), seed=1, device="cpu", log=lambda _line: None)
    network = model.network.eval()
    inputs = torch.from_numpy(views_data.features[:4])
    shuffled = inputs[:, torch.randperm(inputs.shape[1], generator=torch.Generator().manual_seed(0))]
    with torch.no_grad():
        first = network(inputs, torch.tensor([0, 1]), torch.tensor([2, 3]))[0]
        second = network(shuffled, torch.tensor([0, 1]), torch.tensor([2, 3]))[0]
    torch.testing.assert_close(first, second, atol=1e-5, rtol=1e-5)


def test_batch_training_sees_one_view_at_a_time(views_data):
    model = train(views_data, _config(views_data, "batch", "avg"), seed=0, device="cpu", log=lambda _line: None)
    network = model.network
    inputs = torch.from_numpy(views_data.features[:3])
    network.train()
    assert network.embed(inputs).tokens.shape[1] == 1
    network.eval()
    assert network.embed(inputs).tokens.shape[1] == views_data.features.shape[1]


def test_multiview_settings_are_checked():
    with pytest.raises(ValueError, match="only be averaged"):
        preset("tiny", modality="pose2d_views", n_views=8, view_fusion="regressor", fusion_op="cat")
    with pytest.raises(ValueError, match="n_views"):
        preset("tiny", modality="pose3d", n_views=8)


def test_the_command_line_trains_a_model_on_every_camera_and_scores_with_it(tiny_library, tmp_path, capsys):
    out, report = tmp_path / "views.pt", tmp_path / "score.json"
    assert main(["train", "--library", str(tiny_library), "--out", str(out), "--preset", "pose2d-views",
                 "--epochs", "1"]) == 0
    model = load_checkpoint(out)
    library = Library.scan(tiny_library)
    trainee_file = library.index.loc[~library.index["is_exemplar"], "file"].iloc[0]
    with library.open(trainee_file) as session:
        n_cameras = len(session.cameras)
        session_path = session.path
    assert model.config.n_views == n_cameras and model.config.view_fusion == "pair"
    assert main(["score", str(session_path), "--model", str(out), "--json", str(report)]) == 0
    takes = json.loads(report.read_text())["takes"]
    assert takes and all(take["predicted"] is not None and np.isfinite(take["predicted"]) for take in takes), takes
