"""Starting the GUI, and rendering the main window to a PNG for the screenshot command."""

from __future__ import annotations

import gc
import os
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QCoreApplication, QEvent, QEventLoop, QIODevice, QSettings, QTimer
from PySide6.QtGui import QPixmapCache
from PySide6.QtWidgets import QApplication

from analysis.session.atomic import write_bytes_atomically
from app.gui.settings import APPLICATION, ORGANIZATION, AppSettings
from app.gui.style import apply_dark_style

SCREENSHOT_SIZE = (1920, 1080)
#: Room for the cached pixmaps of plot curves and axes on a large screen, KiB. Qt's default
#: (10 MiB) is smaller than the kinematics plots of a 4K-wide window, and once they do not fit
#: every playback frame repaints every curve.
PIXMAP_CACHE_KIB = 256 * 1024
#: How long the screenshot waits for the library beside the session to be indexed (thousands of takes).
LIBRARY_TIMEOUT_S = 180
#: Set (to anything) in the environment, the window prints ``first frame painted at <time.time()>`` once the
#: video grid has painted a frame of the take, and quits: how ``bench/bench_startup.py`` times a start.
FIRST_FRAME_EXIT_ENV = "LUCID_EXIT_AFTER_FIRST_FRAME"
#: How often the event loop lets Python see a SIGINT or SIGTERM, ms.
SIGNAL_CHECK_MS = 200
#: How often :func:`wait_until` checks its condition while Qt's event loop runs, ms.
CONDITION_CHECK_MS = 10
#: How long the window may take to appear on screen before the session is opened anyway, s.
EXPOSE_TIMEOUT_S = 2.0
#: How long the screenshot lets the event loop run once everything it waits for is there, before grabbing, s.
SETTLE_S = 0.1


def application() -> QApplication:
    """The QApplication, created with the workstation's name and style on first use."""
    app = QApplication.instance()
    if app is None:
        # what is imported by now (Qt, pandas, pyqtgraph, vispy: most of the heap) is kept for good: a full
        # garbage collection then scans only what came after, not a pause of a tenth of a second mid-playback
        gc.freeze()
        app = QApplication(sys.argv[:1])
        app.setOrganizationName(ORGANIZATION)
        app.setApplicationName(APPLICATION)
        apply_dark_style(app)
        QPixmapCache.setCacheLimit(PIXMAP_CACHE_KIB)
    return app


def run_gui(path: Path | None = None, take_id: str | None = None) -> int:
    """Open the window (on ``path`` if given, else on the last session) and run the event loop."""
    from analysis.session.safe_open import start_reader_server
    from app.gui.compute_process import shared_compute_process

    start_reader_server()   # files are read in its children: it starts while the window is built
    shared_compute_process().start()   # torch and scipy are imported there meanwhile, on the other core
    from app.gui.main_window import MainWindow

    app = application()
    window = MainWindow()
    _close_on_signals(app)
    if os.environ.get(FIRST_FRAME_EXIT_ENV):
        _quit_after_first_frame(app, window)
    window.show()
    # on screen first: the take's first frame is then painted before the panels' slower work runs
    wait_until(lambda: window.windowHandle() is not None and window.windowHandle().isExposed(), EXPOSE_TIMEOUT_S)
    if path is None:
        path, take_id = window.settings.last_session()
    if path is not None:
        window.request_file(path, take_id)
    status = app.exec()
    delete_window(window)
    return status


def delete_window(window) -> None:
    """Close ``window`` and delete it now, while the interpreter still runs.

    Left to the interpreter's exit, Qt would delete the widgets after Python has begun to
    finalize, and pyqtgraph's Python overrides called by their destruction crash it.
    """
    window.close()
    window.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def _close_on_signals(app: QApplication) -> None:
    """SIGINT (Ctrl+C in its terminal) and SIGTERM close the window as its close button does (layout
    saved, background jobs stopped) and end the program, without a traceback.

    Python's own handlers raise KeyboardInterrupt inside whatever Qt slot runs, which Qt prints and
    ignores; and Python looks at signals only while it runs, hence a timer that lets it look.
    """
    def close(_signum: int, _frame) -> None:
        QTimer.singleShot(0, app.closeAllWindows)   # out of the handler: the last window closed ends the loop

    for number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(number, close)
    QTimer(app, interval=SIGNAL_CHECK_MS, timeout=lambda: None).start()


