"""The library index cache: used while files are unchanged, refreshed when they change, rebuilt when
corrupt, shared safely by two writers; files are read in worker processes that a crash cannot escape."""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import time
from dataclasses import replace

import pytest

import analysis.session.index_cache as index_cache
import analysis.session.library as library_module
from analysis.session.index_cache import (
    CACHE_NAME,
    CachedFile,
    FileStat,
    load_cache,
    save_cache,
)
from analysis.session.library import Library
from analysis.session.library_scan import INDEX_SCHEMA, session_rows
from analysis.session.writer import write_session
from tests.helpers import make_session_data


@pytest.fixture
def library_dir(tmp_path):
    folder = tmp_path / "library"
    write_session(folder / "a.h5", make_session_data(seed=1, event="MFE", video_views=0))
    write_session(folder / "b.h5", replace(make_session_data(seed=2, event="WBB", n_takes=3, video_views=0),
                                           athlete="A02"))
    return folder


@pytest.fixture
def files_read(monkeypatch):
    """The files each scan hands to its worker processes, one list per scan."""
    scans = []
    real = library_module.scan_files

    def recording(root, files, *args, **kwargs):
        scans.append(sorted(files))
        yield from real(root, files, *args, **kwargs)

    monkeypatch.setattr(library_module, "scan_files", recording)
    return scans


def crash_on_c(path, file):
    """A row reader that kills its process on ``c.h5``, as a file that crashes the HDF5 library does."""
    if file == "c.h5":
        os.kill(os.getpid(), signal.SIGSEGV)
    return session_rows(path, file)


def hang_on_c(path, file):
    """A row reader that never finishes ``c.h5``."""
    if file == "c.h5":
        time.sleep(60)
    return session_rows(path, file)


def test_unchanged_files_come_from_the_cache_without_opening_a_session(library_dir, files_read):
    first = Library.scan(library_dir)
    assert (library_dir / CACHE_NAME).is_file()
    second = Library.scan(library_dir)
    assert files_read == [["a.h5", "b.h5"], []]
    assert second.index.equals(first.index) and len(second.index) == 5


def test_touched_added_and_removed_files_are_refreshed(library_dir, files_read):
    Library.scan(library_dir)
    later = time.time() + 5
    os.utime(library_dir / "a.h5", (later, later))
    write_session(library_dir / "sub" / "c.h5", replace(make_session_data(seed=3, n_takes=1, video_views=0),
                                                        athlete="A03"))
    (library_dir / "b.h5").unlink()
    library = Library.scan(library_dir)
    assert files_read[-1] == ["a.h5", "sub/c.h5"]
    assert set(library.index["file"]) == {"a.h5", "sub/c.h5"}
    assert list(library.index[library.index["file"] == "sub/c.h5"]["athlete"]) == ["A03"]


@pytest.mark.parametrize("content", [b"{not json", b'{"format": "lucid-library-index", "version": 1}',
                                     b"\x00\xff" * 100])
def test_a_corrupt_cache_is_ignored_and_rebuilt(library_dir, files_read, content):
    expected = Library.scan(library_dir).index
    (library_dir / CACHE_NAME).write_bytes(content)
    library = Library.scan(library_dir)
    assert files_read[-1] == ["a.h5", "b.h5"] and library.index.equals(expected)
    assert len(load_cache(library_dir, INDEX_SCHEMA)) == 2


def test_a_cached_row_of_the_wrong_shape_makes_its_file_read_again(library_dir, files_read):
    Library.scan(library_dir)
    document = json.loads((library_dir / CACHE_NAME).read_text())
    document["files"]["a.h5"]["rows"][0][3] = "one"        # level must be an integer
    (library_dir / CACHE_NAME).write_text(json.dumps(document))
    library = Library.scan(library_dir)
    assert files_read[-1] == ["a.h5"]
    assert library.index["level"].tolist() == [1] * 5


def test_a_file_that_crashes_its_reader_is_skipped_with_a_problem(library_dir, files_read):
    (library_dir / "c.h5").write_bytes((library_dir / "a.h5").read_bytes())
    library = _scan(library_dir, crash_on_c)
    assert set(library.index["file"]) == {"a.h5", "b.h5"}
    assert len(library.problems) == 1
    assert "c.h5" in library.problems[0] and "SIGSEGV" in library.problems[0]
    again = _scan(library_dir, crash_on_c)                  # the verdict is cached with the file's stat
    assert files_read[-1] == [] and again.problems == library.problems


def test_a_file_whose_reading_hangs_is_skipped_after_the_timeout(library_dir):
    (library_dir / "c.h5").write_bytes((library_dir / "a.h5").read_bytes())
    scanning = Library.scanning(library_dir, read=hang_on_c, timeout_s=1.0)
    library = _finish(scanning)
    assert set(library.index["file"]) == {"a.h5", "b.h5"}
    assert "c.h5" in library.problems[0] and "did not finish within 1 s" in library.problems[0]


def test_stopping_a_scan_stops_its_workers(library_dir):
    earlier = set(multiprocessing.active_children())    # other tests' children may still be ending
    scanning = Library.scanning(library_dir, workers=1)
    assert next(scanning) == (1, 2)
    children = [child for child in multiprocessing.active_children() if child not in earlier]
    scanning.close()
    assert children and not any(child.is_alive() for child in children)


def test_a_read_only_folder_keeps_its_cache_in_the_user_cache(library_dir, files_read, tmp_path, monkeypatch):
    monkeypatch.setattr(index_cache, "user_cache_folder", lambda: tmp_path / "user-cache")
    monkeypatch.setattr(index_cache.os, "access", lambda path, mode: False)
    Library.scan(library_dir)
    Library.scan(library_dir)
    assert not (library_dir / CACHE_NAME).exists()
    assert len(list((tmp_path / "user-cache").rglob("*.json"))) == 1
    assert files_read[-1] == []


def _write_many(root, file, rounds):
    stat = FileStat.of(root / file)
    for i in range(rounds):
        save_cache(root, INDEX_SCHEMA, {file: CachedFile(stat, (), f"{file}: /: problem {i}")})
        document = json.loads((root / CACHE_NAME).read_text())       # never a half-written file
        assert set(document["files"]) <= {"a.h5", "b.h5"} and load_cache(root, INDEX_SCHEMA)


def test_two_writers_do_not_corrupt_the_cache(library_dir):
    context = multiprocessing.get_context("fork")
    writers = [context.Process(target=_write_many, args=(library_dir, file, 40)) for file in ("a.h5", "b.h5")]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join()
    assert [writer.exitcode for writer in writers] == [0, 0]   # every read in between found a valid cache
    entries = load_cache(library_dir, INDEX_SCHEMA)
    assert entries and all(entry.problem.startswith(f"{file}: /: problem") for file, entry in entries.items())
    assert not [path for path in library_dir.iterdir() if path.name.endswith(".tmp")]


def test_a_writer_keeps_the_entries_another_wrote_meanwhile(library_dir):
    _write_many(library_dir, "a.h5", 1)
    _write_many(library_dir, "b.h5", 1)
    assert set(load_cache(library_dir, INDEX_SCHEMA)) == {"a.h5", "b.h5"}
    later = time.time() + 5
    os.utime(library_dir / "a.h5", (later, later))            # a's entry no longer matches its file
    _write_many(library_dir, "b.h5", 1)
    assert set(load_cache(library_dir, INDEX_SCHEMA)) == {"b.h5"}


def _scan(folder, read):
    return _finish(Library.scanning(folder, read=read))


def _finish(scanning):
    while True:
        try:
            next(scanning)
        except StopIteration as done:
            return done.value
