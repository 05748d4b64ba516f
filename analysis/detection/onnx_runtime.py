"""Opening ONNX models on onnxruntime: devices, sessions, and the tensor shapes they declare."""

from __future__ import annotations

from pathlib import Path

import onnxruntime as ort
from onnxruntime.capi.onnxruntime_pybind11_state import (
    Fail,
    InvalidArgument,
    InvalidGraph,
    InvalidProtobuf,
    NoSuchFile,
)

_PROVIDERS = {"cpu": "CPUExecutionProvider", "cuda": "CUDAExecutionProvider"}
_LOAD_ERRORS = (OSError, RuntimeError, Fail, InvalidArgument, InvalidGraph, InvalidProtobuf, NoSuchFile)


def available_devices() -> tuple[str, ...]:
    """The devices this onnxruntime can run on: "cpu", and "cuda" where its CUDA provider is present."""
    present = set(ort.get_available_providers())
    return tuple(device for device, provider in _PROVIDERS.items() if provider in present)


def default_device() -> str:
    """"cuda" where onnxruntime has its CUDA provider, else "cpu"."""
    return "cuda" if "cuda" in available_devices() else "cpu"


def open_session(path: str | Path, device: str, threads: int | None = None) -> ort.InferenceSession:
    """An inference session of the ONNX file ``path``.

    Parameters
    ----------
    path : Path
    device : {"cpu", "cuda"}
        "cuda" runs on the CUDA provider, with the CPU for operators it lacks.
    threads : int, optional
        Threads of one operator (onnxruntime's default: one per physical core).

    Raises
    ------
    FileNotFoundError, ValueError
        Naming the file, or the device that this onnxruntime cannot use.
    """
    path = Path(path)
    if device not in _PROVIDERS:
        raise ValueError(f"unknown device {device!r}; use one of {', '.join(_PROVIDERS)}")
    if device not in available_devices():
        raise ValueError(f"--device {device}: this onnxruntime has no {_PROVIDERS[device]} "
                         f"(it has {', '.join(ort.get_available_providers())}); install onnxruntime-gpu "
                         f"with a matching CUDA, or use --device cpu")
    if not path.is_file():
        raise FileNotFoundError(f"{path}: model file not found")
    options = ort.SessionOptions()
    options.log_severity_level = 3
    if threads is not None:
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
    providers = [_PROVIDERS[device]] + (["CPUExecutionProvider"] if device != "cpu" else [])
    try:
        return ort.InferenceSession(str(path), sess_options=options, providers=providers)
    except _LOAD_ERRORS as error:
        reason = " ".join(str(error).split())
        raise ValueError(f"{path}: not a usable ONNX model ({reason})") from None


def output_shapes(session: ort.InferenceSession) -> list[tuple]:
    """The declared shape of every output; symbolic dimensions are strings or None."""
    return [tuple(output.shape) for output in session.get_outputs()]


def fixed_input_size(session: ort.InferenceSession, path: str | Path) -> tuple[int, int]:
    """(height, width) of the model's one image input ``(N, 3, H, W)``.

    Raises
    ------
    ValueError
        When the model does not take one image of a fixed size.
    """
    inputs = session.get_inputs()
    shape = tuple(inputs[0].shape) if len(inputs) == 1 else ()
    if len(shape) != 4 or shape[1] != 3 or not all(isinstance(size, int) for size in shape[2:]):
        found = ", ".join(f"{i.name} {tuple(i.shape)}" for i in inputs)
        raise ValueError(f"{path}: expected one image input of shape (N, 3, H, W) with a fixed H and W, found {found}")
    return shape[2], shape[3]


def fixed_batch(session: ort.InferenceSession) -> bool:
    """Whether the image input takes exactly one image at a time."""
    return session.get_inputs()[0].shape[0] == 1
