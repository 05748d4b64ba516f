"""Copy the contract's contents of one session file into another, and nothing else.

Used by writers that derive a session from another (re-triangulation): the
copy holds exactly the groups, datasets and attributes the contract names,
so nothing the reader would not check (extra objects, links, attributes of
other tools) travels into an output. Datasets are copied as stored (no
decompression); call it on a file the reader has accepted. Damage the reader
does not see (in parts of an object header it does not need) can still stop
the copy: that is refused as a bad session file.
"""

from __future__ import annotations

from collections.abc import Iterable

import h5py

from analysis.session.contract import SessionFormatError, as_text

ROOT_ATTRIBUTES = ("format", "format_version", "event", "level", "athlete", "fps", "title", "created", "source",
                   "notes")
TAKE_ATTRIBUTES = ("action", "action_name", "n_frames", "score", "is_exemplar", "start_frame")
TAKE_DATASETS = ("pose2d", "pose3d", "pose3d_reference", "judge_scores")
PENALTY_DATASETS = ("code", "value", "start", "end")
CAMERA_DATASETS = ("K", "dist", "R", "t")
VIDEO_ATTRIBUTES = ("codec", "frame_offset")


def copy_session(source: h5py.File, target: h5py.File) -> None:
    """Copy the contract's objects of ``source`` into the empty, writable ``target``."""
    _attributes(source, target, ROOT_ATTRIBUTES)
    skeleton = target.create_group("skeleton")
    _attributes(source["skeleton"], skeleton, ("name",))
    _datasets(source["skeleton"], skeleton, ("joint_names", "edges"))
    cameras = target.create_group("cameras")
    _attributes(source["cameras"], cameras, ("order",))
    for view in _ordered(source["cameras"]):
        camera = cameras.create_group(view)
        _attributes(source["cameras"][view], camera, ("width", "height"))
        _datasets(source["cameras"][view], camera, CAMERA_DATASETS)
    takes = target.create_group("takes")
    _attributes(source["takes"], takes, ("order",))
    for take_id in _ordered(source["takes"]):
        original, take = source["takes"][take_id], takes.create_group(take_id)
        _attributes(original, take, TAKE_ATTRIBUTES)
        _datasets(original, take, TAKE_DATASETS)
        if "penalties" in original:
            _datasets(original["penalties"], take.create_group("penalties"), PENALTY_DATASETS)
        if "video" in original:
            video = take.create_group("video")
            for view in original["video"]:
                _datasets(original["video"], video, (view,))
                _attributes(original["video"][view], video[view], VIDEO_ATTRIBUTES)


def _ordered(group: h5py.Group) -> list[str]:
    return [as_text(name) for name in group.attrs["order"]] if "order" in group.attrs else []


def _attributes(source: h5py.HLObject, target: h5py.HLObject, names: Iterable[str]) -> None:
    for name in names:
        if name in source.attrs:
            target.attrs.create(name, source.attrs[name], dtype=source.attrs.get_id(name).dtype)


def _datasets(source: h5py.Group, target: h5py.Group, names: Iterable[str]) -> None:
    """Copy datasets as stored; a dataset the reader read but HDF5 cannot copy (a damaged object
    header or storage layout) raises SessionFormatError naming the file and the dataset."""
    for name in names:
        if name in source:
            try:
                source.file.copy(source[name], target, name, without_attrs=True)
            except (RuntimeError, OSError, KeyError, ValueError) as error:
                problem = " ".join(str(error).split())[:200]
                raise SessionFormatError(source.file.filename, f"{source.name}/{name}",
                                         f"damaged, it cannot be copied ({problem})") from None
