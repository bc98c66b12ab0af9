"""Feedback storage: records come from the answer the server issued, comments are cut,
each session is rate-limited, and the file rotates instead of growing without bound."""

import json

import pytest

from assistant.feedback import MAX_COMMENT_CHARS, FeedbackLog, RateLimit, SessionFeedback
from assistant.records import Answer, Citation

ANSWER = Answer(
    question="How many foreign delegations came?",
    answer="In 2024 the City received 48 foreign delegations. [1]",
    abstained=False,
    citations=[Citation(1, "3.2", "Foreign delegations", "Foreign delegations", "34", "48 foreign delegations", 10, 40)],
).as_json()


def lines(path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []


def test_a_thumb_is_built_from_the_issued_answer_and_a_comment_joins_it(tmp_path) -> None:
    log, session = FeedbackLog(tmp_path / "feedback.jsonl"), SessionFeedback()
    thumb = session.thumb(log, "a1", ANSWER, "down")
    comment = session.comment(log, "a1", "  It missed the 2023 figure.  ")
    first, second = lines(log.path)
    assert first == thumb and first["verdict"] == "down" and first["answer_id"] == "a1"
    assert first["question"] == ANSWER["question"] and first["citations"][0]["section"] == "3.2"
    assert second == comment and second["feedback_id"] == first["id"] and second["comment"] == "It missed the 2023 figure."


def test_a_comment_without_a_thumb_or_with_no_text_is_not_written(tmp_path) -> None:
    log, session = FeedbackLog(tmp_path / "feedback.jsonl"), SessionFeedback()
    assert session.comment(log, "never-rated", "hello") is None
    session.thumb(log, "a1", ANSWER, "up")
    assert session.comment(log, "a1", "   ") is None
    assert len(lines(log.path)) == 1


def test_fifty_one_megabyte_payloads_grow_the_file_by_less_than_100_kb(tmp_path) -> None:
    log, session = FeedbackLog(tmp_path / "feedback.jsonl"), SessionFeedback()
    payload = "x" * 1_000_000
    for i in range(50):
        session.thumb(log, f"a{i}", ANSWER, "down")
        session.comment(log, f"a{i}", payload)
    assert log.path.stat().st_size < 100_000
    assert all(len(r.get("comment", "")) <= MAX_COMMENT_CHARS for r in lines(log.path))


def test_a_session_is_rate_limited() -> None:
    limit = RateLimit(events=3, seconds=60)
    assert [limit.allow(now=t) for t in (0, 1, 2, 3)] == [True, True, True, False]
    assert limit.allow(now=61)  # the window has moved on


def test_the_file_rotates_at_its_size_limit(tmp_path) -> None:
    log = FeedbackLog(tmp_path / "feedback.jsonl", max_bytes=2_000, backups=2)
    for i in range(40):
        log.append({"i": i, "pad": "y" * 100})
    sizes = [p.stat().st_size for p in (log.path, log.path.with_name("feedback.jsonl.1"))]
    assert all(0 < s <= 2_000 for s in sizes)
    assert not log.path.with_name("feedback.jsonl.3").exists()
    assert lines(log.path)[-1]["i"] == 39


def test_an_unknown_thumb_is_refused() -> None:
    with pytest.raises(ValueError):
        SessionFeedback().thumb(FeedbackLog("/nonexistent/never-written.jsonl"), "a1", ANSWER, "sideways")
