"""The ``calibrate`` command: a camera rig's calibration.toml from a recording of a board.

``add_calibrate_command`` adds the subcommand to the main parser and
``run_calibrate_command`` runs it (None for any other command).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from analysis.geometry.board import SPEC_FORMS

_UNITS = {"detecting": "frame", "intrinsics": "camera", "bundle adjustment": "iteration"}


def add_calibrate_command(commands: argparse._SubParsersAction) -> None:
    """Add ``calibrate`` to the main parser's subcommands."""
    command = commands.add_parser(
        "calibrate", help="calibrate a camera rig from a recording of a ChArUco board or checkerboard",
        description="Finds the board in every camera, calibrates each lens, then places all cameras in one "
                    "world by bundle adjustment; writes an anipose/Pose2Sim calibration.toml.")
    source = command.add_mutually_exclusive_group(required=True)
    source.add_argument("--videos", type=Path, metavar="DIR", help="folder with one video file per camera, named after the camera")
    source.add_argument("--images", type=Path, metavar="DIR", help="folder with one image folder per camera, named after the camera")
    command.add_argument("--board", required=True, metavar="SPEC",
                         help=f"{SPEC_FORMS}; COLS and ROWS count squares, lengths in metres "
                              "(e.g. charuco:10x7:0.10:0.075:DICT_4X4_100)")
    command.add_argument("--out", required=True, type=Path, help="calibration.toml to write")
    command.add_argument("--json", type=Path, default=None, metavar="REPORT", help="also write the report as JSON")
    command.add_argument("--every", type=int, default=None, metavar="N",
                         help="use every N-th frame (default: about 300 frames of the longest camera)")
    command.add_argument("--origin", choices=("camera", "board"), default="camera",
                         help="world frame: the first camera's (default), or the board's in the first frame "
                              "seen by the most cameras (board face up on the floor: floor z = 0, Z up)")


def run_calibrate_command(args: argparse.Namespace) -> int | None:
    """Run ``calibrate`` if ``args`` asks for it; None otherwise."""
    if args.command != "calibrate":
        return None
    from analysis.geometry.board import parse_board_spec
    from analysis.geometry.board_calibration import calibrate_rig
    from analysis.geometry.board_recording import (
        default_every,
        detect_boards,
        find_sources,
    )
    from analysis.geometry.calibration_toml import write_toml_calibration
    from analysis.session.atomic import write_text_atomically

    spec = parse_board_spec(args.board)
    sources = find_sources(args.videos or args.images, videos=args.videos is not None)
    every = args.every if args.every is not None else default_every(sources)
    with _StageBars() as progress:
        recording = detect_boards(sources, spec, every, progress)
        calibration = calibrate_rig(recording, spec, args.origin, progress)
    report = {**calibration.report, "frame_step": every}
    write_toml_calibration(args.out, calibration.cameras)
    print(f"board {spec}, every {every} frame(s), world: {report['origin']}")
    for name, entry in report["per_camera"].items():
        print(f"  {name:<16} {entry['n_frames']:5d} frames   f {entry['f_px']:8.1f} px   RMS {entry['rms_px']:.3f} px")
    print(f"mean RMS {report['mean_rms_px']:.3f} px; {report['n_shared_frames']} frames seen by 2 cameras or more")
    print(f"wrote {args.out}")
    if args.json is not None:
        write_text_atomically(args.json, json.dumps(report, indent=2) + "\n")
        print(f"wrote {args.json}")
    return 0


class _StageBars:
    """A tqdm bar per stage of a ``progress(stage, done, total)`` callback; total 0 means unknown."""

    def __init__(self) -> None:
        self._bar = None
        self._stage = None

    def __enter__(self) -> _StageBars:
        return self

    def __exit__(self, *exc) -> None:
        if self._bar is not None:
            self._bar.close()

    def __call__(self, stage: str, done: int, total: int) -> None:
        from tqdm import tqdm

        if stage != self._stage:
            if self._bar is not None:
                self._bar.close()
            self._bar = tqdm(desc=stage.capitalize(), unit=_UNITS.get(stage, "step"))
            self._stage = stage
        self._bar.total = total or None
        self._bar.n = done
        self._bar.refresh()
