"""The fuzz corpus in the suite: corrupted sessions through the reader and every command.

Two hundred variants (every mutation kind ten times) go through the reader and
``info``; two of each kind go on through ``score``, ``export``, ``triangulate``
and ``contact-sheet``. Every run must end in a clean one-line refusal or an
accepted, valid output; no input may change and nothing may be left behind.
``bench/fuzz.py`` runs thousands.
"""

from __future__ import annotations

from tests.fuzz.corpus import build_corpus
from tests.fuzz.harness import Harness
from tests.fuzz.mutations import MUTATIONS

PER_KIND_READ = 10
PER_KIND_COMMANDS = 2


def test_corrupted_sessions_are_refused_cleanly_or_read_correctly(tmp_path):
    corpus = build_corpus(tmp_path / "corpus", PER_KIND_READ * len(MUTATIONS), seed=11)
    harness = Harness(corpus, tmp_path / "scratch", timeout_s=60.0, memory_bytes=4 << 30)
    try:
        report = harness.run(corpus.variants, ("reader", "info"))
        harness.run(corpus.variants[:PER_KIND_COMMANDS * len(MUTATIONS)],
                    ("score", "export", "triangulate", "contact-sheet"))
    finally:
        harness.close()
    table = report.table()
    assert set(table) == {"reader", "info", "score", "export", "triangulate", "contact-sheet"}
    assert all(counts["clean refusal"] > 0 and counts["accepted"] > 0 for counts in table.values()), report.markdown()
    assert [f"{run.command} {run.variant} {run.outcome}: {run.detail}" for run in report.failures()] == []
    assert report.modified_inputs == []
    assert report.leftovers == []
