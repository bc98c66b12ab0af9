"""Input checks (inputs.py) and the JSONL stream (batch.py), fuzzed with hypothesis.

Properties: every question, turn list, API call and JSONL line is either accepted as
clean text or refused with one line that names the problem once; the stream gives one
JSON object of valid UTF-8 per input line, in order. These run without the model: the
stream's answering step is a stand-in that echoes the turns (the real answering path is
fuzzed in test_fuzz.py, with fewer examples).
"""

from __future__ import annotations

import io
import json
import re
import unicodedata

import pytest
from hypothesis import example, given
from hypothesis import settings as fuzz_settings
from hypothesis import strategies as st

from fuzzing import EXAMPLES, json_value, jsonl_line, nasty_text
from assistant.batch import answer_lines, encode, read_lines
from assistant.inputs import (
    MAX_QUESTION_CHARS,
    MAX_TURNS,
    LineError,
    Request,
    UserError,
    check_api_call,
    check_question,
    check_turns,
    is_blank,
    parse_line,
)


def assert_clean(text: str) -> None:
    """Text fit to answer: non-empty, bounded, one line, visible, encodable as UTF-8."""
    assert text and len(text) <= MAX_QUESTION_CHARS
    assert text == " ".join(text.split())
    assert not any(unicodedata.category(ch) in ("Cf", "Cc", "Cs") for ch in text)
    text.encode("utf-8")


def assert_one_line(message: str) -> None:
    assert message and "\n" not in message and "\r" not in message
    assert "Traceback" not in message
    assert not re.search(r"(line \d+: ){2}|(turn \d+: ){2}", message), message


# --- Hand-worked cases (from the probe in issue 9) ---------------------------------------


@pytest.mark.parametrize("question", ["\u200b", "\ufeff", " \u200b\ufeff\u200e ", "\x00", "\t\r\n"])
def test_invisible_only_questions_are_empty(question: str) -> None:
    with pytest.raises(UserError, match="empty"):
        check_question(question)


def test_question_is_cleaned() -> None:
    assert check_question("  How many\u200b delegations?\r\n ") == "How many delegations?"


@pytest.mark.parametrize("question, word", [("\ud800", "surrogate"), (None, "null"), (5, "number"), (["q"], "list"), ("x" * 1001, "too long")])
def test_bad_questions_are_refused_with_a_reason(question: object, word: str) -> None:
    with pytest.raises(UserError, match=word):
        check_question(question)


@pytest.mark.parametrize(
    "line, why",
    [
        (b"\x1c", "not valid JSON"),
        (b'{"question": "Who won?", "turns": [1, 2]}', 'give "question" or "turns", not both'),
        (b'{"id": 1, "turns": 5}', "turns must be a list of questions, not a number"),
        (b'{"id": 1, "turns": ["a", 2]}', "turn 2: the question must be text, not a number"),
        (b"\xff\xfe", "not valid UTF-8"),
        (b'{"question": "\\ud800"}', "lone surrogate"),
        (b'{"id": "\\udc00", "question": "Who won?"}', '"id" is not valid text'),
        (b"[" * 5000, "nested too deeply"),
        (b'{"id": ' + b"9" * 5000 + b"}", "too large"),
        (b'{"id": NaN, "question": "Who?"}', "NaN is not a JSON number"),
        (b'{"question": "a", "question": "b"}', '"question" is given twice'),
        (b"[1, 2]", "expected a JSON object"),
        (b'{"id": 1, "question": "a\rb"}', "not valid JSON"),
        (b'{"id": 1}', 'needs a "question"'),
    ],
)
def test_ambiguous_or_broken_lines_are_refused(line: bytes, why: str) -> None:
    result = parse_line(line, 7)
    assert isinstance(result, LineError)
    assert result.error.startswith("line 7: ") and why in result.error
    assert_one_line(result.error)


def test_unknown_keys_are_ignored() -> None:
    result = parse_line(b'{"id": "q", "question": "Who won the Nitto ATP Finals?", "invalid": "boom"}', 1)
    assert result == Request("q", ["Who won the Nitto ATP Finals?"])


