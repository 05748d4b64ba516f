"""Command-line entry: the GUI by default, subcommands for headless jobs."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from analysis.session.contract import SessionFormatError
from app.cli.detect import add_detect_command, run_detect_command
from app.cli.export import add_export_commands, run_export_command
from app.cli.geometry import add_geometry_commands, run_geometry_command
from app.cli.models import add_model_commands, run_model_command
from app.cli.recording import add_recording_commands, run_recording_command

EXIT_BAD_INPUT = 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="main.py",
        description="Lucid Workstation: multi-view motion capture review and action quality assessment "
                    "for gymnastics. Without a command, opens the workstation on the demo library.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    generate = commands.add_parser("generate", help="build a synthetic LucidAction-style library")
    generate.add_argument("--out", required=True, type=Path, help="output folder")
    generate.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    generate.add_argument("--athletes", type=int, default=24, help="number of athletes (default 24)")
    generate.add_argument("--video-takes", type=int, default=6,
                          help="takes of the showcase session rendered as video (default 6)")
    generate.add_argument("--repetitions", type=int, default=4, help="takes per action for a trainee (default 4)")
    generate.add_argument("--levels", type=int, nargs="+", default=[1, 2, 3, 4], choices=[1, 2, 3, 4],
                          help="curriculum levels to include (default all)")
    generate.add_argument("--workers", type=int, default=None, help="worker processes (default: all cores)")

    info = commands.add_parser("info", help="summarise a session file")
    info.add_argument("file", type=Path)
    info.add_argument("--json", type=Path, default=None, help="also write the summary as JSON")

    sheet = commands.add_parser("contact-sheet", help="render the 8 views of one frame into a PNG")
    sheet.add_argument("file", type=Path)
    sheet.add_argument("--out", required=True, type=Path)
    sheet.add_argument("--take", default=None, help="take id (default: the first take with video)")
    sheet.add_argument("--frame", type=int, default=None, help="frame index (default: the middle frame)")
    add_recording_commands(commands)
    add_geometry_commands(commands)
    add_export_commands(commands)
    add_model_commands(commands)
    add_detect_command(commands)

    open_command = commands.add_parser("open", help="open a session file in the workstation")
    open_command.add_argument("file", type=Path)
    open_command.add_argument("--take", default=None, help="take id to show first")

    shot = commands.add_parser("screenshot", help="render the main window showing a session into a PNG")
    shot.add_argument("file", type=Path)
    shot.add_argument("--out", required=True, type=Path)
    shot.add_argument("--take", default=None, help="take id (default: the first take with video)")
    shot.add_argument("--frame", type=int, default=None, help="frame index (default 0)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "generate":
            return _generate(args)
        if args.command == "info":
            from app.cli.info import print_info
            return print_info(args.file, args.json)
        if args.command == "contact-sheet":
            from app.cli.contact_sheet import write_contact_sheet
            path = write_contact_sheet(args.file, args.out, args.take, args.frame)
            print(f"wrote {path}")
            return 0
        if args.command == "open":
            from app.gui.launch import run_gui
            return run_gui(args.file, args.take)
        if args.command == "screenshot":
            return _screenshot(args, argv)
        model = run_model_command(args)
        if model is not None:
            return model
        if (recording := run_recording_command(args)) is not None:
            return recording
        geometry = run_geometry_command(args)
        if geometry is not None:
            return geometry
        if (exported := run_export_command(args)) is not None:
            return exported
        if (detected := run_detect_command(args)) is not None:
            return detected
        return _open_workstation()
    except SessionFormatError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except (FileNotFoundError, ValueError, KeyError, IndexError) as error:
        message = error.args[0] if isinstance(error, KeyError) and error.args else error
        print(f"error: {message}", file=sys.stderr)
        return EXIT_BAD_INPUT


def _generate(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from analysis.synthetic.library_builder import generate_library

    started = time.perf_counter()
    with tqdm(desc="Generating sessions", unit="session") as bar:
        def progress(done: int, total: int) -> None:
            bar.total = total
            bar.n = done
            bar.refresh()

        files = generate_library(args.out, seed=args.seed, n_athletes=args.athletes, video_takes=args.video_takes,
                                 repetitions=args.repetitions, levels=tuple(args.levels), workers=args.workers,
                                 progress=progress)
    print(f"wrote {len(files)} session files to {args.out} in {time.perf_counter() - started:.1f} s")
    return 0


def _screenshot(args: argparse.Namespace, argv: list[str] | None) -> int:
    from app.gui.launch import needs_virtual_display, rerun_under_xvfb, screenshot

    if needs_virtual_display():
        return rerun_under_xvfb(sys.argv[1:] if argv is None else argv)
    path = screenshot(args.file, args.out, args.take, args.frame)
    print(f"wrote {path}")
    return 0


def _open_workstation() -> int:
    from tqdm import tqdm

    from app.cli.demo import (
        default_demo_dir,
        demo_is_complete,
        ensure_demo,
        showcase_session,
    )
    from app.gui.launch import run_gui

    folder = default_demo_dir()
    if not demo_is_complete(folder):
        print(f"First run: generating the demo library in {folder}")
        with tqdm(desc="Generating demo sessions", unit="session") as bar:
            def progress(done: int, total: int) -> None:
                bar.total = total
                bar.n = done
                bar.refresh()

            ensure_demo(folder, progress)
    showcase = showcase_session(folder)
    print(f"Opening {showcase}")
    return run_gui(showcase)
