"""Answer a JSONL batch as a stream: one line read, answered, written and flushed before
the next is read, so the first answer comes as soon as its line does and memory stays
flat however long the input.

Every non-blank input line gives exactly one JSON object on one output line, in input
order: the answer (with the line's "id"), or {"id", "line", "error"} with a one-line
reason. Output is UTF-8 that any JSON reader takes. Parsing and checks are in
`inputs.py`; answering is the `Assistant`'s.
"""

from __future__ import annotations

import json
from typing import Any, BinaryIO, Callable, Iterator

from .inputs import MAX_LINE_BYTES, LineError, UserError, one_line, parse_line

READ_STEP = 1 << 16


def read_lines(source: BinaryIO, limit: int = MAX_LINE_BYTES) -> Iterator[tuple[int, bytes | None]]:
    """(line number, its bytes) for each line split at b"\\n" only (a raw CR stays inside
    its line); None for a line longer than `limit`, which is skipped without being kept."""
    number = 0
    while True:
        raw = source.readline(limit + 1)
        if not raw:
            return
        number += 1
        if len(raw) > limit and not raw.endswith(b"\n"):
            while raw and not raw.endswith(b"\n"):  # drain the rest of the long line
                raw = source.readline(READ_STEP)
            yield number, None
            continue
        yield number, raw


# Line ends to `str.splitlines` and to JavaScript that JSON leaves unescaped: NEL, LS, PS.
LINE_BREAKS = {ord(c): f"\\u{ord(c):04x}" for c in "\x85\u2028\u2029"}


def encode(obj: dict[str, Any]) -> bytes:
    """One JSON line as UTF-8 bytes; text UTF-8 cannot hold is written as \\u escapes, and
    so are the characters besides "\\n" that many readers take for line ends (`LINE_BREAKS`)."""
    try:
        text = json.dumps(obj, ensure_ascii=False).translate(LINE_BREAKS)
        return (text + "\n").encode("utf-8")
    except UnicodeEncodeError:
        return (json.dumps(obj, ensure_ascii=True) + "\n").encode("ascii")


def answer_lines(
    ask: Callable[[list[str]], dict[str, Any]],
    source: BinaryIO,
    sink: BinaryIO,
    warn: Callable[[str], None] = lambda s: None,
) -> tuple[int, int]:
    """Answer every line of `source` into `sink` with `ask(turns) -> answer JSON`;
    return (lines answered or refused, lines that failed). Never raises for a line."""
    done = failed = 0
    for number, raw in read_lines(source):
        if raw is None:
            item: Any = LineError(number, None, f"line {number}: longer than {MAX_LINE_BYTES:,} bytes")
        else:
            item = parse_line(raw, number)
        if item is None:
            continue
        if isinstance(item, LineError):
            out = item.as_json()
        else:
            out = _answer(ask, item.turns, item.id, number)
        done += 1
        if "error" in out:
            failed += 1
            warn(out["error"])
        sink.write(encode(out))
        sink.flush()
    return done, failed


def _answer(ask: Callable[[list[str]], dict[str, Any]], turns: list[str], ident: Any, number: int) -> dict[str, Any]:
    try:
        return {"id": ident, **ask(turns)}
    except UserError as e:
        return {"id": ident, "line": number, "error": one_line(f"line {number}: {e}")}
    except Exception as e:  # noqa: BLE001 - one line's failure must not end the batch or show a traceback
        return {"id": ident, "line": number, "error": f"line {number}: could not be answered ({type(e).__name__})"}
