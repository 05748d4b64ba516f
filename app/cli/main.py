"""Command-line entry: the GUI by default, subcommands for headless jobs."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from analysis.annotations.document import AnnotationsFormatError
from analysis.session.atomic import check_output_path
from analysis.session.contract import SessionFormatError
from app.cli.calibrate import add_calibrate_command
from app.cli.command import EXIT_BAD_INPUT, ProgressBar, add_command, add_json_option
from app.cli.detect import add_detect_command
from app.cli.export import add_export_commands
from app.cli.geometry import add_geometry_commands
from app.cli.models import add_model_commands
from app.cli.recording import add_recording_commands
from app.cli.report import add_report_command

#: Commands that read the session file given as ``file``: a child process reads it first.
SESSION_COMMANDS = ("info", "contact-sheet", "triangulate", "export-pose", "export", "score", "report")
#: The options of each command that name files it writes, checked before the command starts.
OUTPUT_OPTIONS = {"info": ("json",), "contact-sheet": ("out",), "triangulate": ("out", "json"),
                  "export-pose": ("trc", "csv", "calibration"), "export": ("out", "csv", "snapshot"),
                  "score": ("json",), "evaluate": ("json",), "train": ("out",), "import": ("out",),
                  "screenshot": ("out",), "calibrate": ("out", "json"), "report": ("out",), "sync": ("json",)}
#: The generator counts work units (a rendered take weighs a hundred synthesised ones): percent and times only.
WORK_BAR = "{desc}: {percentage:3.0f}%|{bar}| [{elapsed}<{remaining}]"


def build_parser() -> argparse.ArgumentParser:
    """The parser of every command; it imports none of their heavy dependencies."""
    parser = argparse.ArgumentParser(
        prog="main.py",
        description="Lucid Workstation: multi-view motion capture review and action quality assessment "
                    "for gymnastics. Without a command, opens the workstation on the demo library.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    generate = add_command(commands, "generate", _generate, help="build a synthetic LucidAction-style library")
    generate.add_argument("--out", required=True, type=Path, help="output folder")
    generate.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    generate.add_argument("--athletes", type=int, default=24, help="number of athletes (default 24)")
    generate.add_argument("--video-takes", type=int, default=6,
                          help="takes of the showcase session rendered as video (default 6)")
    generate.add_argument("--repetitions", type=int, default=4, help="takes per action for a trainee (default 4)")
    generate.add_argument("--levels", type=int, nargs="+", default=[1, 2, 3, 4], choices=[1, 2, 3, 4],
                          help="curriculum levels to include (default all)")
    generate.add_argument("--workers", type=int, default=None, help="worker processes (default: all cores)")

    info = add_command(commands, "info", _info, help="summarise a session file")
    info.add_argument("file", type=Path)
    add_json_option(info, "the summary")

    sheet = add_command(commands, "contact-sheet", _contact_sheet, help="render the 8 views of one frame into a PNG")
    sheet.add_argument("file", type=Path)
    sheet.add_argument("--out", required=True, type=Path)
    sheet.add_argument("--take", default=None, help="take id (default: the first take with video)")
    sheet.add_argument("--frame", type=int, default=None, help="frame index (default: the middle frame)")
    add_recording_commands(commands)
    add_geometry_commands(commands)
    add_calibrate_command(commands)
    add_export_commands(commands)
    add_model_commands(commands)
    add_detect_command(commands)
    add_report_command(commands)

    open_command = add_command(commands, "open", _open, help="open a session file in the workstation")
    open_command.add_argument("file", type=Path)
    open_command.add_argument("--take", default=None, help="take id to show first")

    shot = add_command(commands, "screenshot", _screenshot,
                       help="render the main window showing a session into a PNG")
    shot.add_argument("file", type=Path)
    shot.add_argument("--out", required=True, type=Path)
    shot.add_argument("--take", default=None, help="take id (default: the first take with video)")
    shot.add_argument("--frame", type=int, default=None, help="frame index (default 0)")
    parser.set_defaults(run=_open_workstation)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command ``argv`` (default: this process's arguments) names; its exit status.

    Bad input (a bad session file, a missing file, a bad value, an output path
    that cannot be written) prints one line ``error: ...`` on stderr and gives
    :data:`~app.cli.command.EXIT_BAD_INPUT`. The session file of a command is
    first read in a child process (:mod:`analysis.session.safe_open`). Ctrl+C
    and SIGTERM stop the command, remove what it was writing and print one
    line; the status is 128 + the signal's number.
    """
    args = build_parser().parse_args(argv)
    args.command_line = list(sys.argv[1:] if argv is None else argv)
    with _termination_interrupts() as received:
        try:
            return _run(args)
        except KeyboardInterrupt:
            name = received[-1] if received else "SIGINT"
            print(f"{args.command or 'main.py'}: interrupted ({name}); nothing was written", file=sys.stderr)
            return 128 + signal.Signals[name].value
        except (SessionFormatError, AnnotationsFormatError) as error:
            print(f"error: {error}", file=sys.stderr)
        except OSError as error:
            print(f"error: {_os_error_text(error)}", file=sys.stderr)
        except (ValueError, KeyError, IndexError) as error:
            message = error.args[0] if isinstance(error, KeyError) and error.args else error
            print(f"error: {_naming_the_file(str(message), args)}", file=sys.stderr)
    return EXIT_BAD_INPUT


