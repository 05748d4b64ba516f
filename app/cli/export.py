"""The ``export`` command: an annotated MP4 clip, a per-frame CSV or a PNG snapshot of a take."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from analysis.render.layouts import LAYOUTS
from analysis.render.overlays import ANGLE_JOINTS, SKELETON_SOURCES
from analysis.render.video_writer import DEFAULT_CODEC, VIDEO_CODECS
from app.cli.command import ProgressBar, add_command

if TYPE_CHECKING:
    from analysis.render.overlays import OverlayOptions

#: Threads that decode and render frames ahead of the encoder.
EXPORT_THREADS = 2


def add_export_commands(commands: argparse._SubParsersAction) -> None:
    """Add ``export`` to the main parser's subcommands."""
    export = add_command(
        commands, "export", _export,
        help="export an annotated clip (MP4), a per-frame CSV or a PNG snapshot of a take",
        description="Export a take as an annotated MP4 clip (--out), its kinematics, score and penalties per "
                    "frame as CSV (--csv) and/or one annotated frame as PNG (--snapshot with --frame). "
                    "At least one of --out, --csv, --snapshot is needed.")
    export.add_argument("file", type=Path, help="session file (.h5)")
    export.add_argument("--take", required=True, help="take id")
    export.add_argument("--out", type=Path, default=None, help="MP4 clip to write")
    export.add_argument("--csv", type=Path, default=None,
                        help="CSV to write: kinematics per frame with the score and the penalties")
    export.add_argument("--snapshot", type=Path, default=None, help="PNG of one frame to write (needs --frame)")
    export.add_argument("--frame", type=int, default=None, help="frame of the snapshot")
    export.add_argument("--layout", choices=LAYOUTS, default="single",
                        help="single view, 8-view mosaic, or trainee | exemplar side by side (default single)")
    export.add_argument("--view", default=None, help="view of single/compare (default: the first view with video)")
    export.add_argument("--start", type=int, default=None, help="first frame of the clip (default 0)")
    export.add_argument("--end", type=int, default=None, help="last frame of the clip, inclusive (default: the last)")
    export.add_argument("--exemplar", default=None, metavar="FILE.h5:TAKE",
                        help="exemplar of the compare layout (default: the best exemplar of the same action "
                             "in the session's folder)")
    export.add_argument("--skeleton", choices=SKELETON_SOURCES, default="detections",
                        help="skeleton drawn: 2D detections, reprojected 3D, or none (default detections)")
    export.add_argument("--angles", nargs="*", choices=tuple(ANGLE_JOINTS), default=["left_knee", "right_knee"],
                        metavar="JOINT", help=f"joints whose angle is written ({', '.join(ANGLE_JOINTS)}; "
                                              "default left_knee right_knee; none with an empty list)")
    export.add_argument("--no-score", action="store_true", help="leave the score out")
    export.add_argument("--no-penalties", action="store_true", help="leave the penalty strip out")
    export.add_argument("--no-timestamp", action="store_true", help="leave the frame and time out")
    export.add_argument("--codec", choices=tuple(VIDEO_CODECS), default=DEFAULT_CODEC,
                        help="video codec: h264 (H.264, plays everywhere; the default) or mp4v (MPEG-4 Part 2)")
    export.add_argument("--anonymize", action="store_true",
                        help="blur each face, located from the head keypoints of the 2D pose, in every view")
    export.add_argument("--annotations", action="store_true",
                        help="burn in the coach's drawings and markers (from FILE's .annotations.json beside it)")


def _export(args: argparse.Namespace) -> int:
    """Run ``export``.

    Bad input (a bad file, take, view, range or option) raises ValueError naming
    the file, which the main entry point prints as one line (exit 2). The
    compare layout prints ``exemplar: FILE#TAKE``, the exemplar it shows (FILE
    relative to the session's folder when inside it).
    """
    from analysis.render.clip_export import (
        OverlayOptions,
        best_exemplar,
        export_snapshot_png,
        export_take_csv,
    )
    from app.cli.library_index import scan_library

    if args.out is None and args.csv is None and args.snapshot is None:
        raise ValueError(f"{args.file}: nothing to export; give --out, --csv and/or --snapshot")
    if args.snapshot is not None and args.frame is None:
        raise ValueError(f"{args.snapshot}: a snapshot needs --frame")
    try:
        overlays = OverlayOptions(skeleton=args.skeleton, angle_joints=tuple(args.angles), score=not args.no_score,
                                  penalties=not args.no_penalties, timestamp=not args.no_timestamp,
                                  anonymize=args.anonymize, annotations=args.annotations)
        exemplar = parse_take_reference(args.exemplar, "--exemplar")
        if args.layout == "compare" and (args.out is not None or args.snapshot is not None):
            if exemplar is None:
                scan_library(args.file.parent)   # indexes with a progress bar; best_exemplar then reads the cache
                exemplar = best_exemplar(args.file, args.take)
            print(f"exemplar: {_reference(args.file, *exemplar)}")
        # The clip first: what could refuse the take refuses it before anything is written.
        status = _export_video(args, overlays, exemplar) if args.out is not None else 0
        if args.snapshot is not None:
            path = export_snapshot_png(args.file, args.take, args.frame, args.snapshot, args.layout, args.view,
                                       overlays, exemplar)
            print(f"wrote {path}")
        if args.csv is not None:
            print(f"wrote {export_take_csv(args.file, args.take, args.csv)}")
        return status
    except OSError as error:
        raise ValueError(f"{error.filename or args.file}: {error.strerror or error}") from error


def parse_take_reference(text: str | None, option: str) -> tuple[Path, str] | None:
    """``"FILE.h5:TAKE"`` (the value of ``option``) as (path, take id); None for None.

    Raises
    ------
    ValueError
        Naming ``option`` when the text is not of that form.
    """
    if text is None:
        return None
    file, separator, take = text.rpartition(":")
    if not separator or not file or not take:
        raise ValueError(f"{option} must be FILE.h5:TAKE, got {text!r}")
    return Path(file), take


def _reference(session_path: Path, exemplar_path: Path, take: str) -> str:
    from analysis.exemplars import exemplar_reference

    folder, path = session_path.resolve().parent, exemplar_path.resolve()
    return exemplar_reference(path.relative_to(folder).as_posix() if path.is_relative_to(folder) else str(exemplar_path),
                              take)


def _export_video(args: argparse.Namespace, overlays: OverlayOptions, exemplar: tuple[Path, str] | None) -> int:
    from concurrent.futures import ThreadPoolExecutor

    from analysis.render.clip_export import export_clip

    codec = args.codec
    with ProgressBar(f"Exporting {args.out.name}", "frame") as progress, \
            ThreadPoolExecutor(EXPORT_THREADS, thread_name_prefix="export") as pool:
        # Ctrl+C and SIGTERM reach the main entry point, which reports them; nothing is left behind
        path = export_clip(args.file, args.take, args.out, args.layout, args.view, args.start, args.end,
                           overlays, exemplar, progress, codec=codec, executor=pool)
    print(f"wrote {path} (codec {codec})")
    return 0
