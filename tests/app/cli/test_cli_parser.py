"""`python main.py --help` and the parser: every command listed, none of the heavy runtimes imported."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
HEAVY = ("torch", "rtmlib", "onnxruntime", "av")


def test_help_lists_every_command_without_importing_a_model_runtime_or_video_decoder():
    probe = ("import sys; from app.cli.main import build_parser; print(build_parser().format_help()); "
             f"print('imported:', [name for name in {HEAVY!r} if name in sys.modules])")
    result = subprocess.run([sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    for command in ("generate", "info", "contact-sheet", "import", "triangulate", "export-pose", "export",
                    "train", "evaluate", "score", "detect", "open", "screenshot"):
        assert f"    {command}" in result.stdout
    assert result.stdout.rstrip().endswith("imported: []")


def test_the_detect_models_are_offered_by_name():
    result = subprocess.run([sys.executable, "main.py", "detect", "--help"], cwd=REPO, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0 and "{body17,halpe26,wholebody}" in result.stdout
