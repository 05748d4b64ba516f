"""Where the detection models come from: named models, the user cache, one download each.

The named models are rtmlib's "balanced" solutions (rtmlib 0.0.16): RTMPose-m
(body17: COCO-17, halpe26: HALPE-26) or RTMW-l (wholebody: COCO-WholeBody, 133
keypoints) at 256x192, each behind the YOLOX-m person detector trained on
HumanArt. Their files are zip archives holding an ``end2end.onnx``; the ONNX is
kept in the user cache as ``<archive name>.onnx``, so a file copied there by
hand is found the same way.
"""

from __future__ import annotations

import shutil
import tempfile
import urllib.request
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlparse

import platformdirs

from analysis.motion.skeleton import COCO17, HALPE26
from analysis.session.atomic import atomic_output

if TYPE_CHECKING:
    from analysis.detection.estimators import PoseEstimator

#: Seconds a silent connection may take before the download gives up.
DOWNLOAD_TIMEOUT_S = 30.0
_CHUNK = 1 << 16
_MEMBER_SUFFIX = "end2end.onnx"


class ModelUnavailable(FileNotFoundError):
    """A model file is neither given, nor cached, nor downloadable; the message says where to put it."""


@dataclass(frozen=True)
class NamedModel:
    """A pose model and its person detector, by the name ``--model`` takes.

    rtmlib (and with it onnxruntime) is imported only when a URL is asked for,
    so listing the names costs nothing.

    Attributes
    ----------
    name : str
    solution : str
        The rtmlib solution class whose "balanced" mode publishes the ONNX archives.
    n_keypoints : int
    layout : str or None
        The OpenPose layout ``main.py import`` reads these keypoints as (None: it reads none).
    """

    name: str
    solution: str
    n_keypoints: int
    layout: str | None

    @property
    def pose_url(self) -> str:
        """Where rtmlib publishes the pose model's archive."""
        return self._published()["pose"]

    @property
    def detector_url(self) -> str:
        """Where rtmlib publishes the person detector's archive."""
        return self._published()["det"]

    def _published(self) -> dict[str, str]:
        import rtmlib

        return getattr(rtmlib, self.solution).MODE["balanced"]


NAMED_MODELS: dict[str, NamedModel] = {
    "body17": NamedModel("body17", "Body", COCO17.n_joints, "COCO-17"),
    "halpe26": NamedModel("halpe26", "BodyWithFeet", HALPE26.n_joints, "HALPE-26"),
    "wholebody": NamedModel("wholebody", "Wholebody", 133, None),
}


def default_cache_dir() -> Path:
    """``<user cache dir>/pose-models`` (platformdirs)."""
    return platformdirs.user_cache_path("lucid-workstation", appauthor=False) / "pose-models"


def cached_path(url: str, cache_dir: Path) -> Path:
    """Where the ONNX file of ``url`` is kept in ``cache_dir``."""
    name = Path(urlparse(url).path).name
    for suffix in (".zip", ".onnx"):
        name = name.removesuffix(suffix)
    return Path(cache_dir) / f"{name}.onnx"


def fetch_model(url: str, cache_dir: Path, what: str, option: str,
                progress: Callable[[int, int | None], None] | None = None) -> Path:
    """The cached ONNX file of ``url``, downloaded first if it is not in the cache.

    Parameters
    ----------
    url : str
        An ``.onnx`` file or a zip archive holding an ``end2end.onnx``.
    cache_dir : Path
    what : str
        What the file is, for the error message (e.g. "body17 pose model").
    option : str
        The command-line option that gives the file instead (e.g. "--model-file").
    progress : callable, optional
        Called with (bytes received, bytes in all or None) while downloading.

    Raises
    ------
    ModelUnavailable
        With one line naming the file, the download error and where to put the file.
    """
    from rtmlib.tools.file import get_mirror_url

    target = cached_path(url, cache_dir)
    if target.is_file():
        return target
    mirror = get_mirror_url(url)
    reasons = []
    for source in (url, mirror):
        if source is None:
            continue
        try:
            _download(source, target, progress)
            return target
        except (OSError, ValueError, zipfile.BadZipFile) as error:
            reasons.append(" ".join(str(getattr(error, "reason", error)).split()))
    sources = url if mirror is None else f"{url} or its mirror {mirror}"
    raise ModelUnavailable(
        f"the {what} {target.name} is not in the cache and could not be downloaded from {sources} "
        f"({'; '.join(dict.fromkeys(reasons))}); put the ONNX file at {target} or pass {option} PATH.onnx")


def named_estimator(named: NamedModel, device: str, model_file: Path | None = None,
                    detector_file: Path | None = None,
                    download_progress: Callable[[str, int, int | None], None] | None = None) -> PoseEstimator:
    """The pose estimator of ``named`` (its files downloaded once into the cache), or of the files given instead.

    Parameters
    ----------
    named : NamedModel
    device : {"cpu", "cuda"}
    model_file, detector_file : Path, optional
        An RTMPose/RTMO ``.onnx`` and a YOLOX-style person detector to use instead of the named model's.
    download_progress : callable, optional
        ``download_progress(what, bytes done, bytes in all or None)`` while a file downloads.

    Raises
    ------
    ModelUnavailable
        When a file is neither given, cached nor downloadable (the message says where to put it).
    ValueError
        When the model gives another number of keypoints than ``named``.
    """
    from analysis.detection.estimators import load_estimator

    def fetch(url: str, what: str, option: str) -> Path:
        report = None if download_progress is None else (lambda done, total: download_progress(what, done, total))
        return fetch_model(url, default_cache_dir(), what, option, report)

    pose_file = model_file or fetch(named.pose_url, f"{named.name} pose model", "--model-file")
    estimator = load_estimator(pose_file, device, lambda: detector_file or fetch(
        named.detector_url, "person detector", "--detector-file"))
    if estimator.n_keypoints != named.n_keypoints:
        raise ValueError(f"{pose_file}: gives {estimator.n_keypoints} keypoints per person but the {named.name} "
                         f"model has {named.n_keypoints}; choose the model of that keypoint set")
    return estimator


def _download(url: str, target: Path, progress: Callable[[int, int | None], None] | None) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    request = urllib.request.Request(url, headers={"User-Agent": "lucid-workstation"})
    with urllib.request.urlopen(request, timeout=DOWNLOAD_TIMEOUT_S) as response, \
            tempfile.TemporaryFile(dir=target.parent) as buffer:
        total = int(response.headers.get("Content-Length") or 0) or None
        received = 0
        while chunk := response.read(_CHUNK):
            buffer.write(chunk)
            received += len(chunk)
            if progress is not None:
                progress(received, total)
        buffer.seek(0)
        with atomic_output(target) as temporary, temporary.open("wb") as out:
            if url.endswith(".zip"):
                _extract_onnx(buffer, url, out)
            else:
                shutil.copyfileobj(buffer, out)


def _extract_onnx(archive, url: str, out) -> None:
    with zipfile.ZipFile(archive) as opened:
        members = [name for name in opened.namelist() if name.endswith(_MEMBER_SUFFIX)]
        if not members:
            raise ValueError(f"{url}: the archive holds no {_MEMBER_SUFFIX}")
        with opened.open(members[0]) as member:
            shutil.copyfileobj(member, out)
