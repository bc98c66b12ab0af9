"""Hypothesis profiles and strategies shared by the fuzz tests.

Profiles: "dev" (the default, quick), "ci" (selected when CI=true, or by
HYPOTHESIS_PROFILE=ci) runs at least 2,000 examples per property of the checkers and
the JSONL reader. HYPOTHESIS_EXAMPLES=N runs N instead (more, for a long soak).
Properties that go through the real answering path (~30 ms a question) run
ANSWER_EXAMPLES: 200 in "ci", 40 in "dev", or HYPOTHESIS_ANSWER_EXAMPLES=N.
"""

from __future__ import annotations

import json
import os

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

_SLOW_OK = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture]
settings.register_profile("dev", max_examples=300, deadline=None, suppress_health_check=_SLOW_OK)
settings.register_profile("ci", max_examples=2000, deadline=None, suppress_health_check=_SLOW_OK, print_blob=True)
PROFILE = os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI", "").lower() in ("1", "true") else "dev")
settings.load_profile(PROFILE)

EXAMPLES = int(os.environ.get("HYPOTHESIS_EXAMPLES") or settings().max_examples)
ANSWER_EXAMPLES = int(os.environ.get("HYPOTHESIS_ANSWER_EXAMPLES") or (200 if PROFILE == "ci" else 40))

REPORT_WORDS = [
    "How many foreign delegations visited Torino during 2024?", "Who won the Nitto ATP Finals?",
    "In which year did Torino become a member of ECCAR?", "Which French cities are twinned with Torino?", "And who won it?",
    "What about Lyon?", "How many spectators were there?", "And in 2023?", "Tell me more about it.",
    "Gwangju", "Eurocities", "Biennale Tecnologia", "Terra Madre", "the Book Fair", "he", "they", "its",
]

# Text as hostile users type it: any code point, lone surrogates, invisible and control
# characters, right-to-left marks, very long runs.
_nasty_char = st.one_of(
    st.characters(),
    st.integers(0xD800, 0xDFFF).map(chr),
    st.sampled_from(["\u200b", "\ufeff", "\u200e", "\u202e", "\u2028", "\x00", "\r", "\n", "\t", "\x1b", "\u00ad"]),
)
nasty_text = st.one_of(
    st.text(_nasty_char, max_size=60),
    st.sampled_from(REPORT_WORDS),
    st.builds(lambda a, b: f"{a} {b}", st.sampled_from(REPORT_WORDS), st.text(_nasty_char, max_size=20)),
    st.integers(990, 1010).map(lambda n: "x" * n),
    st.just("q" * 100_000),
)
json_scalar = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False, allow_infinity=False), nasty_text
)
json_value = st.recursive(
    json_scalar,
    lambda inner: st.one_of(st.lists(inner, max_size=5), st.dictionaries(st.sampled_from(["id", "question", "turns", "x"]) | st.text(max_size=5), inner, max_size=4)),
    max_leaves=20,
)
request_obj = st.fixed_dictionaries(
    {},
    optional={
        "id": st.one_of(json_scalar, st.lists(json_scalar, max_size=2)),
        "question": st.one_of(nasty_text, json_value),
        "turns": st.one_of(st.lists(nasty_text, max_size=4), json_value, st.just(["Who won?"] * 500)),
        "invalid": st.just("boom"),
    },
)


def _dump(value: object, ascii_only: bool) -> bytes:
    return json.dumps(value, ensure_ascii=ascii_only).encode("utf-8", errors="surrogatepass")


def _nested(depth: int) -> bytes:
    return b'{"question": ' + b"[" * depth + b"]" * depth + b"}"


# One JSONL line as bytes (without its newline): valid requests, wrong types, broken JSON,
# invalid UTF-8, NUL and CR, deep nesting, huge integers, arrays, numbers, null.
jsonl_line = st.one_of(
    st.builds(_dump, request_obj, st.booleans()),
    st.builds(_dump, json_value, st.booleans()),
    st.binary(max_size=80).map(lambda b: b.replace(b"\n", b"")),
    st.integers(500, 5000).map(_nested),
    st.integers(4301, 6000).map(lambda n: b'{"id": ' + b"9" * n + b', "question": "Who won?"}'),
    st.builds(lambda b, at: (lambda s: s[:at] + b + s[at:])(b'{"id": 1, "question": "Who won the Nitto ATP Finals?"}'),
              st.sampled_from([b"\x00", b"\r", b"\xff", b"\xc3", b"\xed\xa0\x80", b"\r\r"]), st.integers(0, 50)),
    st.sampled_from([b"null", b"1", b"[]", b'"question"', b"{}", b'{"turns": []}', b"NaN", b"  ", b""]),
)
