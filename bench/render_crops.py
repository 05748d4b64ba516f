"""Render small grey video crops around the athlete, one camera, for the RGB + pose ablation (issue 15).

For every take of the chosen events of a library, the demo renderer
(:mod:`analysis.synthetic.render`) draws the ground-truth body (``pose3d_reference``:
what a camera would film) as the session's first camera sees it, at the
``--frames`` frames evenly spaced over the take (the positions the pose is
resampled at); each frame is cut to a square of ``--window`` metres centred on
the hips, at their depth, and scaled to ``--size`` pixels, grey. The athlete is
drawn in neutral colours: the crops are grey anyway.

    python bench/render_crops.py --library DIR --events MFE WFE --out CROPS.npz [--frames 32] [--size 48]

Writes ``keys`` (``"FILE#TAKE"``) and ``crops`` (N, frames, size, size) uint8.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analysis.catalogue.apparatus import apparatus_for  # noqa: E402
from analysis.geometry.cameras import Camera  # noqa: E402
from analysis.motion.skeleton import COCO17_NAMES  # noqa: E402
from analysis.session.reader import Session  # noqa: E402
from analysis.synthetic.render import Appearance, ViewRenderer  # noqa: E402
from models.features import resample_positions  # noqa: E402

NEUTRAL = Appearance(leotard_bgr=(150, 150, 150), skin_bgr=(200, 200, 200), hair_bgr=(70, 70, 70))
HIPS = [COCO17_NAMES.index("left_hip"), COCO17_NAMES.index("right_hip")]


def crop(image: np.ndarray, camera: Camera, root: np.ndarray, window_m: float, size: int) -> np.ndarray:
    """The ``size`` × ``size`` grey square of ``image`` centred on world point ``root``, ``window_m`` metres wide there."""
    depth = float(camera.to_camera(root[None])[0, 2])
    u, v = camera.project(root[None])[0]
    scale = size / max(camera.K[0, 0] * window_m / max(depth, 0.1), 1.0)
    warp = np.array([[scale, 0.0, size / 2 - scale * u], [0.0, scale, size / 2 - scale * v]])
    grey = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    return cv2.warpAffine(grey, warp, (size, size), flags=cv2.INTER_AREA, borderMode=cv2.BORDER_REPLICATE)


def take_crops(renderer: ViewRenderer, pose: np.ndarray, frames: int, window_m: float, size: int) -> np.ndarray:
    """Crops ``(frames, size, size)`` of one take's ground-truth pose ``(T, 17, 3)``."""
    out = np.zeros((frames, size, size), np.uint8)
    for i, position in enumerate(np.round(resample_positions(len(pose), frames)).astype(int)):
        joints = pose[position]
        root = np.nanmean(joints[HIPS], axis=0)
        out[i] = crop(renderer.render(joints, NEUTRAL), renderer.camera, root, window_m, size)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--library", required=True, type=Path)
    parser.add_argument("--events", nargs="+", required=True)
    parser.add_argument("--out", required=True, type=Path)
    parser.add_argument("--frames", type=int, default=32)
    parser.add_argument("--size", type=int, default=48)
    parser.add_argument("--window", type=float, default=2.6, help="crop width at the hips' depth, metres")
    args = parser.parse_args()
    started = time.perf_counter()
    keys, crops = [], []
    files = sorted(path for path in args.library.glob("*.h5") if path.name.split("_")[0] in args.events)
    for number, path in enumerate(files):
        with Session.open(path) as session:
            renderer = ViewRenderer(session.cameras[0], apparatus_for(session.event))
            for take in session.takes:
                pose = session.pose3d_reference(take).astype(np.float64)
                crops.append(take_crops(renderer, pose, args.frames, args.window, args.size))
                keys.append(f"{path.name}#{take}")
        print(f"{number + 1}/{len(files)} {path.name} ({time.perf_counter() - started:.0f} s)", flush=True)
    np.savez(args.out, keys=np.array(keys), crops=np.stack(crops))
    print(f"wrote {args.out}: {len(keys)} takes in {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
