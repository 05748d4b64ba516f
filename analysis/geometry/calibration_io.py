"""Reading and writing calibration files made by other tools.

Formats: anipose / Pose2Sim ``calibration.toml``, EasyMocap ``intri.yml`` +
``extri.yml`` and Qualisys ``.qca.txt``. Cameras keep the order of the file.
Every reader states the unit of the file's translations (``"m"`` or ``"mm"``);
the cameras it returns are always in metres and the conversion is reported.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from analysis.geometry.cameras import Camera

#: Metres per unit of a calibration file's translations.
UNIT_SCALE = {"m": 1.0, "mm": 0.001}


@dataclass(frozen=True)
class Calibration:
    """Cameras read from a calibration file.

    Attributes
    ----------
    cameras : list of Camera
        In file order; translations in metres.
    file_format : str
        ``"toml"``, ``"easymocap"`` or ``"qualisys"`` (the wizard's calibrations
        computed from a board recording say ``"board recording"``).
    units : str
        Unit of the translations in the file, ``"m"`` or ``"mm"``.
    notes : tuple of str
        Assumptions made while reading (an image size derived from the
        principal point, say).
    """

    cameras: list[Camera]
    file_format: str
    units: str
    notes: tuple[str, ...] = ()

    @property
    def conversion(self) -> str:
        """One line saying how the file's translations were converted to metres."""
        if self.units == "m":
            return "translations in metres, not converted"
        return f"translations in {self.units}, converted to metres (x {UNIT_SCALE[self.units]:g})"


def unit_scale(units: str, path: str | Path) -> float:
    """Metres per unit; raises ValueError naming ``path`` for an unknown unit."""
    try:
        return UNIT_SCALE[units]
    except KeyError:
        raise ValueError(f"{path}: unknown calibration unit {units!r}; use one of {', '.join(UNIT_SCALE)}") from None


def calibration_format(path: str | Path) -> str:
    """The format of a calibration path from its name.

    ``*.toml`` is toml, ``*.qca.txt`` / ``*.xml`` is Qualisys, and
    ``intri.yml``, ``extri.yml`` or a folder holding both is EasyMocap.
    """
    path = Path(path)
    name = path.name.lower()
    if name.endswith(".toml"):
        return "toml"
    if name.endswith(".qca.txt") or name.endswith(".xml"):
        return "qualisys"
    if name in ("intri.yml", "extri.yml") or (path.is_dir() and (path / "intri.yml").is_file()):
        return "easymocap"
    raise ValueError(f"{path}: unknown calibration format; expected a .toml, a .qca.txt, "
                     "or EasyMocap's intri.yml/extri.yml (or their folder)")


def read_calibration(path: str | Path, units: str | None = None) -> Calibration:
    """Read any supported calibration file.

    Parameters
    ----------
    path : str or Path
    units : {"m", "mm"}, optional
        Unit of the file's translations; default: the format's own (metres for
        toml and EasyMocap, millimetres for Qualisys).

    Raises
    ------
    FileNotFoundError, ValueError
        With the file name in the message.
    """
    from analysis.geometry import (
        calibration_easymocap,
        calibration_qualisys,
        calibration_toml,
    )

    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"{path}: calibration file not found")
    readers = {
        "toml": calibration_toml.read_toml_calibration,
        "easymocap": calibration_easymocap.read_easymocap_calibration,
        "qualisys": calibration_qualisys.read_qualisys_calibration,
    }
    reader = readers[calibration_format(path)]
    return reader(path) if units is None else reader(path, units=units)
