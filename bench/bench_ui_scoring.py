"""Scoring latency as the coach sees it: from the Score request to the panel showing the verdict.

Builds the scoring controller, the scoring panel and the curves (with the heatmap
row) on one viewer state, as in the window, and times ``score_current()`` until
``state.scoring_changed`` has updated every subscriber (panel, heatmap). The
compute process is started first and the library indexed meanwhile, then put in
the state, as the application does once per folder. The first request waits for
torch in the compute process, loads the model and embeds the
exemplars, or reads their embeddings from ``--embeddings`` when an earlier run
stored them there (the first take of a later session); the next requests reuse
them (warm). CPU, torch on one thread as in the app.

    python bench/bench_ui_scoring.py --library /tmp/score_demo --file MFE_L3_A02.h5
    python bench/bench_ui_scoring.py --embeddings /tmp/emb ...   # twice: the second run's first take is
                                                                  # a session's first take (targets 1 s / 3 s)
    python bench/bench_ui_scoring.py            # a small generated library
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--library", type=Path, default=None, help="library folder (default: generate a small one)")
    parser.add_argument("--file", default=None, help="session file in the library (default: the first)")
    parser.add_argument("--model", type=Path, default=None, help="checkpoint (default: the shipped one)")
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--embeddings", type=Path, default=None,
                        help="folder of stored exemplar embeddings (default: an empty temporary one)")
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # plain Qt widgets and pyqtgraph only: no GL here
    os.environ["CUDA_VISIBLE_DEVICES"] = ""
    from app.gui.compute_process import shared_compute_process

    shared_compute_process().start()   # as the window does at launch: torch is imported there while the library is indexed

    from PySide6.QtCore import QSettings

    from analysis.session.library import Library
    from analysis.session.reader import Session
    from app.gui.embedding_store import EmbeddingStore
    from app.gui.launch import application, wait_until
    from app.gui.model_registry import ModelRegistry
    from app.gui.scoring_controller import ScoringController
    from app.gui.settings import AppSettings
    from viewer.model.state import ViewerState
    from viewer.model.take_bundle import load_take_bundle
    from viewer.widgets.curves import CurvesPanel
    from viewer.widgets.scoring_panel import ScoringPanel

    app = application()
    with tempfile.TemporaryDirectory() as scratch:
        library = args.library
        if library is None:
            from analysis.synthetic.library_builder import generate_library

            library = Path(scratch) / "library"
            generate_library(library, seed=3, n_athletes=4, video_takes=0, repetitions=1, levels=(1,), workers=1)
        indexed = Library.scan(library)
        index = indexed.index
        trainees = index[~index["is_exemplar"]]
        file = args.file or trainees["file"].iloc[0]
        take_id = trainees[trainees["file"] == file]["take"].iloc[0]

        settings = AppSettings(QSettings(str(Path(scratch) / "settings.ini"), QSettings.Format.IniFormat))
        settings.set_value("scoring/auto_score", False)
        registry = ModelRegistry(settings, folder=Path(scratch) / "models", default_path=args.model)
        state = ViewerState()
        state.set_library(indexed)
        stored = args.embeddings is not None and any(args.embeddings.rglob("*.npz"))
        store = EmbeddingStore(args.embeddings or Path(scratch) / "embeddings")
        controller = ScoringController(state, registry, settings, embeddings=store)
        panel, curves = ScoringPanel(state), CurvesPanel(state)
        controller.busy_changed.connect(panel.set_busy)
        controller.progress.connect(panel.set_progress)
        panel.resize(360, 700)
        curves.resize(1100, 600)
        panel.show()
        curves.show()
        done = []
        controller.failed.connect(lambda _title, message: sys.exit(f"scoring failed: {message}"))
        state.scoring_changed.connect(lambda scoring: done.append(time.perf_counter()) if scoring else None)

        session = Session.open(library / file)
        state.set_session(session)
        state.set_take(load_take_bundle(session, take_id))
        latencies = []
        for repeat in range(args.repeats + 1):
            state.set_scoring(None)
            done.clear()
            started = time.perf_counter()
            controller.score_current()
            if not wait_until(lambda: bool(done), timeout_s=120):
                sys.exit("scoring did not finish in 120 s")
            app.processEvents()
            latencies.append(done[0] - started)
        scoring = state.scoring
        controller.close()
        state.set_session(None)
        session.close()

    warm = latencies[1:]
    print(f"take {take_id} of {file}: {scoring.n_frames} frames, {len(scoring.exemplars)} exemplars, "
          f"model {scoring.model_name} {scoring.model_version}, CPU, 1 torch thread")
    first = "the rest of torch's import in the compute process + model load + stored exemplar embeddings" if stored else \
        "the rest of torch's import in the compute process + model load + exemplar reads and embedding"
    print(f"first request of the process ({first}): {latencies[0] * 1000:.0f} ms")
    print(f"warm, request -> panel and heatmap updated: median {statistics.median(warm) * 1000:.0f} ms "
          f"(min {min(warm) * 1000:.0f}, max {max(warm) * 1000:.0f}, n {len(warm)}); "
          f"1-minute load average {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