def _run(args: argparse.Namespace) -> int:
    for option in OUTPUT_OPTIONS.get(args.command, ()):
        if getattr(args, option) is not None:
            check_output_path(getattr(args, option))
    if args.command in SESSION_COMMANDS:
        # imported here: the reader imports PyAV, which building the parser must not
        from analysis.session.safe_open import validate_session_file

        validate_session_file(args.file)
        for option in ("exemplar", "reference"):   # another take named as FILE.h5:TAKE
            value = getattr(args, option, None)
            if value and ":" in value:
                validate_session_file(value.rpartition(":")[0])
    return args.run(args)


def _naming_the_file(message: str, args: argparse.Namespace) -> str:
    """``message`` on one line, led by the session file of the command when it names no file of its own."""
    message = " ".join(message.split())
    paths = [str(value) for value in vars(args).values() if isinstance(value, Path)]
    if args.command in SESSION_COMMANDS and not any(path in message for path in paths):
        return f"{args.file}: {message}"
    return message


def _os_error_text(error: OSError) -> str:
    """``FILE: reason`` for an error that names its file, else the error's own text."""
    if error.filename is None:
        return str(error)
    return f"{error.filename}: {error.strerror or error}"


@contextmanager
def _termination_interrupts() -> Iterator[list[str]]:
    """Turn SIGTERM into KeyboardInterrupt (as SIGINT is) while a command runs, so that every
    output being written is removed; yields the names of the signals received."""
    received: list[str] = []
    if threading.current_thread() is not threading.main_thread():
        yield received
        return

    def interrupt(signum: int, frame) -> None:
        received.append(signal.Signals(signum).name)
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield received
    finally:
        signal.signal(signal.SIGTERM, previous)


def _generate(args: argparse.Namespace) -> int:
    from analysis.synthetic.library_builder import generate_library

    started = time.perf_counter()
    with ProgressBar("Generating sessions", "unit", bar_format=WORK_BAR) as progress:
        files = generate_library(args.out, seed=args.seed, n_athletes=args.athletes, video_takes=args.video_takes,
                                 repetitions=args.repetitions, levels=tuple(args.levels), workers=args.workers,
                                 progress=progress)
    print(f"wrote {len(files)} session files to {args.out} in {time.perf_counter() - started:.1f} s")
    return 0


def _info(args: argparse.Namespace) -> int:
    from app.cli.info import print_info

    return print_info(args.file, args.json)


def _contact_sheet(args: argparse.Namespace) -> int:
    from app.cli.contact_sheet import write_contact_sheet

    print(f"wrote {write_contact_sheet(args.file, args.out, args.take, args.frame)}")
    return 0


def _open(args: argparse.Namespace) -> int:
    from app.gui.launch import run_gui

    return run_gui(args.file, args.take)


def _screenshot(args: argparse.Namespace) -> int:
    from app.gui.launch import needs_virtual_display, rerun_under_xvfb, screenshot

    if needs_virtual_display():
        return rerun_under_xvfb(args.command_line)
    print(f"wrote {screenshot(args.file, args.out, args.take, args.frame)}")
    return 0


def _open_workstation(_args: argparse.Namespace) -> int:
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
        with ProgressBar("Generating the demo library", "unit", bar_format=WORK_BAR) as generating, \
                ProgressBar("Indexing the demo library", "file") as indexing:
            ensure_demo(folder, generating, indexing)
    showcase = showcase_session(folder)
    print(f"Opening {showcase}")
    return run_gui(showcase)
