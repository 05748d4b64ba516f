"""Benchmark: `main.py detect` throughput, frames/s and frames per CPU-second (= per core).

The real RTMPose / YOLOX weights cannot be downloaded here (no network), so the
models are built locally:

- "pipeline": the tests' tiny models (tests/analysis/detection/tiny_models.py),
  whose keypoints follow the rendered people; this measures everything around
  the networks: decoding, letterbox and affine crops, SimCC decoding, tracking
  and the atomic JSON writes.
- "<pose> + <detector>": the same tiny models with a random-weight convolution
  stack grafted on (its output added, scaled by 1e-9, to every model output, so
  onnxruntime must compute it while the keypoints stay where they are) at the real
  model's input size and multiply-add count: RTMPose-m 1.93 G and RTMPose-s
  0.68 G at 256x192 (mmpose's FLOPs, which count multiply-adds), YOLOX-m 36.9 G at
  640x640 and YOLOX-tiny 3.2 G at 416x416 (YOLOX's 73.8 and 6.45 GFLOPs count
  two per multiply-add). Plain 3x3 convolutions are not CSPNeXt's depthwise and
  large-kernel layers: the real models' speed per multiply-add differs, so these
  are estimates of the same order, not measurements of RTMPose.

Each run is one `run_detection` over rendered H.264 videos (two people walking)
with onnxruntime on one intra-op thread; CPU seconds are the process's (decode
threads included), so frames per CPU-second is the throughput per core.

Usage: python bench/bench_detect.py [--frames 40] [--size 1920x1080] [--pairs pipeline lightweight balanced]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
import onnx  # noqa: E402
from onnx import TensorProto, helper, numpy_helper  # noqa: E402

from analysis.detection.estimators import load_estimator  # noqa: E402
from analysis.detection.job import run_detection  # noqa: E402
from analysis.detection.video_frames import (  # noqa: E402
    decode_frames,
    find_view_videos,
)
from tests.analysis.detection.scenes import (  # noqa: E402
    render_frames,
    walking_boxes,
    write_video,
)
from tests.analysis.detection.tiny_models import (  # noqa: E402
    write_detector,
    write_rtmpose,
)

#: name -> (multiply-adds, input side (H, W)) of the models the grafted stacks stand for.
MODEL_COSTS = {
    "RTMPose-m": (1.93e9, (256, 192)),
    "RTMPose-s": (0.68e9, (256, 192)),
    "YOLOX-m": (36.9e9, (640, 640)),
    "YOLOX-tiny": (3.2e9, (416, 416)),
}
#: rtmlib's solution modes: (pose, detector); "pipeline" is the tiny models alone.
PAIRS = {"pipeline": (None, None), "lightweight": ("RTMPose-s", "YOLOX-tiny"), "balanced": ("RTMPose-m", "YOLOX-m")}


def conv_stack_macs(size: tuple[int, int], width: int, blocks: list[int]) -> float:
    """Multiply-adds of :func:`graft_conv_stack`'s stack on an input of ``size`` (H, W)."""
    height, wide = size[0] // 2, size[1] // 2
    macs, channels = 3 * width * 9 * height * wide, width
    for stage, count in enumerate(blocks):
        height, wide, out = height // 2, wide // 2, width * 2 ** (stage + 1)
        macs += channels * out * 9 * height * wide + count * out * out * 9 * height * wide
        channels = out
    return macs


def blocks_for(target: float, size: tuple[int, int], width: int) -> list[int]:
    """Blocks per stage (4 stages, added in turn) whose stack comes closest to ``target`` multiply-adds."""
    blocks = [0, 0, 0, 0]
    stage = 0
    while conv_stack_macs(size, width, blocks) < target:
        previous = list(blocks)
        blocks[stage % 4] += 1
        stage += 1
        if conv_stack_macs(size, width, blocks) - target > target - conv_stack_macs(size, width, previous):
            return previous
    return blocks


