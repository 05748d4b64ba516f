"""The ``info`` command: print a session summary and optionally write it as JSON."""

from __future__ import annotations

from pathlib import Path

from analysis.session.reader import Session
from analysis.session.summary import summarize
from app.cli.command import write_json_report


def format_summary(summary: dict) -> str:
    """Human-readable text of :func:`analysis.session.summary.summarize` output."""
    lines = [
        f"File:      {summary['file']}",
        f"Title:     {summary['title'] or '-'}",
        f"Event:     {summary['event']} ({summary['event_name']})   Level: {summary['level']}   "
        f"Athlete: {summary['athlete']}   fps: {summary['fps']:g}",
        f"Skeleton:  {summary['skeleton']['name']} ({summary['skeleton']['n_joints']} joints)",
        f"Views:     {len(summary['views'])}: {' '.join(summary['views'])}",
        f"Takes:     {summary['n_takes']}",
        "",
        f"  {'take':<16} {'action':<10} {'name':<38} {'frames':>6} {'score':>6}  {'exemplar':<8} {'video':<9} "
        "penalties",
    ]
    for take in summary["takes"]:
        score = "-" if take["score"] is None else f"{take['score']:.2f}"
        penalties = ", ".join(
            f"{p['code']} {p['value']:g}" + (f" [{p['start']}-{p['end']})" if p["start"] >= 0 else "")
            for p in take["penalties"]
        ) or "none"
        name = take["action_name"] if len(take["action_name"]) <= 38 else take["action_name"][:37] + "…"
        lines.append(f"  {take['take']:<16} {take['action']:<10} {name:<38} {take['n_frames']:>6} {score:>6}  "
                     f"{'yes' if take['is_exemplar'] else 'no':<8} {_video_text(take, len(summary['views'])):<9} "
                     f"{penalties}")
    for warning in summary["warnings"]:
        lines.append(f"warning: {warning}")
    return "\n".join(lines)


def _video_text(take: dict, n_views: int) -> str:
    """Which views of a take have video: ``all 8``, ``3 of 8`` or ``none``."""
    count = len(take["video_views"])
    return "none" if count == 0 else f"all {count}" if count == n_views else f"{count} of {n_views}"


def print_info(path: Path, json_path: Path | None = None) -> int:
    """Print the summary of the session at ``path``; write JSON to ``json_path`` if given."""
    with Session.open(path) as session:
        summary = summarize(session)
    print(format_summary(summary))
    if json_path is not None:
        write_json_report(json_path, summary)
    return 0
