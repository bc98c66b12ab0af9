"""Check what users send before anything answers it: a question, a list of turns, one
line of a JSONL batch, one call of the page's API.

Everything here is cheap and pure: text in, a clean value or a `UserError` out, with a
one-line message that says what to fix and never repeats its own prefix. It does not
answer (see `service.py`) or read files (see `cli.py`).

    check_question("  How many\u200b delegations?  ") -> "How many delegations?"
    check_question("\ufeff")                            -> UserError("the question is empty: …")
    parse_line(b'{"id": 1, "question": "Who won?"}', 1) -> Request(id=1, turns=["Who won?"])
    parse_line(b'[1, 2]', 7)                            -> LineError(7, None, "line 7: expected …")
"""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass
from typing import Any


class UserError(ValueError):
    """A mistake the user can fix (empty question, bad input): one clear line, no traceback."""


MAX_QUESTION_CHARS = 1000
MAX_TURNS = 20  # earlier questions that set a follow-up's subject; more is a slow request, not a chat
MAX_ID_CHARS = 200
MAX_LINE_BYTES = 1 << 20  # a JSONL line longer than this is refused without being read whole
# Characters that are there but show nothing: zero-width spaces and joiners, BOM, marks.
_INVISIBLE = {"Cf"}
_CONTROL = {"Cc"}


def type_name(value: Any) -> str:
    """How a JSON value is called in a message: 'a number', 'null', 'a list'."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def has_surrogate(text: str) -> bool:
    """True for text Python can hold but UTF-8 cannot: a lone surrogate ('\\ud800')."""
    return any("\ud800" <= ch <= "\udfff" for ch in text)


def echoable(value: object, limit: int = MAX_QUESTION_CHARS) -> str | None:
    """What a user sent, fit to echo back in an error: text only, cut to `limit`, lone
    surrogates as U+FFFD (JSON and UTF-8 carry it)."""
    if not isinstance(value, str):
        return None
    return "".join("\ufffd" if "\ud800" <= ch <= "\udfff" else ch for ch in value[:limit])


def clean_text(text: str) -> str:
    """Invisible characters dropped, control characters and runs of space made one space."""
    kept = []
    for ch in text:
        category = unicodedata.category(ch)
        if category in _INVISIBLE:
            continue
        kept.append(" " if category in _CONTROL else ch)
    return " ".join("".join(kept).split())


def check_question(question: object) -> str:
    """The question, cleaned; or a UserError saying what is wrong with it."""
    if question is None or not isinstance(question, str):
        raise UserError(f"the question must be text, not {type_name(question)}")
    if len(question) > 10 * MAX_QUESTION_CHARS:  # refuse before looking at every character
        raise UserError(f"the question is too long ({len(question):,} characters; at most {MAX_QUESTION_CHARS:,})")
    if has_surrogate(question):
        raise UserError("the question is not valid text (it holds a lone surrogate, e.g. \\ud800)")
    q = clean_text(question)
    if not q:
        raise UserError("the question is empty: ask something about the report")
    if len(q) > MAX_QUESTION_CHARS:
        raise UserError(f"the question is too long ({len(q):,} characters; at most {MAX_QUESTION_CHARS:,})")
    return q


def check_turns(turns: object) -> list[str]:
    """A conversation: a non-empty list of at most MAX_TURNS questions, each cleaned."""
    if not isinstance(turns, list):
        raise UserError(f"turns must be a list of questions, not {type_name(turns)}")
    if not turns:
        raise UserError("turns is empty: give at least one question")
    if len(turns) > MAX_TURNS:
        raise UserError(f"too many turns ({len(turns):,}; at most {MAX_TURNS})")
    cleaned = []
    for n, turn in enumerate(turns, 1):
        try:
            cleaned.append(check_question(turn))
        except UserError as e:
            raise UserError(f"turn {n}: {e}") from None
    return cleaned


def check_id(value: object) -> str | int | float | None:
    """A request id to echo back: text, a number or null, that JSON and UTF-8 can carry."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise UserError(f'"id" must be text or a number, not {type_name(value)}')
    if isinstance(value, str):
        if has_surrogate(value):
            raise UserError('"id" is not valid text (it holds a lone surrogate)')
        if len(value) > MAX_ID_CHARS:
            raise UserError(f'"id" is too long ({len(value):,} characters; at most {MAX_ID_CHARS})')
    elif isinstance(value, int) and len(str(abs(value))) > 30:
        raise UserError('"id" is too large a number')
    return value