def graft_conv_stack(path: Path, out: Path, target: float, size: tuple[int, int], width: int) -> float:
    """Write ``path``'s model plus a random 3x3 convolution stack of about ``target`` multiply-adds to ``out``."""
    model = onnx.load(str(path))
    graph = model.graph
    rng = np.random.default_rng(0)
    blocks = blocks_for(target, size, width)
    nodes, names = [], iter(range(10_000))

    def add(op_type: str, inputs: list[str], **attributes) -> str:
        name = f"bench{next(names)}"
        nodes.append(helper.make_node(op_type, inputs, [name], **attributes))
        return name

    def weight(value: np.ndarray) -> str:
        name = f"bench_w{next(names)}"
        graph.initializer.append(numpy_helper.from_array(value.astype(np.float32), name))
        return name

    def conv(x: str, c_in: int, c_out: int, stride: int) -> str:
        w = weight(rng.normal(0, (2 / (9 * c_in)) ** 0.5, (c_out, c_in, 3, 3)))
        return add("Relu", [add("Conv", [x, w, weight(np.zeros(c_out))], kernel_shape=[3, 3], pads=[1, 1, 1, 1],
                                strides=[stride, stride])])

    x, channels = conv(graph.input[0].name, 3, width, 2), width
    for stage, count in enumerate(blocks):
        out_channels = width * 2 ** (stage + 1)
        x, channels = conv(x, channels, out_channels, 2), out_channels
        for _ in range(count):
            x = conv(x, channels, channels, 1)
    tiny = add("Mul", [add("ReduceMean", [x], keepdims=0), weight(np.array(1e-9))])
    floats = {o.name for o in graph.output if o.type.tensor_type.elem_type == TensorProto.FLOAT}
    outputs = [node for node in graph.node if node.op_type == "Identity" and node.output[0] in floats]
    for node in outputs:
        graph.node.remove(node)
        node.input[0] = add("Add", [node.input[0], tiny])
    graph.node.extend(nodes + outputs)
    onnx.checker.check_model(model)
    onnx.save(model, str(out))
    return conv_stack_macs(size, width, blocks)


def timed_run(videos_dir: Path, pose: Path, detector: Path, threads: int) -> tuple[float, float, int, int]:
    """Wall seconds, CPU seconds, frames and people tracked of one detection run."""
    videos = find_view_videos(videos_dir)
    estimator = load_estimator(pose, "cpu", lambda: detector, threads=threads)
    with tempfile.TemporaryDirectory() as out:
        wall, cpu = time.perf_counter(), time.process_time()
        result = run_detection(videos, Path(out), estimator)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return wall, cpu, sum(r.detected for r in result.views.values()), sum(r.tracks for r in result.views.values())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=40)
    parser.add_argument("--size", default="1920x1080", help="video width x height")
    parser.add_argument("--threads", type=int, default=1, help="onnxruntime intra-op threads per model")
    parser.add_argument("--pairs", nargs="+", choices=tuple(PAIRS), default=list(PAIRS))
    args = parser.parse_args()
    width, height = (int(v) for v in args.size.split("x"))
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        def scaled(*values: int) -> tuple[int, ...]:
            return tuple(int(v * height / 240) for v in values)

        boxes = {0: walking_boxes(args.frames, scaled(40, 60), 3, scaled(30, 90)),
                 1: walking_boxes(args.frames, scaled(200, 50), -3, scaled(26, 100))}
        video = write_video(folder / "videos" / "cam1.mp4", render_frames((width, height), boxes))
        started, cpu = time.perf_counter(), time.process_time()
        decoded = sum(1 for _ in decode_frames(video))
        print(f"video: {width}x{height} H.264, {decoded} frames, 2 people; decoding alone "
              f"{decoded / (time.perf_counter() - started):.1f} frames/s, "
              f"{decoded / (time.process_time() - cpu):.1f} frames per CPU-second")
        tiny_pose = write_rtmpose(folder / "pose.onnx")
        print(f"onnxruntime intra-op threads per model: {args.threads}")
        print("| models | multiply-adds (pose per person, detector per frame) | frames/s | frames per CPU-second "
              "| people tracked |")
        print("|---|---|---|---|---|")
        for pair in args.pairs:
            pose_name, detector_name = PAIRS[pair]
            detector_side = MODEL_COSTS[detector_name][1][0] if detector_name else 640
            pose = tiny_pose
            detector = write_detector(folder / f"detector{detector_side}.onnx", detector_side)
            cost = "tiny models only"
            if pose_name is not None:
                pose_macs = graft_conv_stack(tiny_pose, folder / f"{pose_name}.onnx", *MODEL_COSTS[pose_name], width=32)
                detector_macs = graft_conv_stack(detector, folder / f"{detector_name}.onnx",
                                                 *MODEL_COSTS[detector_name], width=48)
                pose, detector = folder / f"{pose_name}.onnx", folder / f"{detector_name}.onnx"
                cost = f"{pose_name}-sized {pose_macs / 1e9:.2f} G, {detector_name}-sized {detector_macs / 1e9:.1f} G"
            wall, cpu, frames, people = timed_run(folder / "videos", pose, detector, args.threads)
            print(f"| {pair} | {cost} | {frames / wall:.2f} | {frames / cpu:.2f} | {people} |")


if __name__ == "__main__":
    main()
