"""Score intervals (split conformal), penalty spans and their metrics, checkpoint calibration, device choice."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from app.cli.main import main
from models import distributed
from models.checkpoint import load_checkpoint, save_checkpoint
from models.intervals import (
    IntervalCalibration,
    calibrate,
    conformal_quantile,
    coverage_and_width,
    interval_report,
    nonconformity,
)
from models.spans import item_auc, item_spans, penalty_metrics, temporal_iou


def test_conformal_quantile_takes_the_finite_sample_rank():
    scores = np.arange(1.0, 20.0)                      # 19 scores: rank ceil(20 * 0.9) = 18
    assert conformal_quantile(scores, 0.9) == 18.0
    assert conformal_quantile(scores[::-1], 0.9) == 18.0
    assert conformal_quantile(np.arange(1.0, 9.0), 0.9) == float("inf")     # 8 scores cannot promise 90 %
    with pytest.raises(ValueError, match="coverage must be in"):
        conformal_quantile(scores, 1.0)
    with pytest.raises(ValueError, match="at least one finite score"):
        conformal_quantile(np.array([]), 0.9)


def test_calibrated_intervals_cover_exchangeable_residuals_and_widen_with_the_spread():
    rng = np.random.default_rng(0)
    n = 4000
    k = np.repeat([1, 4], n // 2)
    spread = np.where(k == 1, 0.0, rng.uniform(0.0, 0.4, n))
    noise = np.where(k == 1, 0.5, 0.1 + 0.5 * spread)            # one exemplar: wider errors
    predicted = rng.uniform(6.0, 9.5, n)
    truth = predicted + rng.normal(0.0, 1.0, n) * noise
    half = slice(0, n, 2), slice(1, n, 2)
    calibration = calibrate(truth[half[0]], predicted[half[0]], spread[half[0]], k[half[0]], 0.9, floor=0.2,
                            deduction_weight=0.5)
    assert set(calibration.quantiles) == {1, 4} and calibration.counts == {1: n // 4, 4: n // 4}
    intervals = calibration.intervals(predicted[half[1]], spread[half[1]], k[half[1]])
    for value in (1, 4):
        chosen = k[half[1]] == value
        coverage, _ = coverage_and_width(truth[half[1]][chosen], intervals[chosen])
        assert 0.87 <= coverage <= 0.93
    one, four = (np.mean(np.diff(intervals[k[half[1]] == value], axis=1)) for value in (1, 4))
    assert one > four                                            # a single exemplar gives a wider interval
    wide = calibration.intervals(np.array([8.0, 8.0]), np.array([0.0, 0.3]), 4)
    assert np.diff(wide[1]) > np.diff(wide[0])
    assert calibration.quantile_for(9) == calibration.quantiles[4]          # more exemplars than calibrated


def test_coverage_is_measured_on_trainee_takes_with_the_exemplars_own_takes_apart():
    truth = np.array([7.0, 8.0, 9.0, 6.0, 10.0, 10.0])
    intervals = np.array([[6.5, 7.5], [8.5, 9.0], [8.0, 9.5], [5.0, 7.0], [9.5, 10.0], [9.0, 9.8]])
    is_exemplar = np.array([False, False, False, False, True, True])
    report = interval_report(truth, intervals, is_exemplar, 0.9)
    assert report["coverage"] == 0.75 and report["n_takes"] == 4           # the second trainee take is missed
    assert report["mean_width"] == pytest.approx((1.0 + 0.5 + 1.5 + 2.0) / 4)
    assert report["exemplar_coverage"] == 0.5 and report["n_exemplar_takes"] == 2
    only_trainees = interval_report(truth[:4], intervals[:4], is_exemplar[:4], 0.9)
    assert only_trainees["exemplar_coverage"] is None and only_trainees["coverage"] == 0.75


def test_intervals_stay_on_the_score_scale_and_nonconformity_needs_a_floor():
    calibration = IntervalCalibration(0.9, 0.5, {1: 2.0}, {1: 10})
    low, high = calibration.intervals(np.array([9.8]), np.array([0.0]), 1)[0]
    assert (low, high) == (pytest.approx(8.8), 10.0)
    assert IntervalCalibration.from_dict(json.loads(json.dumps(calibration.to_dict()))) == calibration
    assert nonconformity(np.array([9.0]), np.array([8.0]), np.array([0.5]), 0.5, 0.0)[0] == pytest.approx(1.0)
    with pytest.raises(ValueError, match="floor must be positive"):
        nonconformity(np.array([9.0]), np.array([8.0]), np.array([0.5]), 0.0, 0.0)


def test_the_deduction_weight_widens_intervals_for_faulted_takes_and_evens_their_coverage():
    rng = np.random.default_rng(1)
    n = 6000
    predicted = 9.5 - rng.exponential(0.6, n)                     # mostly clean takes, a tail of heavy faults
    deduction = 10.0 - predicted
    truth = predicted + rng.normal(0.0, 1.0, n) * (0.05 + 0.2 * deduction)    # errors grow with the faults
    spread, k = np.zeros(n), np.ones(n, dtype=int)
    fit, held = slice(0, n, 2), slice(1, n, 2)
    heavy = deduction[held] > 1.5

    def coverage_of_heavy_takes(weight):
        calibration = calibrate(truth[fit], predicted[fit], spread[fit], k[fit], 0.9, floor=0.2,
                                deduction_weight=weight)
        intervals = calibration.intervals(predicted[held], spread[held], k[held])
        return coverage_and_width(truth[held][heavy], intervals[heavy])[0], intervals

    flat_share, flat = coverage_of_heavy_takes(0.0)
    weighted_share, weighted = coverage_of_heavy_takes(0.5)
    assert flat_share < 0.75 and 0.85 <= weighted_share <= 0.95      # one width for all misses the faulted takes
    assert np.ptp(np.diff(flat, axis=1)[~heavy]) < 1e-9 < np.ptp(np.diff(weighted, axis=1))
    clean = np.argmin(deduction[held])
    assert np.diff(weighted[clean]) < np.diff(flat[clean])           # and a clean take gets a narrower one
    calibration = IntervalCalibration(0.9, 0.5, {1: 1.0}, {1: 10}, "test", deduction_weight=0.5)
    assert IntervalCalibration.from_dict(json.loads(json.dumps(calibration.to_dict()))) == calibration
    older = calibration.to_dict()
    del older["deduction_weight"]                                  # written before the weight existed
    assert IntervalCalibration.from_dict(older).deduction_weight == 0.0


def test_item_spans_follow_each_heatmap_row_around_its_peak():
    frames = np.arange(100)
    heatmap = np.stack([
        np.exp(-0.5 * ((frames - 40) / 6.0) ** 2),                        # one bump at frame 40
        np.where((frames >= 10) & (frames < 20), 0.9, 0.05) + np.where(frames >= 70, 0.6, 0.0),  # two plateaus
        np.full(100, np.nan),                                            # nothing known
    ])
    spans = item_spans(heatmap, level=0.1)
    assert tuple(spans[0]) == (28, 53)                                  # p >= 0.1 within 40 ± 12.9 frames
    assert tuple(spans[1]) == (10, 20)                                  # the peak's run, not the later plateau
    assert tuple(spans[2]) == (-1, -1)
    assert tuple(item_spans(heatmap, level=0.5)[0]) == (33, 48)          # half the peak: 40 ± 7.06 frames


def test_temporal_iou_and_auc_on_known_cases():
    assert temporal_iou((10, 20), (10, 20)) == 1.0                      # spans end exclusive
    assert temporal_iou((10, 20), (15, 25)) == pytest.approx(5 / 15)
    assert temporal_iou((0, 5), (10, 20)) == 0.0 and temporal_iou((-1, -1), (0, 5)) == 0.0
    assert item_auc(np.array([0.1, 0.4, 0.35, 0.8]), np.array([0, 0, 1, 1])) == 0.75
    assert np.isnan(item_auc(np.array([0.1, 0.2]), np.array([1, 1])))


def test_penalty_metrics_measure_detection_and_location():
    steps = np.linspace(0, 99, 16)
    hit = np.exp(-0.5 * ((steps - 50) / 8.0) ** 2)                       # a bump over frames ~40-60
    step_probabilities = np.stack([np.stack([hit, 0.1 * np.ones(16)]),     # take 0 has item A there
                                   np.stack([0.2 * np.ones(16), 0.1 * np.ones(16)])])   # take 1 has nothing
    labels = np.array([[1, 0], [0, 0]])
    spans = [{"A": (40, 61)}, {}]
    metrics = penalty_metrics(step_probabilities, ("A", "B"), labels, spans, np.array([100, 100]), span_level=0.1)
    assert metrics["items"]["A"]["auc"] == 1.0 and metrics["items"]["A"]["n_detected"] == 1
    assert metrics["items"]["A"]["mean_iou"] > 0.5 and metrics["mean_iou"] == metrics["items"]["A"]["mean_iou"]
    assert np.isnan(metrics["items"]["B"]["auc"]) and metrics["items"]["B"]["n_present"] == 0
    everything = penalty_metrics(step_probabilities, ("A", "B"), labels, spans, np.array([100, 100]), span_level=0.05)
    assert everything["mean_iou"] < metrics["mean_iou"]                  # a low level spreads the span too wide


def test_checkpoints_keep_their_calibration_and_older_ones_load_without(tmp_path, tiny_model):
    tiny_model.calibration = IntervalCalibration(0.9, 0.2, {1: 2.5, 4: 1.5}, {1: 100, 4: 100}, "test")
    try:
        path = save_checkpoint(tmp_path / "calibrated.pt", tiny_model)
    finally:
        tiny_model.calibration = None
    assert load_checkpoint(path).calibration.quantiles == {1: 2.5, 4: 1.5}
    payload = torch.load(path, weights_only=True)
    payload["format_version"] = 3
    del payload["calibration"]
    torch.save(payload, tmp_path / "v3.pt")
    assert load_checkpoint(tmp_path / "v3.pt").calibration is None


def test_calibrated_model_gives_intervals_and_located_penalties_in_score_json(tmp_path, tiny_model_file,
                                                                              tiny_library, capsys):
    model = tmp_path / "calibrated.pt"
    assert main(["calibrate-intervals", "--model", str(tiny_model_file), "--library", str(tiny_library),
                 "--out", str(model), "--device", "cpu"]) == 0
    calibration = load_checkpoint(model).calibration
    assert calibration.coverage == 0.9 and set(calibration.quantiles) == {1}       # one exemplar per action there
    assert 0 < calibration.quantiles[1] < float("inf") and "takes of tiny_library" in calibration.source
    assert load_checkpoint(tiny_model_file).calibration is None                    # the input is left alone
    session = sorted(tiny_library.glob("*.h5"))[-1]
    assert main(["score", str(session), "--model", str(model), "--json", str(tmp_path / "s.json"),
                 "--device", "cpu"]) == 0
    assert "% interval)" in capsys.readouterr().out
    results = json.loads((tmp_path / "s.json").read_text())
    assert results["interval_coverage"] == 0.9
    take = next(t for t in results["takes"] if t["predicted"] is not None)
    low, high = take["interval"]
    assert 0.0 <= low <= take["predicted"] <= high <= 10.0 and high - low > 0
    first = take["penalties"][0]
    assert set(first) == {"code", "name", "probability", "start", "end"}
    assert first["probability"] == max(p["probability"] for p in take["penalties"])
    assert 0 <= first["start"] <= first["end"]
    assert main(["evaluate", "--library", str(tiny_library), "--model", str(model), "--json",
                 str(tmp_path / "e.json"), "--device", "cpu"]) == 0
    metrics = json.loads((tmp_path / "e.json").read_text())
    # calibrated and measured on the same takes: split conformal covers at least the nominal share
    assert metrics["interval"]["nominal"] == 0.9 and metrics["interval"]["coverage"] >= 0.9
    assert metrics["interval"]["n_takes"] == calibration.counts[1]          # the trainee takes calibrated on
    assert all(len(t["interval"]) == 2 for t in metrics["takes"])
    assert set(metrics["penalties"]["items"]) == set(load_checkpoint(model).head_codes)
    assert main(["evaluate", "--library", str(tiny_library), "--model", str(tiny_model_file), "--json",
                 str(tmp_path / "plain.json"), "--device", "cpu"]) == 0
    assert json.loads((tmp_path / "plain.json").read_text())["interval"] is None       # an uncalibrated model


def test_cuda_is_chosen_when_present_and_cpu_otherwise(monkeypatch):
    group = distributed.ProcessGroup(local_rank=3)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert distributed.resolve_device(None, group) == torch.device("cpu")
    with pytest.raises(ValueError, match="no CUDA device"):
        distributed.resolve_device("cuda", group)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 2)
    assert distributed.resolve_device(None, group) == torch.device("cuda", 1)      # one GPU per local rank
    assert distributed.resolve_device("cpu", group) == torch.device("cpu")


class _DeviceSeen(Exception):
    """Raised by the stand-ins below with the device the code asked for."""


def test_evaluate_and_fine_tuning_ask_for_cuda_when_it_is_present(monkeypatch, tiny_model_file, tiny_library,
                                                                 tiny_data):
    import models.scorer
    import models.train

    def load_on(path, device):
        raise _DeviceSeen(device)

    def train_on(data, config, seed, device, *rest):
        raise _DeviceSeen(device)

    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 1)
    monkeypatch.setattr(models.scorer, "load_checkpoint", load_on)
    monkeypatch.setattr(models.train, "_train", train_on)
    with pytest.raises(_DeviceSeen) as evaluated:
        main(["evaluate", "--library", str(tiny_library), "--model", str(tiny_model_file)])
    assert evaluated.value.args[0] == torch.device("cuda", 0)
    with pytest.raises(_DeviceSeen) as tuned:         # what fine-tuning calls, with no device named
        models.train.train(tiny_data, load_checkpoint(tiny_model_file).config, initial=None, log=lambda line: None)
    assert tuned.value.args[0] == torch.device("cuda", 0)