# --- One JSONL line -----------------------------------------------------------------


@dataclass(frozen=True)
class Request:
    """A line that can be answered: the turns of a conversation (one for a question)."""

    id: str | int | float | None
    turns: list[str]


@dataclass(frozen=True)
class LineError:
    """A line that cannot be answered, with the id it gave (when it could be read)."""

    line: int
    id: str | int | float | None
    error: str

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "line": self.line, "error": self.error}


class _Duplicate(ValueError):
    pass


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    for key, value in pairs:
        if key in seen and key in ("id", "question", "turns"):
            raise _Duplicate(f'"{key}" is given twice')
        seen[key] = value
    return seen


def _refuse_constant(name: str) -> None:
    raise ValueError(f"{name} is not a JSON number")


def read_json(text: str) -> Any:
    """json.loads, with everything it can throw on hostile text as a ValueError of one line."""
    try:
        return json.loads(text, object_pairs_hook=_no_duplicate_keys, parse_constant=_refuse_constant)
    except _Duplicate:
        raise
    except json.JSONDecodeError as e:
        raise ValueError(f"not valid JSON ({e.msg.removesuffix(' at')} at column {e.colno})") from None
    except RecursionError:
        raise ValueError("JSON nested too deeply") from None
    except ValueError as e:  # integers over Python's digit limit, NaN/Infinity
        if "digits" in str(e):
            raise ValueError("a number in it is too large to read") from None
        raise ValueError(f"not valid JSON ({one_line(str(e))})") from None


def is_blank(raw: bytes) -> bool:
    """A line of JSON's whitespace only (space, tab, CR, LF): skipped, not an error.
    Other characters Python calls space (\x1c, U+2028, NBSP) make a line that is not JSON."""
    return not raw.strip(b" \t\r\n")


def parse_line(raw: bytes, number: int) -> Request | LineError | None:
    """One line of a JSONL batch as a request, an error for that line, or None if blank.

    A line is {"id": …, "question": "…"} or {"id": …, "turns": ["…", …]}; other keys are
    ignored. Giving both, a wrong type, a duplicate key or text that is not UTF-8 is an
    error for that line only.
    """
    prefix = f"line {number}: "
    if is_blank(raw):
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        return LineError(number, None, f"{prefix}not valid UTF-8 (byte 0x{raw[e.start]:02x} at position {e.start})")
    try:
        obj = read_json(text)
    except ValueError as e:
        return LineError(number, None, one_line(prefix + str(e)))
    if not isinstance(obj, dict):
        return LineError(number, None, f'{prefix}expected a JSON object with "question" or "turns", not {type_name(obj)}')
    try:
        ident = check_id(obj.get("id"))
    except UserError as e:
        return LineError(number, None, prefix + str(e))
    try:
        return Request(ident, request_turns(obj))
    except UserError as e:
        return LineError(number, ident, one_line(prefix + str(e)))


def request_turns(obj: dict[str, Any]) -> list[str]:
    """The turns a request object asks: its "question", or its "turns", never both."""
    has_question, has_turns = "question" in obj, "turns" in obj
    if has_question and has_turns:
        raise UserError('give "question" or "turns", not both')
    if has_turns:
        return check_turns(obj["turns"])
    if has_question:
        return [check_question(obj["question"])]
    raise UserError('needs a "question" (text) or "turns" (a list of questions)')


def one_line(message: str) -> str:
    return " ".join(message.split())


# --- The page's API -------------------------------------------------------------------


def check_api_call(question: object, turns: object) -> list[str]:
    """The /ask API's two arguments (a question; earlier questions as a JSON list, or a
    list, or '' for none) as the turns to answer."""
    q = check_question(question)
    if turns is None or (isinstance(turns, str) and not turns.strip()):
        return [q]
    if isinstance(turns, str):
        if len(turns) > MAX_TURNS * 10 * MAX_QUESTION_CHARS:
            raise UserError(f"turns is too long ({len(turns):,} characters)")
        try:
            turns = read_json(turns)
        except ValueError as e:
            raise UserError(f"turns: {one_line(str(e))}") from None
    if isinstance(turns, list) and len(turns) + 1 > MAX_TURNS:
        raise UserError(f"too many turns ({len(turns) + 1:,} with this question; at most {MAX_TURNS})")
    if isinstance(turns, list) and not turns:
        return [q]
    return check_turns(turns) + [q]
