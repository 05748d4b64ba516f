"""The layering rules of docs/architecture.md, read from the imports of every Python file (with ``ast``).

Imports inside functions count like those at the top. The checker is also run on a
small tree that breaks each rule once, so that it is known to catch what it guards.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
#: Where the project's Python files live (besides main.py).
PACKAGES = ("analysis", "models", "viewer", "app", "resources", "tests", "bench")
MAX_LINES = 400
#: The one file allowed past MAX_LINES: the demo generator's table of motion primitives.
LONG_FILES = ("analysis/synthetic/primitives.py",)

QT = ("PySide6", "shiboken6", "superqt", "pyqtgraph", "vispy")
SYNTHETIC = "analysis.synthetic"
#: Who may import the demo generator: itself, the `generate` command and the demo library, tests, benchmarks.
SYNTHETIC_USERS = ("analysis/synthetic/", "app/cli/main.py", "app/cli/demo.py", "tests/", "bench/")


@dataclass(frozen=True)
class Rule:
    """Files under ``folder`` import none of the modules (or packages) in ``forbidden``."""

    folder: str
    forbidden: tuple[str, ...]
    why: str


RULES = (
    Rule("analysis/", (*QT, "torch", "models", "viewer", "app"),
         "analysis/ is numpy-pure: no Qt, vispy, pyqtgraph or torch, and nothing of the layers above it"),
    Rule("models/", (*QT, "viewer", "app"), "models/ takes numpy in and gives numpy out: no Qt, no viewer, no app"),
    Rule("viewer/model/", (*QT, "torch", "viewer.vispy", "viewer.widgets", "app"),
         "viewer/model/ is the Qt-free evented state: no Qt, no torch, no widgets"),
    Rule("viewer/", ("torch", "models", "app"), "the viewer draws the state: no model runtime, no app"),
    Rule("viewer/widgets/", ("viewer.vispy",), "widgets talk only through the state, not to the 3D view"),
)


def python_files(root: Path) -> list[Path]:
    """Every project Python file under ``root``: main.py and the packages' files."""
    files = [root / "main.py"] if (root / "main.py").is_file() else []
    for package in PACKAGES:
        files += sorted(path for path in (root / package).rglob("*.py") if "__pycache__" not in path.parts)
    return files


def imported_modules(path: Path, root: Path) -> set[str]:
    """Dotted names of every module ``path`` imports, ``from a import b`` giving ``a`` and ``a.b``."""
    package = list(path.relative_to(root).parent.parts)
    modules = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[:len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            modules.add(module)
            modules.update(f"{module}.{alias.name}" for alias in node.names)
    return modules


def _is_within(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


def _outermost(modules: set[str], banned: tuple[str, ...]) -> list[str]:
    """The modules within a banned package, each import named once (``a.b``, not also ``a.b.C``)."""
    hits = {module for module in modules if any(_is_within(module, prefix) for prefix in banned)}
    return sorted(module for module in hits if not any(_is_within(module, other) for other in hits - {module}))


def violations(root: Path) -> list[str]:
    """One line per broken rule: which file, what it imports or how long it is, and the rule."""
    found = []
    for path in python_files(root):
        name = path.relative_to(root).as_posix()
        modules = imported_modules(path, root)
        for rule in RULES:
            if name.startswith(rule.folder):
                found += [f"{name} imports {module}: {rule.why}" for module in _outermost(modules, rule.forbidden)]
        if not name.startswith(SYNTHETIC_USERS):
            found += [f"{name} imports {module}: only the demo generator, `generate` and the demo library may"
                      for module in _outermost(modules, (SYNTHETIC,))]
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > MAX_LINES and name not in LONG_FILES:
            found.append(f"{name} has {lines} lines, more than {MAX_LINES}: split it by concern")
    return found


def test_the_code_base_keeps_its_layers_and_its_files_small():
    assert violations(REPO) == []


BROKEN = {
    "analysis/motion/angles.py": ("import numpy\nfrom PySide6.QtCore import QObject\n",
                                  "imports PySide6.QtCore: analysis/ is numpy-pure"),
    "analysis/render/frames.py": ("def later():\n    import torch\n", "imports torch: analysis/ is numpy-pure"),
    "analysis/render/panel.py": ("from viewer.model import state\n", "imports viewer.model: analysis/ is numpy-pure"),
    "models/heads.py": ("from pyqtgraph import PlotWidget\n", "imports pyqtgraph: models/ takes numpy in"),
    "viewer/model/state.py": ("from PySide6.QtWidgets import QWidget\n",
                              "imports PySide6.QtWidgets: viewer/model/ is the Qt-free evented state"),
    "viewer/model/take.py": ("from .. import vispy\n", "imports viewer.vispy: viewer/model/ is the Qt-free"),
    "viewer/widgets/browser.py": ("from analysis import synthetic\n", "imports analysis.synthetic: only the demo"),
    "viewer/widgets/curves.py": ("from viewer.vispy.skeleton_view import SkeletonView\n",
                                 "imports viewer.vispy.skeleton_view: widgets talk only through the state"),
    "viewer/vispy/layers/ghost.py": ("from models.scorer import Scorer\n", "imports models.scorer: the viewer draws"),
    "app/gui/window.py": ("from analysis.synthetic.rig import make_rig\n", "imports analysis.synthetic.rig: only"),
    "analysis/session/big.py": ("x = 1\n" * (MAX_LINES + 1), f"has {MAX_LINES + 1} lines, more than {MAX_LINES}"),
}


@pytest.fixture
def broken_tree(tmp_path: Path) -> Path:
    """A tree that breaks every rule once, beside files that keep them."""
    allowed = {"analysis/synthetic/primitives.py": "x = 1\n" * (MAX_LINES + 1),
               "app/cli/demo.py": "from analysis.synthetic.library_builder import generate_library\n",
               "tests/test_render.py": "from analysis.synthetic.render import ViewRenderer\n",
               "viewer/vispy/canvas.py": "from vispy import scene\nfrom PySide6.QtWidgets import QWidget\n",
               "models/train.py": "import torch\nfrom analysis.motion import kinematics\n"}
    for name, text in {**allowed, **{name: text for name, (text, _) in BROKEN.items()}}.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


def test_the_checker_names_each_broken_rule_and_nothing_else(broken_tree):
    found = violations(broken_tree)
    assert len(found) == len(BROKEN)
    for name, (_, message) in BROKEN.items():
        assert any(line.startswith(f"{name} ") and message in line for line in found), name
