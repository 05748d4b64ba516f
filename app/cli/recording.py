"""Command-line jobs that turn a real recording into a session: ``sync`` and ``import``."""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from analysis.geometry.calibration_io import UNIT_SCALE
from analysis.geometry.keypoints_io import LAYOUTS
from analysis.geometry.pose3d_import import POSE3D_SUFFIXES
from analysis.geometry.robust_triangulation import DEFAULT_THRESHOLD_PX
from analysis.geometry.sync_result import (
    CORRELATING,
    DEFAULT_MAX_OFFSET,
    DEFAULT_SEARCH,
    MEASURING,
    REFINING,
    SELECTING,
)
from analysis.session.contract import EVENTS
from app.cli.command import StageBars, add_command

_UNITS = {MEASURING: "view", CORRELATING: "pair", SELECTING: "frame", REFINING: "view"}


def _add_calibration_options(command: argparse.ArgumentParser) -> None:
    command.add_argument("--calibration", type=Path,
                         help="calibration.toml, EasyMocap intri.yml/extri.yml (or their folder), or Qualisys .qca.txt")
    command.add_argument("--units", choices=tuple(UNIT_SCALE), default=None,
                         help="unit of the calibration's translations (default: m for toml/EasyMocap, mm for Qualisys)")
    command.add_argument("--layout", choices=tuple(LAYOUTS), default=None,
                         help="keypoint layout, needed when the keypoint count is ambiguous (25: BODY_25 or BODY_25B)")


def add_recording_commands(commands: argparse._SubParsersAction) -> None:
    """Add ``sync`` and ``import`` to the main parser's subcommands."""
    sync = add_command(commands, "sync", _sync, help="estimate each view's frame offset from the 2D keypoint motion",
                       description="Correlates the keypoint motion of the views, then (with --calibration) "
                                   "keeps the nearby offsets that triangulate best. Writes "
                                   '{"offsets": {VIEW: frames}, "reference": VIEW, ...}: the view\'s '
                                   "frame n + offset shows the reference's frame n.")
    sync.add_argument("--keypoints", required=True, type=Path, help="folder with one OpenPose JSON folder per view")
    _add_calibration_options(sync)
    sync.add_argument("--json", required=True, type=Path, metavar="OUT", help="file to write the offsets to")
    sync.add_argument("--reference", default=None, metavar="VIEW", help="view the others are measured against "
                                                                       "(default: the first)")
    sync.add_argument("--max-offset", type=int, default=DEFAULT_MAX_OFFSET,
                      help=f"largest offset looked for, frames (default {DEFAULT_MAX_OFFSET})")
    sync.add_argument("--search", type=int, default=DEFAULT_SEARCH,
                      help=f"with --calibration, offsets tried on each side of the correlation's "
                           f"(default {DEFAULT_SEARCH})")

    imp = add_command(commands, "import", _import, help="turn a recording (calibration, OpenPose JSON, videos) "
                                                        "or 3D motion files (C3D, TRC) into a session")
    source = imp.add_mutually_exclusive_group(required=True)
    source.add_argument("--keypoints", type=Path, help="folder with one OpenPose JSON folder per view "
                                                       "(Pose2Sim's pose or pose-associated folder too)")
    source.add_argument("--pose3d", type=Path, nargs="+", metavar="FILE",
                        help=f"3D motion files ({', '.join(POSE3D_SUFFIXES)}), one take each")
    _add_calibration_options(imp)
    imp.add_argument("--videos", type=Path, default=None, help="folder with one video per view (optional)")
    imp.add_argument("--embed-videos", action="store_true",
                     help="store video frames in the session instead of referencing the files")
    imp.add_argument("--sync", default=None, metavar="auto|FILE.json",
                     help="put the views on one clock: 'auto' estimates the offsets (as the sync command), "
                          "a file applies saved ones")
    imp.add_argument("--fps", type=float, default=None, help="frames per second (default: the videos' rate; "
                                                             "required without videos)")
    imp.add_argument("--up", choices=("y", "z"), default=None,
                     help="up axis of the --pose3d files' world (default: z for C3D, y for TRC)")
    imp.add_argument("--out", required=True, type=Path, help="session file to write")
    imp.add_argument("--event", choices=EVENTS, default="MFE", help="apparatus event (default MFE)")
    imp.add_argument("--level", type=int, default=1, help="curriculum level (default 1)")
    imp.add_argument("--athlete", default="unknown", help="athlete id")
    imp.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD_PX,
                     help=f"robust triangulation threshold in pixels (default {DEFAULT_THRESHOLD_PX:g})")


