"""``main.py screenshot`` renders the window once every panel is filled: the library listed,
the take scored and compared with its exemplar."""

from __future__ import annotations

from PySide6.QtGui import QImage

from analysis.session.library import Library
from app.gui.launch import SCREENSHOT_SIZE, screenshot
from app.gui.main_window import MainWindow


def test_the_screenshot_is_taken_once_the_library_scoring_and_exemplar_are_there(tiny_library, tmp_path,
                                                                                 monkeypatch):
    index = Library.scan(tiny_library).index
    row = index[~index["is_exemplar"]].sort_values(["file", "take"]).iloc[0]
    seen = {}
    grab = MainWindow.grab

    def spying_grab(window, *args):
        seen.update(rows=len(window.browser.take_rows()), scored=window.state.scoring is not None,
                    exemplar=window.state.exemplar is not None, take=window.state.take.take_id)
        return grab(window, *args)

    monkeypatch.setattr(MainWindow, "grab", spying_grab)
    out = screenshot(tiny_library / row["file"], tmp_path / "shot.png", take_id=row["take"])
    image = QImage(str(out))
    assert (image.width(), image.height()) == SCREENSHOT_SIZE
    assert seen == {"rows": len(index), "scored": True, "exemplar": True, "take": row["take"]}
