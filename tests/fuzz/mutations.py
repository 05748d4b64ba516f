"""The corruptions of the fuzz corpus: each edits one copy of a valid session and says what it did.

Every mutation takes a random generator, the open file (or its path, for the
byte-level ones) and the :class:`Outside` files that links and paths may
point to, and returns a short description. Mutations marked ``must_refuse``
make a file that refers to data outside itself: the reader has to refuse it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import h5py
import numpy as np

from tests.fuzz import h5edit
from tests.fuzz.images import bad_frame

_STR = h5py.string_dtype()
_TAKES = ("take1", "take2")
_HUGE_FRAMES = (1 << 31, 1 << 24, 5_000_000, 100_000)


@dataclass(frozen=True)
class Outside:
    """Files beside the variants' folders that a corrupted session may try to reach.

    Attributes
    ----------
    video : Path
        A decodable video file (outside any variant's folder).
    raw : Path
        Raw float32 bytes, enough for any pose dataset of the base sessions.
    session : Path
        A valid session file with the same structure as the bases.
    """

    video: Path
    raw: Path
    session: Path


def _text(rng: np.random.Generator) -> str:
    return str(rng.choice(["", "x", "a\x00b", "ø" * 3, "../x", "/", " ", "take1", "cam1", "BENT_KNEES"]))


def _odd_value(rng: np.random.Generator):
    values = [
        np.int64(7), np.int64(-1), np.int64(1 << 62), np.float64(np.nan), np.float64(np.inf), np.float64(1e-300),
        np.float64(-5.0), True, "x", "", np.array([1, 2, 3]), np.array([], dtype=np.float64),
        np.array(["a", "b"], dtype=_STR), np.array(b"\xff\xfe", dtype=h5py.string_dtype("utf-8")),
        np.array([[1.5, 2.5]]), np.bytes_(b"fixed\x00nul"), np.array([("a", 1)], dtype=[("n", "S2"), ("v", "i4")]),
    ]
    return values[int(rng.integers(len(values)))]


# ------------------------------------------------------------- structure
def delete_node(rng, handle: h5py.File, outside: Outside) -> str:
    path = str(rng.choice(h5edit.datasets(handle) + h5edit.groups(handle)[1:]))
    del handle[path]
    return f"deleted {path}"


def delete_attribute(rng, handle: h5py.File, outside: Outside) -> str:
    path, name = h5edit.attributes(handle)[int(rng.integers(len(h5edit.attributes(handle))))]
    del handle[path].attrs[name]
    return f"deleted {path}@{name}"


def retype_attribute(rng, handle: h5py.File, outside: Outside) -> str:
    path, name = h5edit.attributes(handle)[int(rng.integers(len(h5edit.attributes(handle))))]
    value = _odd_value(rng)
    handle[path].attrs[name] = value
    return f"{path}@{name} = {type(value).__name__} {str(value)[:40]!r}"


def retype_dataset(rng, handle: h5py.File, outside: Outside) -> str:
    path = str(rng.choice(h5edit.datasets(handle)))
    shape = handle[path].shape
    kind = str(rng.choice(["string", "int", "bool", "complex", "compound", "group", "scalar"]))
    if kind == "group":
        del handle[path]
        handle.create_group(path)
    elif kind == "scalar":
        h5edit.replace_dataset(handle, path, data=np.float64(1.0))
    else:
        dtype = {"string": _STR, "int": np.int64, "bool": np.bool_, "complex": np.complex64,
                 "compound": np.dtype([("a", "f4"), ("b", "i2")])}[kind]
        h5edit.replace_dataset(handle, path, shape=shape, dtype=dtype)
    return f"{path} retyped as {kind}"


def reshape_dataset(rng, handle: h5py.File, outside: Outside) -> str:
    path = str(rng.choice(h5edit.datasets(handle)))
    old = handle[path]
    shape = list(old.shape or (1,))
    change = str(rng.choice(["drop axis", "add axis", "zero length", "one more", "swap"]))
    if change == "drop axis" and len(shape) > 1:
        shape.pop(int(rng.integers(len(shape))))
    elif change == "add axis":
        shape.insert(int(rng.integers(len(shape) + 1)), 2)
    elif change == "zero length":
        shape[int(rng.integers(len(shape)))] = 0
    elif change == "one more":
        shape[int(rng.integers(len(shape)))] += 1
    else:
        shape = shape[::-1]
    dtype = old.dtype
    h5edit.replace_dataset(handle, path, shape=tuple(shape), dtype=dtype)
    return f"{path} reshaped to {tuple(shape)} ({change})"


def huge_shape(rng, handle: h5py.File, outside: Outside) -> str:
    take = str(rng.choice(_TAKES))
    n_frames = int(rng.choice(_HUGE_FRAMES))
    h5edit.resize_take(handle, take, n_frames)
    return f"{take}: n_frames {n_frames} with matching empty chunked datasets"


def huge_joint_count(rng, handle: h5py.File, outside: Outside) -> str:
    count = int(rng.choice([1 << 31, 1 << 26]))
    h5edit.replace_dataset(handle, "/skeleton/joint_names", shape=(count,), dtype=_STR, chunks=(1 << 12,))
    return f"/skeleton/joint_names declares {count} names"


def decompression_bomb(rng, handle: h5py.File, outside: Outside) -> str:
    take = str(rng.choice(_TAKES))
    n_frames = int(rng.choice([1 << 18, 1 << 21]))
    chunk_frames = min(n_frames, 1 << 14)
    name = str(rng.choice(["pose2d", "pose3d"]))
    chunk_shape = (1, chunk_frames, 17, 3) if name == "pose2d" else (chunk_frames, 17, 3)
    h5edit.resize_take(handle, take, n_frames, h5edit.zeros_chunk(chunk_shape, 4), name)
    return f"{take}/{name}: deflate bomb of {n_frames} frames"


def nonfinite(rng, handle: h5py.File, outside: Outside) -> str:
    value = float(rng.choice([np.nan, np.inf, -np.inf, 1e300, -1e300, 1e-300, 1e20, -3e38]))
    targets = [p for p in h5edit.datasets(handle) if handle[p].dtype.kind == "f"]
    attrs = [("/", "fps"), ("/takes/take1", "score"), ("/takes/take2", "score")]
    if rng.random() < 0.3:
        path, name = attrs[int(rng.integers(len(attrs)))]
        handle[path].attrs[name] = value
        return f"{path}@{name} = {value}"
    path = str(rng.choice(targets))
    data = handle[path][()]
    mask = rng.random(data.shape) < float(rng.choice([0.05, 0.5, 1.0]))
    with np.errstate(over="ignore"):   # ±1e300 in a float32 dataset is meant to become ±inf
        data[mask] = value
    handle[path][...] = data
    return f"{path}: {mask.sum()} values set to {value}"


def non_utf8(rng, handle: h5py.File, outside: Outside) -> str:
    bad = np.array(b"\xff\xfe" + bytes(rng.integers(128, 256, 6, dtype=np.uint8)), dtype=h5py.string_dtype("utf-8"))
    candidates = [(p, n) for p, n in h5edit.attributes(handle)
                  if h5py.check_string_dtype(handle[p].attrs.get_id(n).dtype) is not None]
    path, name = candidates[int(rng.integers(len(candidates)))]
    old = handle[path].attrs[name]
    if isinstance(old, np.ndarray) and old.ndim == 1:
        values = np.array([v.encode() for v in old], dtype=h5py.string_dtype("utf-8"))
        values[int(rng.integers(len(values)))] = bad[()]
        handle[path].attrs[name] = values
    else:
        handle[path].attrs[name] = bad
    return f"{path}@{name} holds invalid UTF-8"


def huge_string(rng, handle: h5py.File, outside: Outside) -> str:
    text = "Ä" * (1 << 19) if rng.random() < 0.5 else "x" * (1 << 20)
    choice = int(rng.integers(5))
    if choice == 0:
        path, name = str(rng.choice(["/takes/take1", "/takes/take2"])), str(rng.choice(["action_name", "action"]))
    elif choice == 1:
        path, name = "/", str(rng.choice(["athlete", "title", "notes", "event"]))
    elif choice == 2:
        path, name = "/skeleton", "name"
    else:
        target = str(rng.choice(["/skeleton/joint_names", "/takes/take2/penalties/code"]))
        values = handle[target][()].astype(object)
        values[0] = text
        h5edit.replace_dataset(handle, target, data=np.array(list(values), dtype=_STR))
        return f"{target}[0] is {len(text)} characters"
    handle[path].attrs[name] = text
    return f"{path}@{name} is {len(text)} characters"


def edge_values(rng, handle: h5py.File, outside: Outside) -> str:
    edits = {
        "no cameras": lambda: handle["/cameras"].attrs.__setitem__("order", np.array([], dtype=_STR)),
        "one camera": lambda: handle["/cameras"].attrs.__setitem__("order", np.array(["cam1"], dtype=_STR)),
        "no takes": lambda: handle["/takes"].attrs.__setitem__("order", np.array([], dtype=_STR)),
        "take listed twice": lambda: handle["/takes"].attrs.__setitem__("order",
                                                                        np.array(["take1", "take1"], dtype=_STR)),
        "zero frames": lambda: h5edit.resize_take(handle, "take2", 0),
        "fps 1e-300": lambda: handle.attrs.__setitem__("fps", 1e-300),
        "fps 1e300": lambda: handle.attrs.__setitem__("fps", 1e300),
        "level 2**62": lambda: handle.attrs.__setitem__("level", np.int64(1 << 62)),
        "start_frame -5": lambda: handle["/takes/take1"].attrs.__setitem__("start_frame", np.int64(-5)),
        "string spans": lambda: h5edit.replace_dataset(handle, "/takes/take2/penalties/start",
                                                       data=np.array(["2", "x"], dtype=_STR)),
        "spans past the end": lambda: h5edit.replace_dataset(handle, "/takes/take2/penalties/end",
                                                             data=np.array([1 << 30, -7], np.int32)),
        "spans reversed": lambda: h5edit.replace_dataset(handle, "/takes/take2/penalties/start",
                                                         data=np.array([9, 8], np.int32)),
        "unknown penalty code": lambda: h5edit.replace_dataset(handle, "/takes/take2/penalties/code",
                                                               data=np.array([_text(rng), "NOPE"], dtype=_STR)),
        "penalty value 0.2": lambda: h5edit.replace_dataset(handle, "/takes/take2/penalties/value",
                                                            data=np.array([0.2, 0.1], np.float32)),
        "no judges": lambda: h5edit.replace_dataset(handle, "/takes/take1/judge_scores",
                                                    data=np.zeros(0, np.float32)),
        "no pose3d": lambda: [handle[f"/takes/{t}"].pop(n) for t in _TAKES for n in ("pose3d", "pose3d_reference")],
        "pose3d only missing": lambda: handle["/takes/take2"].pop("pose3d"),
        "duplicate joint names": lambda: h5edit.replace_dataset(
            handle, "/skeleton/joint_names", data=np.array(["nose"] * 17, dtype=_STR)),
        "self-loop edge": lambda: h5edit.replace_dataset(handle, "/skeleton/edges", data=np.array([[0, 0]], np.int32)),
        "score 1e30": lambda: handle["/takes/take2"].attrs.__setitem__("score", 1e30),
        "all detections missing": lambda: handle["/takes/take2/pose2d"].__setitem__(Ellipsis, np.nan),
        "take named with slash": lambda: handle["/takes"].attrs.__setitem__("order",
                                                                            np.array(["take1/pose2d"], dtype=_STR)),
        "codec attribute junk": lambda: handle["/takes/take1/video/cam1"].attrs.__setitem__("codec", np.int64(3)),
    }
    name = str(rng.choice(sorted(edits)))
    edits[name]()
    return name


# ------------------------------------------------------ outside the file
_LINK_TARGETS = ("/takes/take1/pose2d", "/takes/take2/pose3d", "/skeleton", "/cameras/cam1/K", "/takes/take2")


def external_link(rng, handle: h5py.File, outside: Outside) -> str:
    target = str(rng.choice(_LINK_TARGETS))
    file = str(rng.choice([str(outside.session), "/etc/passwd", "missing.h5"]))
    del handle[target]
    handle[target] = h5py.ExternalLink(file, target)
    return f"{target} is an external link into {file}"


def soft_link(rng, handle: h5py.File, outside: Outside) -> str:
    target = str(rng.choice(_LINK_TARGETS))
    destination = str(rng.choice([target, "/nowhere", "/takes/take1/pose3d"]))
    del handle[target]
    handle[target] = h5py.SoftLink(destination)
    return f"{target} is a soft link to {destination}"


def external_storage(rng, handle: h5py.File, outside: Outside) -> str:
    path = str(rng.choice(["/takes/take1/pose2d", "/takes/take2/pose3d", "/cameras/cam1/K"]))
    old = handle[path]
    size = int(np.prod(old.shape)) * old.dtype.itemsize
    file = str(rng.choice([str(outside.raw), "/etc/passwd", "/proc/self/environ"]))
    h5edit.replace_dataset(handle, path, shape=old.shape, dtype=old.dtype, external=[(file, 0, size)])
    return f"{path} stored externally in {file}"


def virtual_dataset(rng, handle: h5py.File, outside: Outside) -> str:
    path = str(rng.choice(["/takes/take1/pose2d", "/takes/take2/pose3d", "/cameras/cam2/R"]))
    old = handle[path]
    layout = h5py.VirtualLayout(shape=old.shape, dtype=old.dtype)
    layout[...] = h5py.VirtualSource(str(outside.session), path, shape=old.shape)
    attrs = dict(old.attrs)
    del handle[path]
    created = handle.create_virtual_dataset(path, layout)
    for key, value in attrs.items():
        created.attrs[key] = value
    return f"{path} is a virtual dataset of {outside.session.name}"


def video_path_escape(rng, handle: h5py.File, outside: Outside) -> str:
    take, view = str(rng.choice(_TAKES)), f"cam{int(rng.integers(1, 9))}"
    folder = Path(handle.filename).parent
    link = folder / "cam.avi"
    choices = [os.path.relpath(outside.video, folder), str(outside.video), "/etc/passwd", "/proc/self/environ",
               "../../../../../../../../etc/passwd", "cam.avi", "sub/../../" + outside.video.name]
    relative = str(rng.choice(choices))
    if relative == "cam.avi":
        link.symlink_to(outside.video)
    h5edit.replace_dataset(handle, f"/takes/{take}/video/{view}", data=relative, dtype=_STR)
    handle[f"/takes/{take}/video/{view}"].attrs["frame_offset"] = np.int64(0)
    return f"/takes/{take}/video/{view} -> {relative}"


def bad_video_frames(rng, handle: h5py.File, outside: Outside) -> str:
    take, view = str(rng.choice(_TAKES)), f"cam{int(rng.integers(1, 9))}"
    dataset = handle[f"/takes/{take}/video/{view}"]
    count = int(rng.integers(1, dataset.shape[0] + 1))
    names = set()
    for index in rng.choice(dataset.shape[0], size=count, replace=False):
        name, encoded = bad_frame(rng, dataset[int(index)].tobytes())
        dataset[int(index)] = np.frombuffer(encoded, np.uint8)
        names.add(name)
    return f"/takes/{take}/video/{view}: {count} frames replaced ({', '.join(sorted(names))})"


# ------------------------------------------------------------ raw bytes
def flip_bytes(rng, path: Path, outside: Outside) -> str:
    data = bytearray(path.read_bytes())
    if rng.random() < 0.7:
        ranges = h5edit.object_header_ranges(str(path))
        start, length = ranges[int(rng.integers(len(ranges)))]
        offsets = start + rng.integers(0, max(length, 1), size=int(rng.choice([1, 1, 2, 4])))
        where = "object header"
    else:
        offsets = rng.integers(0, len(data), size=int(rng.choice([1, 4, 16, 64])))
        where = "anywhere"
    for offset in offsets:
        data[min(int(offset), len(data) - 1)] ^= 1 << int(rng.integers(0, 8))
    path.write_bytes(bytes(data))
    return f"{len(offsets)} bits flipped ({where}) at {sorted(int(o) for o in offsets)[:4]}"


def truncate(rng, path: Path, outside: Outside) -> str:
    size = path.stat().st_size
    keep = int(rng.choice([rng.integers(0, 4096), rng.integers(0, size), size - rng.integers(1, 512)]))
    os.truncate(path, max(keep, 0))
    return f"truncated to {max(keep, 0)} of {size} bytes"


#: name -> (mutation, works on the open HDF5 file?, the reader must refuse the result?)
MUTATIONS = {
    "delete_node": (delete_node, True, False),
    "delete_attribute": (delete_attribute, True, False),
    "retype_attribute": (retype_attribute, True, False),
    "retype_dataset": (retype_dataset, True, False),
    "reshape_dataset": (reshape_dataset, True, False),
    "huge_shape": (huge_shape, True, True),
    "huge_joint_count": (huge_joint_count, True, True),
    "decompression_bomb": (decompression_bomb, True, True),
    "nonfinite": (nonfinite, True, False),
    "non_utf8": (non_utf8, True, False),
    "huge_string": (huge_string, True, False),
    "edge_values": (edge_values, True, False),
    "external_link": (external_link, True, True),
    "soft_link": (soft_link, True, False),
    "external_storage": (external_storage, True, True),
    "virtual_dataset": (virtual_dataset, True, True),
    "video_path_escape": (video_path_escape, True, False),
    "bad_video_frames": (bad_video_frames, True, False),
    "flip_bytes": (flip_bytes, False, False),
    "truncate": (truncate, False, False),
}
