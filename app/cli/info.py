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
        f"  {'take':<16} {'action':<10} {'name':<38} {'frames':>6} {'score':>6}  {'exemplar':<8} penalties",
    ]
    for take in summary["takes"]:
        score = "-" if take["score"] is None else f"{take['score']:.2f}"
        penalties = ", ".join(
            f"{p['code']} {p['value']:g}" + (f" [{p['start']}-{p['end']})" if p["start"] >= 0 else "")
            for p in take["penalties"]
        ) or "none"
        name = take["action_name"] if len(take["action_name"]) <= 38 else take["action_name"][:37] + "…"
        lines.append(f"  {take['take']:<16} {take['action']:<10} {name:<38} {take['n_frames']:>6} {score:>6}  "
                     f"{'yes' if take['is_exemplar'] else 'no':<8} {penalties}")
    for warning in summary["warnings"]:
        lines.append(f"warning: {warning}")
    return "\n".join(lines)


def print_info(path: Path, json_path: Path | None = None) -> int:
    """Print the summary of the session at ``path``; write JSON to ``json_path`` if given."""
    with Session.open(path) as session:
        summary = summarize(session)
    print(format_summary(summary))
    if json_path is not None:
        write_json_report(json_path, summary)
    return 0
