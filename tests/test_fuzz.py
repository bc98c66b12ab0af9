"""The real answering path fuzzed with hypothesis: follow-up conversations through
`Assistant.ask_turns` (the rewriter included), the page's /ask function, and JSONL lines
answered by the real assistant. Each answer costs ~30 ms, so these run
ANSWER_EXAMPLES (200 in the "ci" profile) rather than the thousands of test_inputs.py.

Property: an answer that JSON and UTF-8 can carry, or a one-line error; never a
traceback, never a hang (hypothesis' deadline is off; the per-example time is bounded
by the limits on question length and turns).
"""

from __future__ import annotations

import io
import json
import time

import pytest
from hypothesis import given
from hypothesis import settings as fuzz_settings
from hypothesis import strategies as st

from fuzzing import ANSWER_EXAMPLES, REPORT_WORDS, json_value, jsonl_line, nasty_text
from assistant.batch import answer_lines
from assistant.inputs import UserError, check_turns, is_blank

# Mostly real questions and follow-ups, with hostile text mixed in.
turn = st.one_of(st.sampled_from(REPORT_WORDS), nasty_text)


def assert_answer_json(obj: dict) -> None:
    text = json.dumps(obj, ensure_ascii=False)
    text.encode("utf-8")
    assert isinstance(obj["answer"], str) and obj["answer"].strip()
    assert isinstance(obj["abstained"], bool)
    for c in obj["citations"]:
        assert c["section"] and c["quote"]


def assert_one_line(message: str) -> None:
    assert message and "\n" not in message and "Traceback" not in message


@fuzz_settings(max_examples=ANSWER_EXAMPLES)
@given(st.lists(turn, min_size=1, max_size=4))
def test_conversations_are_answered_or_refused_in_one_line(assistant, turns: list[str]) -> None:
    try:
        asked = check_turns(turns)
    except UserError as e:
        assert_one_line(str(e))
        return
    started = time.perf_counter()
    answer = assistant.ask_turns(asked)
    assert time.perf_counter() - started < 10
    assert_answer_json(answer.as_json())
    assert answer.understood_as.strip()


@pytest.fixture(scope="module")
def ask_api(assistant, settings):
    """The Python function behind the page's /ask endpoint (rate limit off)."""
    from assistant.app import create_app

    app = create_app(assistant, settings.model_copy(update={"rate_limit": 0}))
    return next(f.fn for f in app.fns.values() if f.api_name == "ask")


@fuzz_settings(max_examples=ANSWER_EXAMPLES)
@given(
    st.one_of(turn, json_value),
    st.one_of(st.just(""), st.lists(turn, max_size=3).map(json.dumps), json_value, nasty_text,
              st.just(json.dumps(["Who won?"] * 500))),
)
def test_page_api_answers_or_explains_in_one_line(ask_api, question: object, turns: object) -> None:
    out = ask_api(question, turns, None)
    assert isinstance(out, dict)
    if "error" in out:
        assert_one_line(out["error"])
        json.dumps(out, ensure_ascii=False).encode("utf-8")
    else:
        assert_answer_json(out)


@fuzz_settings(max_examples=ANSWER_EXAMPLES)
@given(st.lists(st.one_of(jsonl_line, st.sampled_from(REPORT_WORDS).map(lambda q: json.dumps({"id": q, "question": q}).encode())), max_size=5))
def test_jsonl_lines_answered_by_the_assistant(assistant, lines: list[bytes]) -> None:
    sink = io.BytesIO()
    done, failed = answer_lines(lambda t: assistant.ask_turns(t).as_json(), io.BytesIO(b"\n".join(lines)), sink)
    out = [json.loads(line) for line in sink.getvalue().decode("utf-8").splitlines()]
    assert len(out) == done == sum(1 for line in lines if not is_blank(line))
    for obj in out:
        assert "id" in obj
        if "error" in obj:
            assert_one_line(obj["error"])
        else:
            assert_answer_json(obj)