def _quit_after_first_frame(app: QApplication, window) -> None:
    """Print the wall-clock time of the video grid's first painted frame of a take, then quit."""
    def presented(_frame: int) -> None:
        if window.state.take is None:
            return
        window.video_grid.frame_presented.disconnect(presented)
        print(f"first frame painted at {time.time():.3f}", flush=True)
        QTimer.singleShot(0, app.quit)

    window.video_grid.frame_presented.connect(presented)


def needs_virtual_display() -> bool:
    return not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY")


def rerun_under_xvfb(argv: list[str]) -> int:
    """Run this command again inside ``xvfb-run`` (3D rendering needs an X display)."""
    xvfb_run = shutil.which("xvfb-run")
    if xvfb_run is None:
        raise FileNotFoundError("no X display and no xvfb-run: install it with 'apt-get install xvfb xauth'")
    command = [xvfb_run, "-a", "-s", "-screen 0 1920x1200x24", sys.executable, sys.argv[0], *argv]
    return os.spawnv(os.P_WAIT, xvfb_run, command)


def wait_until(condition, timeout_s: float) -> bool:
    """Run Qt's event loop until ``condition()`` is true (checked every few ms) or the time runs out."""
    application()
    deadline = time.monotonic() + timeout_s
    loop = QEventLoop()
    timer = QTimer(interval=CONDITION_CHECK_MS)
    timer.timeout.connect(lambda: loop.quit() if condition() or time.monotonic() >= deadline else None)
    if not condition():
        timer.start()
        loop.exec()
        timer.stop()
    return condition()


def screenshot(path: Path, out: Path, take_id: str | None = None, frame: int | None = None) -> Path:
    """Render the main window showing ``path`` at ``take_id`` / ``frame`` into a PNG at ``out``.

    Uses a throw-away settings store, so the user's recent files and layout are untouched.
    """
    from analysis.session.safe_open import start_reader_server
    from app.gui.compute_process import shared_compute_process

    start_reader_server()   # as for the window: the file is read in its child, and it starts while the window is built
    shared_compute_process().start()
    from app.gui.main_window import MainWindow

    application()
    with tempfile.TemporaryDirectory() as folder:
        settings = AppSettings(QSettings(str(Path(folder) / "settings.ini"), QSettings.Format.IniFormat))
        window = MainWindow(settings=settings, show_errors=False)
        window.resize(*SCREENSHOT_SIZE)
        window.show()
        if not window.open_file(path, take_id):
            raise ValueError(window.last_error[1])
        if take_id is not None and window.state.take.take_id != take_id:
            raise KeyError(f"{path}: no take {take_id!r}")
        if frame is not None:
            if not 0 <= frame < window.state.n_frames:
                raise IndexError(f"{path}: frame {frame} is outside take {window.state.take.take_id!r} "
                                 f"(0..{window.state.n_frames - 1})")
            window.state.seek(frame)
        wait_until(lambda: window.state.library is not None, timeout_s=LIBRARY_TIMEOUT_S)
        wait_until(lambda: not window.scoring.busy, timeout_s=60)
        if window.state.take.pose3d is not None:
            wait_until(lambda: window.state.exemplar is not None, timeout_s=30)
        wait_until(lambda: False, timeout_s=SETTLE_S)   # deferred redraws (0 ms timers) run; grab() paints the rest
        image = window.grab().toImage()
        buffer = QByteArray()
        device = QBuffer(buffer)
        device.open(QIODevice.OpenModeFlag.WriteOnly)
        image.save(device, "PNG")
        delete_window(window)
    return write_bytes_atomically(out, bytes(buffer.data()))