def test_too_many_turns_are_refused() -> None:
    with pytest.raises(UserError, match="too many turns"):
        check_turns(["Who won?"] * 500)
    with pytest.raises(UserError, match="too many turns"):
        check_api_call("And then?", json.dumps(["Who won?"] * MAX_TURNS))


def test_a_raw_cr_stays_inside_its_line_and_long_lines_are_skipped_unread() -> None:
    source = io.BytesIO(b'{"a": "x\rz"}\n' + b"y" * 5000 + b"\nlast")
    assert list(read_lines(source, limit=100)) == [(1, b'{"a": "x\rz"}\n'), (2, None), (3, b"last")]


# --- Properties -----------------------------------------------------------------------


@fuzz_settings(max_examples=EXAMPLES)
@given(st.one_of(nasty_text, json_value))
@example("\ud800")
@example("\u200b\ufeff")
@example(None)
@example("q" * 100_000)
def test_check_question_cleans_or_refuses_in_one_line(question: object) -> None:
    try:
        assert_clean(check_question(question))
    except UserError as e:
        assert_one_line(str(e))


@fuzz_settings(max_examples=EXAMPLES)
@given(st.one_of(st.lists(nasty_text, max_size=6), json_value, st.just(["Who won?"] * 500)))
def test_check_turns_cleans_or_refuses_in_one_line(turns: object) -> None:
    try:
        cleaned = check_turns(turns)
    except UserError as e:
        assert_one_line(str(e))
        return
    assert 1 <= len(cleaned) <= MAX_TURNS
    for turn in cleaned:
        assert_clean(turn)


@fuzz_settings(max_examples=EXAMPLES)
@given(st.one_of(nasty_text, json_value), st.one_of(nasty_text, json_value, st.lists(nasty_text, max_size=25).map(json.dumps)))
def test_api_call_arguments_are_turns_or_one_line(question: object, turns: object) -> None:
    try:
        asked = check_api_call(question, turns)
    except UserError as e:
        assert_one_line(str(e))
        return
    assert 1 <= len(asked) <= MAX_TURNS
    for turn in asked:
        assert_clean(turn)


@fuzz_settings(max_examples=EXAMPLES)
@given(jsonl_line, st.integers(1, 10**6))
def test_any_line_parses_to_a_request_or_one_line_error(line: bytes, number: int) -> None:
    result = parse_line(line, number)
    if result is None:
        assert is_blank(line)
    elif isinstance(result, LineError):
        assert result.error.startswith(f"line {number}: ")
        assert_one_line(result.error)
        encode(result.as_json()).decode("utf-8")
    else:
        assert 1 <= len(result.turns) <= MAX_TURNS
        for turn in result.turns:
            assert_clean(turn)
        encode({"id": result.id}).decode("utf-8")


def echo_answer(turns: list[str]) -> dict[str, object]:
    """Stand-in for the assistant: the stream's framing is under test here, not answers."""
    return {"question": turns[-1], "answer": f"{len(turns)} turn(s)"}


@fuzz_settings(max_examples=EXAMPLES)
@given(st.lists(jsonl_line, max_size=12), st.sampled_from([b"\n", b"\r\n"]), st.booleans())
def test_stream_gives_one_utf8_json_object_per_line_in_order(lines: list[bytes], newline: bytes, final_newline: bool) -> None:
    data = newline.join(lines) + (newline if final_newline else b"")
    sink = io.BytesIO()
    done, failed = answer_lines(echo_answer, io.BytesIO(data), sink)
    out = sink.getvalue().decode("utf-8").split("\n")
    assert out.pop() == ""
    expected = [n for n, raw in read_lines(io.BytesIO(data)) if raw is None or not is_blank(raw)]
    assert len(out) == done == len(expected)
    for n, text in zip(expected, out):
        obj = json.loads(text)
        assert isinstance(obj, dict) and "id" in obj
        if "error" in obj:
            assert obj["line"] == n and obj["error"].startswith(f"line {n}: ")
            assert_one_line(obj["error"])
        else:
            assert obj["answer"].endswith("turn(s)")
    assert failed == sum("error" in json.loads(t) for t in out)
