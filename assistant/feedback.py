"""Thumbs and comments on answers, appended to a JSONL file that cannot grow without bound.

A record is built here from the answer the server issued (looked up by the answer's
id in the session), never from content the browser sends: the browser sends only
which answer, which thumb, and an optional comment, which is cut to
`MAX_COMMENT_CHARS`. Each session may write `RateLimit.events` records per
`RateLimit.seconds`; the file is rotated to `feedback.jsonl.1` (and so on) when the
next line would take it past `max_bytes`.

It does not read feedback back or judge it; that is for whoever reviews the file.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

MAX_COMMENT_CHARS = 1000
MAX_BYTES = 5 * 1024 * 1024
BACKUPS = 3
CITATION_KEYS = ("n", "section", "section_title", "heading", "pages", "quote")


def new_id() -> str:
    """An opaque id for an answer or a feedback record."""
    return uuid.uuid4().hex[:16]


def clean_comment(comment: Any) -> str:
    """A comment as stored: text, trimmed, at most MAX_COMMENT_CHARS characters."""
    return str(comment or "").strip()[:MAX_COMMENT_CHARS]


def verdict(liked: Any) -> str:
    """A thumb as 'up' or 'down' (Gradio reports True/False, our page 'up'/'down')."""
    if liked is True or str(liked).lower() in {"up", "like"}:
        return "up"
    if liked is False or str(liked).lower() in {"down", "dislike"}:
        return "down"
    raise ValueError(f"not a thumb: {liked!r}")


def feedback_record(answer_id: str, answer: dict[str, Any], liked: Any, when: datetime) -> dict[str, Any]:
    """One JSONL line from the answer as issued: when, what was asked, answered, cited, and the thumb."""
    return {
        "id": new_id(),
        "kind": "thumb",
        "time": when.isoformat(timespec="seconds"),
        "answer_id": answer_id,
        "verdict": verdict(liked),
        "question": answer.get("question", ""),
        "understood_as": answer.get("understood_as", ""),
        "answer": answer.get("answer", ""),
        "abstained": answer.get("abstained", False),
        "citations": [{k: c.get(k) for k in CITATION_KEYS} for c in answer.get("citations", [])],
    }


def comment_record(thumb: dict[str, Any], comment: Any, when: datetime) -> dict[str, Any]:
    """A comment line for a thumb already written: it carries that record's id (`feedback_id`)."""
    return {
        "id": new_id(),
        "kind": "comment",
        "time": when.isoformat(timespec="seconds"),
        "feedback_id": thumb["id"],
        "answer_id": thumb["answer_id"],
        "verdict": thumb["verdict"],
        "comment": clean_comment(comment),
    }


@dataclass
class RateLimit:
    """At most `events` writes per `seconds` for one session (a sliding window)."""

    events: int = 20
    seconds: float = 600.0
    times: list[float] = field(default_factory=list)

    def allow(self, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        self.times = [t for t in self.times if now - t < self.seconds]
        if len(self.times) >= self.events:
            return False
        self.times.append(now)
        return True


class FeedbackLog:
    """Appends records to a JSONL file, rotating it at `max_bytes` and keeping `backups` old files."""

    def __init__(self, path: Path, max_bytes: int = MAX_BYTES, backups: int = BACKUPS) -> None:
        self.path, self.max_bytes, self.backups = Path(path), max_bytes, backups
        self._lock = threading.Lock()

    def append(self, record: dict[str, Any]) -> None:
        line = (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8")
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            size = self.path.stat().st_size if self.path.exists() else 0
            if size and size + len(line) > self.max_bytes:
                self._rotate()
            with self.path.open("ab") as handle:
                handle.write(line)

    def _rotate(self) -> None:
        """feedback.jsonl -> .1 -> .2 …; the oldest beyond `backups` is dropped."""
        for i in range(self.backups, 0, -1):
            older = self.path.with_name(f"{self.path.name}.{i}")
            if i == self.backups:
                older.unlink(missing_ok=True)
            elif older.exists():
                older.replace(self.path.with_name(f"{self.path.name}.{i + 1}"))
        if self.backups:
            self.path.replace(self.path.with_name(f"{self.path.name}.1"))
        else:
            self.path.unlink()


@dataclass
class SessionFeedback:
    """One browser session's view of feedback: its rate limit and the thumbs it wrote."""

    limit: RateLimit = field(default_factory=RateLimit)
    thumbs: dict[str, dict[str, Any]] = field(default_factory=dict)  # answer id -> last thumb record

    def thumb(self, log: FeedbackLog, answer_id: str, answer: dict[str, Any], liked: Any) -> dict[str, Any] | None:
        """Write a thumb for an answer this session was given; None when over the rate limit."""
        if not self.limit.allow():
            return None
        record = feedback_record(answer_id, answer, liked, datetime.now(timezone.utc))
        log.append(record)
        self.thumbs[answer_id] = record
        return record

    def comment(self, log: FeedbackLog, answer_id: str, comment: Any) -> dict[str, Any] | None:
        """Add a comment to this session's thumb on that answer; None if there is none, it is
        empty, or the session is over the rate limit."""
        thumb = self.thumbs.get(answer_id)
        if thumb is None or not clean_comment(comment) or not self.limit.allow():
            return None
        record = comment_record(thumb, comment, datetime.now(timezone.utc))
        log.append(record)
        return record