def _print_offsets(result) -> None:
    def number(value) -> str:
        return "   n/a" if value is None else f"{value:6.3f}"

    print(f"offsets against {result.reference} (its frame n is the view's frame n + offset):")
    for view, sync in result.views.items():
        line = f"  {view:<16} {sync.offset:+5d} frames   correlation {number(sync.correlation)}   " \
               f"peak quality {number(sync.peak_quality)}"
        if sync.reprojection_px is not None:
            line += f"   reprojection {sync.reprojection_px:6.2f} px"
        print(line)


def _sync(args: argparse.Namespace) -> int:
    from analysis.geometry.calibration_io import read_calibration
    from analysis.geometry.keypoints_io import detect_layout, read_keypoint_folders
    from analysis.geometry.recording_import import match_recording
    from analysis.geometry.sync import synchronize
    from analysis.geometry.sync_result import write_sync_file

    keypoints = read_keypoint_folders(args.keypoints)
    try:
        flip = detect_layout(keypoints.n_keypoints, args.layout).flip_permutation()
    except ValueError:
        if args.layout is not None:
            raise
        flip = None             # an unknown layout: side swaps are not looked for
    cameras = None
    if args.calibration is not None:
        matched = match_recording(read_calibration(args.calibration, args.units), keypoints, args.keypoints)
        keypoints, cameras = matched.keypoints, matched.cameras
        for match in matched.matches:
            print(f"  {match.view} -> {match.camera} (by {match.how})")
    with StageBars(_UNITS) as progress:
        result = synchronize(keypoints, cameras, args.reference, args.max_offset, args.search, flip, progress)
    _print_offsets(result)
    print(f"wrote {write_sync_file(args.json, result)}")
    return 0


def _import(args: argparse.Namespace) -> int:
    if args.pose3d:
        return _import_pose3d(args)
    from analysis.geometry.recording_import import import_recording
    from analysis.geometry.report import summary
    from analysis.session.writer import write_session
    from app.cli.geometry import print_summary

    if args.calibration is None:
        raise ValueError("--keypoints needs --calibration (the cameras the keypoints were seen by)")
    if args.level < 1:
        raise ValueError(f"--level must be at least 1, got {args.level}")
    with StageBars(_UNITS) as progress:
        imported = import_recording(
            args.calibration, args.keypoints, args.out, args.fps, layout=args.layout, units=args.units,
            videos_dir=args.videos, embed_videos=args.embed_videos, event=args.event, level=args.level,
            athlete=args.athlete, threshold_px=args.threshold, sync=args.sync, progress=progress)
    calibration = imported.calibration
    print(f"calibration: {args.calibration} ({calibration.file_format}, {len(calibration.cameras)} cameras); "
          f"{calibration.conversion}")
    for note in calibration.notes:
        print(f"  note: {note}")
    print(f"layout: {imported.session.skeleton.name} ({imported.session.skeleton.n_joints} joints); "
          f"{imported.session.fps:g} fps")
    print("views -> cameras:")
    for match in imported.matches:
        video = imported.videos.get(match.camera)
        print(f"  {match.view} -> {match.camera} (by {match.how})" + (f", video {video.name}" if video else ""))
    if imported.sync is not None:
        _print_offsets(imported.sync)
    elif imported.offsets is not None:
        offsets = ", ".join(f"{view} {offset:+d}" for view, offset in imported.offsets.items())
        print(f"offsets from {args.sync}: {offsets}")
    for note in imported.notes:
        print(f"note: {note}")
    write_session(args.out, imported.session)
    print(f"wrote {args.out} ({imported.session.takes[0].n_frames} frames)")
    take_id = imported.session.takes[0].take_id
    print_summary(summary({take_id: imported.observations}, [c.name for c in imported.session.cameras],
                          imported.session.skeleton.joint_names), args.threshold)
    return 0


def _import_pose3d(args: argparse.Namespace) -> int:
    from analysis.geometry.pose3d_import import import_pose3d
    from analysis.session.writer import write_session

    if args.level < 1:
        raise ValueError(f"--level must be at least 1, got {args.level}")
    unused = [name for name in ("videos", "sync", "fps", "layout") if getattr(args, name)]
    if unused:
        raise ValueError(f"--pose3d files carry their own 3D and frame rate; "
                         f"{', '.join('--' + name for name in unused)} do not apply")
    imported = import_pose3d(args.pose3d, args.calibration, args.units, args.up, args.event, args.level, args.athlete)
    session = imported.session
    print(f"skeleton: {imported.skeleton_how}; {session.fps:g} fps")
    if imported.calibration is not None:
        print(f"calibration: {args.calibration} ({len(session.cameras)} cameras); {imported.calibration.conversion}")
    for take in session.takes:
        seen = float(np.isfinite(take.pose3d).all(axis=-1).mean() * 100)
        print(f"  take {take.take_id}: {take.n_frames} frames, {seen:.1f} % of joint positions present")
    write_session(args.out, session)
    print(f"wrote {args.out} ({len(session.takes)} takes)")
    return 0
