"""`main.py detect`: 2D poses from raw camera videos into one OpenPose JSON folder per view.

Ctrl+C stops after the current frame; the same command then resumes where it stopped.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from analysis.detection.model_files import NAMED_MODELS, NamedModel
from analysis.geometry.calibration_io import UNIT_SCALE
from app.cli.command import EXIT_INTERRUPTED, ProgressBar, StageBars, add_command

if TYPE_CHECKING:
    from analysis.detection.estimators import PoseEstimator


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def add_detect_command(commands: argparse._SubParsersAction) -> None:
    """Add ``detect`` to the main parser's subcommands."""
    detect = add_command(
        commands, "detect", _detect,
        help="detect 2D poses in raw videos (RTMPose/RTMO on onnxruntime) into OpenPose JSON folders",
        description="Detects everyone in each video (one per view, synchronised), follows them through time, "
                    "and writes <out>/<view>/<view>_<frame>_keypoints.json, which `main.py import` and Pose2Sim "
                    "read. Frames already written are kept: run the same command again to resume.")
    detect.add_argument("--videos", required=True, type=Path, help="folder with one video per view")
    detect.add_argument("--out", required=True, type=Path, help="output folder (one JSON folder per view)")
    detect.add_argument("--model", choices=tuple(NAMED_MODELS), default="body17",
                        help="keypoint set: body17 (COCO-17), halpe26 (HALPE-26, with feet), wholebody "
                             "(COCO-WholeBody, 133); RTMPose-m / RTMW-l with the YOLOX-m person detector, "
                             "downloaded once into the user cache (default body17)")
    detect.add_argument("--model-file", type=Path, default=None,
                        help="an RTMPose (SimCC) or RTMO .onnx file to use instead of the named model's")
    detect.add_argument("--detector-file", type=Path, default=None,
                        help="an end-to-end YOLOX-style person detector .onnx for RTMPose (RTMO needs none)")
    detect.add_argument("--device", choices=("cpu", "cuda"), default=None,
                        help="where onnxruntime runs the models (default: cuda where its CUDA provider is present)")
    detect.add_argument("--every", type=_positive_int, default=1, metavar="N",
                        help="detect every N-th frame only; files keep the video's frame numbers (default 1)")
    detect.add_argument("--calibration", type=Path, default=None,
                        help="the cameras' calibration: keep only the athlete, the person the views agree on")
    detect.add_argument("--units", choices=tuple(UNIT_SCALE), default=None,
                        help="unit of the calibration's translations (default: the format's)")


def _detect(args: argparse.Namespace) -> int:
    from analysis.detection.job import DETECTING, SELECTING, run_detection
    from analysis.detection.video_frames import find_view_videos
    from analysis.geometry.calibration_io import read_calibration

    named = NAMED_MODELS[args.model]
    stop = threading.Event()
    try:
        videos = find_view_videos(args.videos)
        cameras = read_calibration(args.calibration, args.units).cameras if args.calibration is not None else None
        estimator = _load_estimator(args, named)
        print(f"{len(videos)} videos: {', '.join(v.view for v in videos)}")
        previous = {name: signal.signal(name, lambda *_: stop.set()) for name in (signal.SIGINT, signal.SIGTERM)}
        try:
            with StageBars({stage: "frame" for stage in (DETECTING, SELECTING)}) as bars:
                result = run_detection(videos, args.out, estimator, args.every, cameras, bars, stop.is_set)
        finally:
            for name, handler in previous.items():
                signal.signal(name, handler)
    except KeyboardInterrupt:                       # before the job, e.g. while a model downloads
        print("cancelled", file=sys.stderr)
        return EXIT_INTERRUPTED
    for view, report in result.views.items():
        athlete = "" if report.athlete_frames is None else f", athlete in {report.athlete_frames}"
        print(f"  {view}: {report.detected} frames detected, {report.kept} kept from an earlier run, "
              f"{report.tracks} people tracked{athlete}")
    if result.cancelled:
        written = sum(r.detected for r in result.views.values())
        print(f"cancelled after {written} new frames; run the same command again to resume", file=sys.stderr)
        return EXIT_INTERRUPTED
    print(f"wrote {args.out}")
    if named.layout is None:
        print(f"note: {named.n_keypoints} keypoints per person (COCO-WholeBody): Pose2Sim reads them; "
              f"`main.py import` reads COCO-17 and HALPE-26 (use --model body17 or halpe26)")
    return 0


def _load_estimator(args: argparse.Namespace, named: NamedModel) -> PoseEstimator:
    """The models of ``--model-file``/``--detector-file``, else of ``--model`` (cached, or downloaded once)."""
    from analysis.detection.model_files import named_estimator
    from analysis.detection.onnx_runtime import default_device

    device = args.device or default_device()
    with ProgressBar("Downloading the model files", "B", unit_scale=True, unit_divisor=1024) as downloads:
        estimator = named_estimator(named, device, args.model_file, args.detector_file,
                                    lambda _what, done, total: downloads(done, total))
    print(f"model: {Path(args.model_file).name if args.model_file else named.name} "
          f"({estimator.n_keypoints} keypoints) on {device}")
    return estimator
