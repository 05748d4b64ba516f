"""A plain-data summary of a session, for the ``info`` command and JSON export."""

from __future__ import annotations

import math

from analysis.session.contract import EVENT_NAMES
from analysis.session.reader import Session


def summarize(session: Session) -> dict:
    """Session attributes and, per take, action, frames, score, exemplar flag and penalties.

    Reads penalties and judge scores (small arrays) but no poses or frames.
    NaN scores become None so the result is valid JSON.
    """
    takes = []
    for take in session.takes.values():
        penalties = session.penalties(take.take_id)
        judges = session.judge_scores(take.take_id)
        takes.append({
            "take": take.take_id,
            "action": take.action,
            "action_name": take.action_name,
            "n_frames": take.n_frames,
            "duration_s": round(take.n_frames / session.fps, 3),
            "score": None if math.isnan(take.score) else round(take.score, 4),
            "judge_scores": None if judges is None else [round(float(j), 4) for j in judges],
            "is_exemplar": take.is_exemplar,
            "has_pose3d": take.has_pose3d,
            "video_views": list(take.video_views),
            "penalties": [
                {"code": code, "value": round(float(value), 2), "start": int(start), "end": int(end)}
                for code, value, start, end in zip(penalties.codes, penalties.values, penalties.start, penalties.end)
            ],
        })
    return {
        "file": str(session.path),
        "title": session.title,
        "event": session.event,
        "event_name": EVENT_NAMES.get(session.event, session.event),
        "level": session.level,
        "athlete": session.athlete,
        "fps": session.fps,
        "created": session.created,
        "skeleton": {"name": session.skeleton.name, "n_joints": session.skeleton.n_joints},
        "views": list(session.view_names),
        "n_takes": len(takes),
        "takes": takes,
        "warnings": list(session.warnings),
    }
