"""`main.py calibrate`: a camera rig's calibration.toml from a recording of a board."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from analysis.geometry.board import SPEC_FORMS
from app.cli.command import (
    EXIT_INTERRUPTED,
    StageBars,
    add_command,
    add_json_option,
    write_json_report,
)

#: What each stage of the calibration is called on its progress bar, and what it counts.
_TITLES = {"detecting": "Finding the board", "intrinsics": "Calibrating lenses",
           "bundle adjustment": "Bundle adjustment"}
_UNITS = {"detecting": "frame", "intrinsics": "camera", "bundle adjustment": "iteration"}


def add_calibrate_command(commands: argparse._SubParsersAction) -> None:
    """Add ``calibrate`` to the main parser's subcommands."""
    command = add_command(
        commands, "calibrate", _calibrate,
        help="calibrate a camera rig from a recording of a ChArUco board or checkerboard",
        description="Finds the board in every camera, calibrates each lens, then places all cameras in one "
                    "world by bundle adjustment; writes an anipose/Pose2Sim calibration.toml.")
    source = command.add_mutually_exclusive_group(required=True)
    source.add_argument("--videos", type=Path, metavar="DIR",
                        help="folder with one video file per camera, named after the camera")
    source.add_argument("--images", type=Path, metavar="DIR",
                        help="folder with one image folder per camera, named after the camera")
    command.add_argument("--board", required=True, metavar="SPEC",
                         help=f"{SPEC_FORMS}; COLS and ROWS count squares, lengths in metres "
                              "(e.g. charuco:10x7:0.10:0.075:DICT_4X4_100)")
    command.add_argument("--out", required=True, type=Path, help="calibration.toml to write")
    add_json_option(command, "the report")
    command.add_argument("--every", type=int, default=None, metavar="N",
                         help="use every N-th frame (default: about 300 frames of the longest camera)")
    command.add_argument("--origin", choices=("camera", "board"), default="camera",
                         help="world frame: the first camera's (default), or the board's in the first frame "
                              "seen by the most cameras (board face up on the floor: floor z = 0, Z up)")


def _calibrate(args: argparse.Namespace) -> int:
    from analysis.geometry.board import parse_board_spec
    from analysis.geometry.board_calibration import calibrate_rig
    from analysis.geometry.board_recording import (
        default_every,
        detect_boards,
        find_sources,
    )
    from analysis.geometry.calibration_toml import write_toml_calibration

    spec = parse_board_spec(args.board)
    sources = find_sources(args.videos or args.images, videos=args.videos is not None)
    every = args.every if args.every is not None else default_every(sources)
    try:
        with StageBars(_UNITS, _TITLES) as progress:
            recording = detect_boards(sources, spec, every, progress)
            calibration = calibrate_rig(recording, spec, args.origin, progress)
    except KeyboardInterrupt:
        print(f"interrupted; {args.out} not written", file=sys.stderr)
        return EXIT_INTERRUPTED
    report = {**calibration.report, "frame_step": every}
    write_toml_calibration(args.out, calibration.cameras)
    print(f"board {spec}, every {every} frame(s), world: {report['origin']}")
    for name, entry in report["per_camera"].items():
        print(f"  {name:<16} {entry['n_frames']:5d} frames   f {entry['f_px']:8.1f} px   RMS {entry['rms_px']:.3f} px")
    print(f"mean RMS {report['mean_rms_px']:.3f} px; {report['n_shared_frames']} frames seen by 2 cameras or more")
    print(f"wrote {args.out}")
    if args.json is not None:
        write_json_report(args.json, report)
    return 0
