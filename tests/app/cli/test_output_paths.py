"""A bad output path (a folder, a path below a file) is refused in one line naming it, before any work."""

from __future__ import annotations

import pytest

from app.cli.main import main

COMMANDS = {
    "info --json": ["info", "{file}", "--json", "{out}"],
    "contact-sheet": ["contact-sheet", "{file}", "--out", "{out}"],
    "triangulate": ["triangulate", "{file}", "--out", "{out}"],
    "triangulate --json": ["triangulate", "{file}", "--out", "{other}", "--json", "{out}"],
    "export-pose --csv": ["export-pose", "{file}", "--csv", "{out}"],
    "export --out": ["export", "{file}", "--take", "take1", "--out", "{out}"],
    "export --csv": ["export", "{file}", "--take", "take1", "--csv", "{out}"],
    "export --snapshot": ["export", "{file}", "--take", "take1", "--snapshot", "{out}", "--frame", "0"],
    "score --json": ["score", "{file}", "--json", "{out}"],
}


@pytest.mark.parametrize("command", sorted(COMMANDS))
@pytest.mark.parametrize("kind", ["a folder", "below a file"])
def test_a_bad_output_path_is_one_line_naming_it(session_file, tmp_path, capsys, command, kind):
    (tmp_path / "folder").mkdir()
    (tmp_path / "file").write_text("not a folder")
    out = tmp_path / "folder" if kind == "a folder" else tmp_path / "file" / "out.x"
    before = sorted(p.name for p in tmp_path.rglob("*"))
    argv = [part.format(file=session_file, out=out, other=tmp_path / "other.h5") for part in COMMANDS[command]]
    assert main(argv) == 2
    error = capsys.readouterr().err
    assert error.startswith(f"error: {out}: ") and error.count("\n") == 1 and ".tmp" not in error
    assert ("is a folder" if kind == "a folder" else "is a file, not a folder") in error
    assert sorted(p.name for p in tmp_path.rglob("*")) == before


def test_a_missing_output_folder_is_created(session_file, tmp_path):
    out = tmp_path / "new" / "deeper" / "summary.json"
    assert main(["info", str(session_file), "--json", str(out)]) == 0
    assert out.is_file()
