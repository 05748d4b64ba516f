"""Small editing helpers on open h5py files, for building corrupted variants of a session."""

from __future__ import annotations

import h5py
import numpy as np


def datasets(handle: h5py.File) -> list[str]:
    """Paths of every dataset, sorted."""
    found: list[str] = []
    handle.visititems(lambda name, node: found.append("/" + name) if isinstance(node, h5py.Dataset) else None)
    return sorted(found)


def groups(handle: h5py.File) -> list[str]:
    """Paths of every group (the root included), sorted."""
    found = ["/"]
    handle.visititems(lambda name, node: found.append("/" + name) if isinstance(node, h5py.Group) else None)
    return sorted(found)


def attributes(handle: h5py.File) -> list[tuple[str, str]]:
    """(object path, attribute name) of every attribute, sorted."""
    return sorted((path, name) for path in groups(handle) + datasets(handle) for name in handle[path].attrs)


def replace_dataset(handle: h5py.File, path: str, **create) -> h5py.Dataset:
    """Delete the dataset at ``path`` and create a new one there with ``create`` (attributes kept)."""
    parent, name = path.rsplit("/", 1)
    parent = parent or "/"
    attrs = dict(handle[path].attrs) if path in handle else {}
    del handle[path]
    dataset = handle[parent].create_dataset(name, **create)
    for key, value in attrs.items():
        dataset.attrs[key] = value
    return dataset


def take_datasets(handle: h5py.File, take: str) -> dict[str, h5py.Dataset]:
    """The datasets of a take whose first frame axis is the take's length (poses and embedded video)."""
    group = handle[f"/takes/{take}"]
    found = {name: group[name] for name in ("pose2d", "pose3d", "pose3d_reference") if name in group}
    if "video" in group:
        found |= {f"video/{view}": dataset for view, dataset in group["video"].items() if dataset.shape != ()}
    return found


def frame_axis(name: str) -> int:
    """Axis of the frames in a take dataset of :func:`take_datasets`."""
    return 1 if name == "pose2d" else 0


def resize_take(handle: h5py.File, take: str, n_frames: int, bomb_chunk: bytes | None = None,
                bomb_name: str = "") -> None:
    """Declare ``n_frames`` frames and make every frame-indexed dataset of the take match.

    The new datasets are chunked and left unwritten (they read as fill
    values and stay small on disk), except ``bomb_name`` whose every chunk is
    ``bomb_chunk``, a deflate-compressed chunk of zeros written directly.
    """
    group = handle[f"/takes/{take}"]
    group.attrs["n_frames"] = np.int64(n_frames)
    for name, dataset in take_datasets(handle, take).items():
        axis = frame_axis(name)
        shape = list(dataset.shape)
        shape[axis] = n_frames
        chunks = [1] * len(shape)
        chunks[axis] = max(1, min(n_frames, 1 << 14))
        for extra in range(axis + 1, len(shape)):
            chunks[extra] = shape[extra]
        fill = {} if dataset.dtype.kind == "O" else {"fillvalue": np.nan}
        compression = {"compression": "gzip"} if name == bomb_name else {}
        created = replace_dataset(handle, dataset.name, shape=tuple(shape), dtype=dataset.dtype,
                                  chunks=tuple(chunks), **fill, **compression)
        if name == bomb_name and bomb_chunk is not None:
            _write_every_chunk(created, bomb_chunk)


def zeros_chunk(dataset_chunks: tuple[int, ...], itemsize: int) -> bytes:
    """A deflate-compressed chunk of zeros of the given chunk shape."""
    import zlib

    return zlib.compress(bytes(int(np.prod(dataset_chunks)) * itemsize), 9)


def _write_every_chunk(dataset: h5py.Dataset, chunk: bytes) -> None:
    ranges = [range(0, size, step) for size, step in zip(dataset.shape, dataset.chunks)]
    for offset in np.stack(np.meshgrid(*ranges, indexing="ij"), axis=-1).reshape(-1, dataset.ndim):
        dataset.id.write_direct_chunk(tuple(int(v) for v in offset), chunk)


def object_header_ranges(path: str) -> list[tuple[int, int]]:
    """(address, length) of the object header of every group and dataset of a file."""
    ranges = []
    with h5py.File(path, "r") as handle:
        for name in groups(handle) + datasets(handle):
            info = h5py.h5o.get_info(handle[name].id)
            ranges.append((int(info.addr), int(info.hdr.space.total)))
    return ranges
