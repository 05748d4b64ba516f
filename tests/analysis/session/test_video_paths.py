"""A session can make the program read its own camera files only, inside its folder (issue 16)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from analysis.session.data import VideoFile
from analysis.session.reader import Session
from tests.analysis.session.camera_sessions import (
    session_with_files,
    shown_index,
    write_index_video,
)

ENTRY = "/takes/take1/video/cam1"


def _outside_video(tmp_path: Path) -> Path:
    """A readable video outside the session's folder: what an attack would try to show."""
    return write_index_video(tmp_path / "outside.avi", codec="mjpeg")


def _symlink_out(folder: Path, tmp_path: Path) -> str:
    (folder / "cam1.avi").symlink_to(_outside_video(tmp_path))
    return "cam1.avi"


def _symlinked_folder_out(folder: Path, tmp_path: Path) -> str:
    _outside_video(tmp_path)
    (folder / "videos").symlink_to(tmp_path)
    return "videos/outside.avi"


def _fifo(folder: Path, tmp_path: Path) -> str:
    os.mkfifo(folder / "cam1.avi")
    return "cam1.avi"


def _folder(folder: Path, tmp_path: Path) -> str:
    (folder / "cam1.avi").mkdir()
    return "cam1.avi"


def _literal(relative: str):
    def entry(folder: Path, tmp_path: Path) -> str:
        _outside_video(tmp_path)
        return relative
    return entry


#: name -> (makes the files and returns the stored path, words of the refusal)
REFUSED = {
    "/etc/passwd": (_literal("/etc/passwd"), "absolute paths are not allowed"),
    "/proc/self/environ": (_literal("/proc/self/environ"), "absolute paths are not allowed"),
    "/dev/zero": (_literal("/dev/zero"), "absolute paths are not allowed"),
    "../outside.avi": (_literal("../outside.avi"), "'..' would leave the session's folder"),
    "videos/../../outside.avi": (_literal("videos/../../outside.avi"), "'..' would leave the session's folder"),
    "..\\outside.avi": (_literal("..\\outside.avi"), "'..' would leave the session's folder"),
    "C:\\videos\\cam1.avi": (_literal("C:\\videos\\cam1.avi"), "absolute paths are not allowed"),
    "empty path": (_literal(""), "the path is empty"),
    "symbolic link to a file outside": (_symlink_out, "a symbolic link leads outside"),
    "symbolic link to a folder outside": (_symlinked_folder_out, "a symbolic link leads outside"),
    "named pipe": (_fifo, "not a regular file"),
    "folder": (_folder, "not a regular file"),
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_paths_leading_elsewhere_are_refused_and_the_view_shows_poses_only(tmp_path, case):
    make, reason = REFUSED[case]
    folder = tmp_path / "session"
    folder.mkdir()
    relative = make(folder, tmp_path)
    path = session_with_files(folder / "s.h5", {"cam1": VideoFile(relative)})
    with Session.open(path) as session:
        assert session.take("take1").video_views == ()
        assert session.frame("take1", "cam1", 0) is None
        assert reason in session.refused_videos()[("take1", "cam1")]
        assert session.missing_videos() == {}
        (warning,) = session.warnings
    assert warning.startswith(f"{path}: {ENTRY}: video path {relative!r} refused: {reason}")


def test_a_symbolic_link_inside_the_folder_is_followed(tmp_path):
    write_index_video(tmp_path / "session" / "recordings" / "take.mp4")
    (tmp_path / "session" / "cam1.mp4").symlink_to(Path("recordings") / "take.mp4")
    path = session_with_files(tmp_path / "session" / "s.h5", {"cam1": VideoFile("./cam1.mp4")})
    with Session.open(path) as session:
        assert session.warnings == []
        assert shown_index(session.frame("take1", "cam1", 7)) == 7


def test_a_playlist_cannot_make_ffmpeg_read_another_file(tmp_path):
    """An HLS playlist inside the folder naming a video outside it: FFmpeg would play that video."""
    outside = _outside_video(tmp_path)
    folder = tmp_path / "session"
    folder.mkdir()
    (folder / "cam1.m3u8").write_text(f"#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10,\n{outside}\n#EXT-X-ENDLIST\n")
    (folder / "cam2.mp4").write_text(f"ffconcat version 1.0\nfile {outside}\n")
    path = session_with_files(folder / "s.h5", {"cam1": VideoFile("cam1.m3u8"), "cam2": VideoFile("cam2.mp4")})
    with Session.open(path) as session:
        assert session.frame("take1", "cam1", 0) is None and session.frame("take1", "cam2", 0) is None
        assert session.video_info("take1", "cam1") is None
        warnings = session.warnings
    assert len(warnings) == 2
    assert all("cannot be read as video" in warning and "FFmpeg cannot open it" in warning for warning in warnings)


def test_in_a_folder_the_user_chose_only_the_file_name_of_an_escaping_path_is_used(tmp_path):
    write_index_video(tmp_path / "chosen" / "cam1.mp4")
    _outside_video(tmp_path)
    folder = tmp_path / "session"
    folder.mkdir()
    path = session_with_files(folder / "s.h5", {"cam1": VideoFile("../chosen/cam1.mp4"),
                                                "cam2": VideoFile("../outside.avi")})
    with Session.open(path, video_root=tmp_path / "chosen") as session:
        assert shown_index(session.frame("take1", "cam1", 4)) == 4
        assert session.frame("take1", "cam2", 4) is None
        assert session.missing_videos() == {("take1", "cam2"): tmp_path / "chosen" / "outside.avi"}
