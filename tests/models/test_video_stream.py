"""The video stream: crops around the athlete rendered from a synthetic take, and models that read them."""

from __future__ import annotations

import h5py
import numpy as np
import pytest
import torch

from analysis.catalogue.penalties import load_penalty_catalogue
from analysis.session.reader import Session
from analysis.synthetic.athlete_crops import CROP_SIZE, FirstCameraCrops, crop_boxes, cut
from app.cli.main import main
from app.cli.training_data import load_library_data
from models.checkpoint import load_checkpoint, save_checkpoint
from models.config import preset
from models.evaluate import embed
from models.scorer import Scorer
from models.train import evaluate_rows, train


@pytest.fixture(scope="module")
def crops_data(tiny_library):
    """:func:`tiny_library` read with 3D pose and the first camera's crops."""
    return load_library_data(tiny_library, "pose3d", 32, tuple(load_penalty_catalogue()), crops=FirstCameraCrops())


def test_crops_follow_the_athlete_through_the_take(synthetic_session_file):
    with Session.open(synthetic_session_file) as session:
        take = session.take_ids[0]
        source = FirstCameraCrops()
        crops = source(session, take, 16)
        assert source.renderer(session) is source.renderer(session)   # the gym is painted once per session
    assert crops.shape == (16, 3, CROP_SIZE, CROP_SIZE) and crops.dtype == np.uint8
    # The athlete stands in the middle of every crop: its centre differs from its border (the gym).
    centre = crops[:, :, 12:20, 12:20].astype(float)
    border = np.concatenate([crops[:, :, :3].reshape(16, 3, -1), crops[:, :, -3:].reshape(16, 3, -1)], axis=2)
    assert (np.abs(centre.mean(axis=(2, 3)) - border.astype(float).mean(axis=2)).sum(axis=1) > 10).mean() > 0.75
    assert not np.array_equal(crops[0], crops[-1])   # the body moves


def test_crop_boxes_keep_one_scale_per_take_and_fill_unseen_steps():
    pixels = np.array([[[100.0, 200.0], [120.0, 260.0]], [[300.0, 100.0], [310.0, 120.0]],
                       [[np.nan, np.nan], [np.nan, np.nan]]])
    centres, side = crop_boxes(pixels)
    np.testing.assert_allclose(centres[:2], [[110.0, 230.0], [305.0, 110.0]])
    np.testing.assert_allclose(centres[2], centres[:2].mean(axis=0))
    assert side == pytest.approx(1.25 * 60.0)
    with pytest.raises(ValueError, match="never in this camera's picture"):
        crop_boxes(np.full((3, 2, 2), np.nan))


def test_a_box_partly_outside_the_picture_is_black_there():
    image = np.full((100, 100, 3), 200, np.uint8)
    crop = cut(image, np.array([0.0, 50.0]), 64.0, size=32)
    assert crop.shape == (32, 32, 3)
    assert crop[:, :12].max() == 0 and crop[:, 20:].min() == 200


@pytest.mark.parametrize("streams", ["rgb", "rgb+pose"])
def test_a_video_model_trains_saves_and_evaluates_the_same(crops_data, tmp_path, streams):
    model = train(crops_data, preset("tiny", epochs=1, streams=streams), seed=0, device="cpu",
                  log=lambda _line: None)
    assert model.network.reads_crops and np.isfinite(model.metadata["metrics"]["validation"]["spearman"])
    loaded = load_checkpoint(save_checkpoint(tmp_path / "video.pt", model))
    rows = np.arange(len(crops_data.index))
    before = evaluate_rows(model, crops_data, rows, torch.device("cpu"))
    after = evaluate_rows(loaded, crops_data, rows, torch.device("cpu"))
    assert after["spearman"] == pytest.approx(before["spearman"]) and after["rl2x100"] == pytest.approx(
        before["rl2x100"])
    # The crops matter: the same takes with other pictures embed differently.
    features = crops_data.features[:4]
    shuffled = crops_data.crops[[3, 2, 1, 0]]
    first = embed(loaded.network, features, torch.device("cpu"), crops=crops_data.crops[:4]).queries
    second = embed(loaded.network, features, torch.device("cpu"), crops=shuffled).queries
    assert not torch.allclose(first, second)


def test_video_models_need_crops_and_are_refused_by_the_take_scorer_and_evaluate(crops_data, tiny_library, tmp_path,
                                                                                 capsys):
    model = train(crops_data, preset("tiny", epochs=1, streams="rgb+pose"), seed=0, device="cpu",
                  log=lambda _line: None)
    without = load_library_data(tiny_library, "pose3d", 32, tuple(load_penalty_catalogue()))
    with pytest.raises(ValueError, match="read video crops"):
        train(without, preset("tiny", epochs=1, streams="rgb"), seed=0, device="cpu", log=lambda _line: None)
    with pytest.raises(ValueError, match="video-stream ablation"):
        Scorer(model, torch.device("cpu")).features(np.zeros((40, 17, 3)), None)
    path = save_checkpoint(tmp_path / "video.pt", model)
    assert main(["evaluate", "--library", str(tiny_library), "--model", str(path)]) == 2
    assert "bench/bench_streams.py trains and measures such models" in capsys.readouterr().err
    with pytest.raises(ValueError, match="one pose sequence"):
        preset("tiny", modality="pose2d_views", n_views=8, streams="rgb")


def test_a_take_without_reference_motion_is_named(tiny_library, tmp_path):
    import shutil

    library = tmp_path / "library"
    shutil.copytree(tiny_library, library)
    victim = sorted(library.glob("*.h5"))[0]
    with h5py.File(victim, "r+") as handle:
        take = sorted(handle["takes"])[0]
        del handle[f"takes/{take}/pose3d_reference"]
    with pytest.raises(ValueError, match=f"{victim.name}: take {take}: no reference motion"):
        load_library_data(library, "pose3d", 32, tuple(load_penalty_catalogue()), crops=FirstCameraCrops())
