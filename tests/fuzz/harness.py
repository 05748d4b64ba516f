"""Run corpus variants through the reader and the commands, and classify what happened.

Each run goes to a :class:`~tests.fuzz.worker_pool.Worker` with a timeout and
a memory cap and ends in one of :data:`OUTCOMES`:

- ``clean refusal``: exit code 2 and one line on stderr, ``error: FILE: ...``
  naming the input or output file, without a traceback or a temporary name;
- ``accepted``: exit code 0 and every output valid (a written session passes
  the reader, JSON parses, the PNG and the MP4 decode);
- ``unclean refusal``: any other refusal (several lines, no file named, ...);
- ``crash``: killed by a signal, past the timeout, a traceback or MemoryError;
- ``invalid output``: exit code 0 but an output missing or unreadable;
- ``unsafe``: the reader accepted a file it must refuse (it refers to data
  outside itself), or decoded a frame of a video outside the session's folder.

Besides, every run must leave the input files unchanged and leave no file
but its outputs (and none at all when it refuses): :class:`Report` lists
violations of either.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import cv2

from tests.fuzz.corpus import Corpus, Variant
from tests.fuzz.worker_pool import JobResult, Worker

OUTCOMES = ("clean refusal", "accepted", "unclean refusal", "crash", "invalid output", "unsafe")
COMMANDS = ("reader", "info", "score", "export", "triangulate", "contact-sheet")
#: Longest acceptable refusal line, characters (a 1 MB name must not be echoed).
MAX_MESSAGE = 600
_EXPORT_LAYOUTS = ("single", "mosaic", "compare")


@dataclass(frozen=True)
class Run:
    """One variant through one command."""

    variant: str
    command: str
    outcome: str
    detail: str
    seconds: float


@dataclass
class Report:
    """Everything that happened, and the violations of the invariants."""

    runs: list[Run] = field(default_factory=list)
    modified_inputs: list[str] = field(default_factory=list)
    leftovers: list[str] = field(default_factory=list)

    def table(self) -> dict[str, Counter]:
        counts: dict[str, Counter] = {}
        for run in self.runs:
            counts.setdefault(run.command, Counter())[run.outcome] += 1
        return counts

    def failures(self) -> list[Run]:
        """Runs that are neither a clean refusal nor accepted."""
        return [run for run in self.runs if run.outcome not in ("clean refusal", "accepted")]

    def markdown(self) -> str:
        lines = ["| command | " + " | ".join(OUTCOMES) + " |", "|---" * (len(OUTCOMES) + 1) + "|"]
        for command, counts in self.table().items():
            total = sum(counts.values())
            lines.append(f"| {command} ({total}) | " + " | ".join(str(counts[o]) for o in OUTCOMES) + " |")
        return "\n".join(lines)


def _digests(folders: Iterable[Path]) -> dict[str, str]:
    return {str(path): hashlib.sha256(path.read_bytes()).hexdigest()
            for folder in folders for path in sorted(folder.rglob("*")) if path.is_file() and not path.is_symlink()}


def _clean_line(stderr: str, files: Iterable[Path]) -> bool:
    lines = [line for line in stderr.splitlines() if line.strip()]
    if len(lines) != 1 or len(lines[0]) > MAX_MESSAGE or ".tmp" in lines[0]:
        return False
    return any(lines[0].startswith(f"error: {file}: ") for file in files)


class Harness:
    """Runs variants of a corpus through :data:`COMMANDS`.

    Parameters
    ----------
    corpus : Corpus
    scratch : Path
        Working folder (job logs, outputs).
    timeout_s : float
        Per run.
    memory_bytes : int
        Cap of the worker's address space.
    """

    def __init__(self, corpus: Corpus, scratch: Path, timeout_s: float = 60.0, memory_bytes: int = 4 << 30) -> None:
        self.corpus = corpus
        self.scratch = scratch
        self.timeout_s = timeout_s
        scratch.mkdir(parents=True, exist_ok=True)
        self.worker = Worker(scratch, memory_bytes)
        self.report = Report()

    def close(self) -> None:
        self.worker.close()

    def run(self, variants: Iterable[Variant], commands: Iterable[str],
            progress: Callable[[Run], None] | None = None) -> Report:
        """Run each variant through each command; the shared folders are checked once at the end."""
        shared = [self.corpus.exemplars, self.corpus.outside.raw.parent, self.corpus.root / "bases"]
        before_shared = _digests(shared)
        for variant in variants:
            for command in commands:
                run = self._run_one(variant, command)
                self.report.runs.append(run)
                if progress is not None:
                    progress(run)
        after_shared = _digests(shared)
        self.report.modified_inputs += [p for p in before_shared if after_shared.get(p) != before_shared[p]]
        return self.report

    def _run_one(self, variant: Variant, command: str) -> Run:
        started = time.perf_counter()
        folder = variant.path.parent
        out = self.scratch / "out"
        shutil.rmtree(out, ignore_errors=True)
        out.mkdir()
        before = _digests([folder])
        names_before = {p.name for p in folder.iterdir()}
        if command == "reader":
            result = self.worker.run({"target": "reader", "path": str(variant.path)}, self.timeout_s)
            outcome, detail = self._classify_reader(variant, result)
        else:
            argv, outputs = self._command(variant, command, out)
            result = self.worker.run({"target": "cli", "argv": argv}, self.timeout_s)
            outcome, detail = self._classify_cli(variant, result, outputs)
        after = _digests([folder])
        self.report.modified_inputs += [f"{variant.name} {command}: {p}" for p in before if after.get(p) != before[p]]
        extra = sorted({p.name for p in folder.iterdir()} - names_before)
        produced = sorted(p.name for p in out.iterdir())
        expected = {p.name for p in outputs} if command != "reader" and outcome == "accepted" else set()
        unexpected = extra + [name for name in produced if name not in expected]
        if unexpected:
            self.report.leftovers.append(f"{variant.name} {command}: {unexpected}")
        return Run(variant.name, command, outcome, f"{variant.detail} | {detail}", time.perf_counter() - started)

    def _command(self, variant: Variant, command: str, out: Path) -> tuple[list[str], list[Path]]:
        file = str(variant.path)
        if command == "info":
            return ["info", file, "--json", str(out / "info.json")], [out / "info.json"]
        if command == "score":
            return (["score", file, "--exemplars", str(self.corpus.exemplars), "--json", str(out / "score.json")],
                    [out / "score.json"])
        if command == "triangulate":
            return (["triangulate", file, "--out", str(out / "tri.h5"), "--json", str(out / "tri.json")],
                    [out / "tri.h5", out / "tri.json"])
        if command == "contact-sheet":
            return ["contact-sheet", file, "--out", str(out / "sheet.png")], [out / "sheet.png"]
        layout = _EXPORT_LAYOUTS[variant.index % len(_EXPORT_LAYOUTS)]
        argv = ["export", file, "--take", "take2", "--out", str(out / "clip.mp4"), "--csv", str(out / "take.csv"),
                "--layout", layout]
        if layout == "compare":
            argv += ["--exemplar", f"{self.corpus.exemplars / 'exemplar.h5'}:take1"]
        return argv, [out / "clip.mp4", out / "take.csv"]

    def _crash(self, result: JobResult) -> str | None:
        if result.death is not None:
            return result.death
        for marker in ("Traceback", "MemoryError", "Fatal Python error"):
            if marker in result.stderr:
                return f"{marker}: {_last_line(result.stderr)}"
        return None

    def _classify_reader(self, variant: Variant, result: JobResult) -> tuple[str, str]:
        if (crash := self._crash(result)) is not None:
            return "crash", crash
        if result.rc == 2:
            clean = _clean_line(result.stderr, [variant.path])
            return ("clean refusal" if clean else "unclean refusal"), _last_line(result.stderr)
        if variant.must_refuse:
            return "unsafe", "read a file that refers outside itself or declares impossible sizes"
        if result.reply.get("decoded") and "video_path_escape" == variant.kind:
            escaped = [key for key in result.reply["decoded"] if key in variant.detail]
            if escaped:
                return "unsafe", f"decoded frames through {escaped}"
        return "accepted", ""

    def _classify_cli(self, variant: Variant, result: JobResult, outputs: list[Path]) -> tuple[str, str]:
        if (crash := self._crash(result)) is not None:
            return "crash", crash
        if result.rc == 0:
            problem = self._invalid_output(outputs)
            return ("invalid output", problem) if problem else ("accepted", "")
        clean = result.rc == 2 and _clean_line(result.stderr, [variant.path, *outputs])
        return ("clean refusal" if clean else "unclean refusal"), f"rc {result.rc}: {result.stderr.strip()[:300]}"

    def _invalid_output(self, outputs: list[Path]) -> str | None:
        for path in outputs:
            if not path.is_file() or path.stat().st_size == 0:
                return f"{path.name} missing or empty"
            if path.suffix == ".json":
                try:
                    json.loads(path.read_text())
                except ValueError as error:
                    return f"{path.name}: {error}"
            elif path.suffix == ".png" and cv2.imread(str(path)) is None:
                return f"{path.name} does not decode"
            elif path.suffix == ".mp4" and not cv2.VideoCapture(str(path)).read()[0]:
                return f"{path.name} has no decodable frame"
            elif path.suffix == ".h5":
                check = self.worker.run({"target": "reader", "path": str(path)}, self.timeout_s)
                if check.rc != 0:
                    return f"{path.name} is refused by the reader: {_last_line(check.stderr) or check.death}"
        return None


def _last_line(text: str) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    return lines[-1][:300] if lines else ""


def run_corpus(corpus: Corpus, scratch: Path, commands: Iterable[str] = COMMANDS, timeout_s: float = 60.0,
               memory_bytes: int = 4 << 30, progress: Callable[[Run], None] | None = None) -> Report:
    """Run every variant of ``corpus`` through ``commands`` in one worker."""
    harness = Harness(corpus, scratch, timeout_s, memory_bytes)
    try:
        return harness.run(corpus.variants, tuple(commands), progress)
    finally:
        harness.close()
