"""Command-line jobs on a session's geometry: re-triangulate, export poses and the calibration."""

from __future__ import annotations

import argparse
from pathlib import Path

from analysis.geometry.robust_triangulation import (
    DEFAULT_MIN_CONFIDENCE,
    DEFAULT_THRESHOLD_PX,
)
from app.cli.command import ProgressBar, add_command, add_json_option, write_json_report


def add_geometry_commands(commands: argparse._SubParsersAction) -> None:
    """Add ``triangulate`` and ``export-pose`` to the main parser's subcommands."""
    tri = add_command(commands, "triangulate", _triangulate, help="re-triangulate a session into a new file")
    tri.add_argument("file", type=Path)
    tri.add_argument("--out", required=True, type=Path, help="new session file")
    tri.add_argument("--exclude", nargs="+", default=[], metavar="VIEW", help="views to leave out")
    tri.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD_PX,
                     help=f"robust triangulation threshold in pixels (default {DEFAULT_THRESHOLD_PX:g})")
    tri.add_argument("--min-confidence", type=float, default=DEFAULT_MIN_CONFIDENCE,
                     help=f"detections below this confidence are not used (default {DEFAULT_MIN_CONFIDENCE:g})")
    add_json_option(tri, "the summary")

    exp = add_command(commands, "export-pose", _export,
                      help="export 3D poses (TRC, long CSV) and the calibration (toml)")
    exp.add_argument("file", type=Path)
    exp.add_argument("--take", default=None, help="take id for TRC (default: the only take)")
    exp.add_argument("--trc", type=Path, default=None, help="OpenSim TRC of one take (metres, Y up)")
    exp.add_argument("--csv", type=Path, default=None, help="long-format CSV of all takes (metres, session world)")
    exp.add_argument("--calibration", type=Path, default=None, help="calibration.toml of the session's cameras")
    exp.add_argument("--reference", action="store_true", help="export pose3d_reference instead of pose3d")


def print_summary(summary: dict, threshold_px: float) -> None:
    """Print a reprojection summary (:func:`analysis.geometry.report.summary`) as the commands show it."""
    def px(value) -> str:
        return "   n/a" if value is None else f"{value:6.2f}"

    kept = f"kept (within {threshold_px:g} px of the 3D)"
    for label, key in ((kept, "mean_reprojection_px"), ("all valid observations", "mean_reprojection_all_px")):
        print(f"mean reprojection error, {label:<32} {px(summary[key])} px")
    print("per view, kept (px):")
    for name, value in summary["per_view"].items():
        print(f"  {name:<16} {px(value)}")
    print("per joint, kept (px):")
    for name, value in summary["per_joint"].items():
        print(f"  {name:<16} {px(value)}")
    print(f"views excluded as outliers: {summary['excluded_fraction'] * 100:.1f} %")
    if summary["empty_joint_frames"]:
        print(f"left empty (fewer than 2 views agreeing within {threshold_px:g} px): "
              f"{summary['empty_joint_frames']} joint-frames")


def _triangulate(args: argparse.Namespace) -> int:
    from analysis.geometry.report import summary
    from analysis.geometry.retriangulate import retriangulate, write_retriangulated
    from analysis.geometry.rig import CameraRig
    from analysis.session.reader import Session

    with Session.open(args.file) as session:
        rig = CameraRig(session.cameras, args.threshold, args.min_confidence, source=str(session.path))
        with ProgressBar("Triangulating", "take") as progress:
            results = retriangulate(session, rig, args.exclude, progress)
        report = summary({take: r.observations for take, r in results.items()}, session.view_names,
                         session.skeleton.joint_names)
        report["excluded_views"] = list(args.exclude)
        path = session.path
    write_retriangulated(path, args.out, {take: r.points for take, r in results.items()})
    print(f"wrote {args.out}")
    print_summary(report, args.threshold)
    if args.json is not None:
        write_json_report(args.json, report)
    return 0


def _export(args: argparse.Namespace) -> int:
    from analysis.geometry.calibration_toml import write_toml_calibration
    from analysis.motion.pose_export import write_long_csv, write_trc
    from analysis.session.reader import Session

    if args.trc is None and args.csv is None and args.calibration is None:
        raise ValueError(f"{args.file}: nothing to export; give --trc, --csv and/or --calibration")
    with Session.open(args.file) as session:
        read = session.pose3d_reference if args.reference else session.pose3d
        kind = "pose3d_reference" if args.reference else "pose3d"
        joints = list(session.skeleton.joint_names)
        if args.trc is not None:
            take = args.take
            if take is None:
                if len(session.takes) != 1:
                    raise ValueError(f"{args.file}: {len(session.takes)} takes; choose one with --take for TRC")
                take = session.take_ids[0]
            points = read(take)
            if points is None:
                raise ValueError(f"{args.file}: take {take!r} has no {kind}")
            print(f"wrote {write_trc(args.trc, points, joints, session.fps)}")
        if args.csv is not None:
            poses = {take: read(take) for take in session.take_ids}
            poses = {take: p for take, p in poses.items() if p is not None}
            if not poses:
                raise ValueError(f"{args.file}: no take has {kind}")
            print(f"wrote {write_long_csv(args.csv, poses, joints, session.fps)}")
        if args.calibration is not None:
            print(f"wrote {write_toml_calibration(args.calibration, session.cameras)}")
    return 0
