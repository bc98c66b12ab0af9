"""Read a follow-up in the light of the earlier turns: "And who won it?" -> "who won Nitto ATP Finals?".

A separate step, so that an LLM-based rewriter can replace it: anything with a
`rewrite(question, history) -> str` method will do. `history` holds the earlier turns
as (question as understood, answer) pairs, oldest first.

The rule-based rewriter here carries the subject over:
- "What about Lyon?" / "And Lyon?" -> the previous question with its name replaced by Lyon;
- a pronoun ("it", "he", "there", ...) -> the subject of the previous turn (a name in
  the previous question, or the heading the previous answer came from, or the person
  it named);
- a question that stands on its own is left as it is.
"""

from __future__ import annotations

import re
from typing import Protocol, Sequence

from .answering import question_names
from .records import Answer

PERSON_PRONOUNS = r"\b(he|she|him|his|her)\b"
THING_PRONOUNS = r"\b(it|its|they|them|their|there|that event|this event|the event|that|this)\b"
PERSON = re.compile(r"\b([A-Z][a-zà-ÿ]+(?: [A-Z][a-zà-ÿ]+)+)\b")


class Rewriter(Protocol):
    def rewrite(self, question: str, history: Sequence[tuple[str, Answer]]) -> str: ...


def main_name(question: str) -> str:
    """The longest name in a question, as written."""
    spans = [m.group(0) for m in re.finditer(r"[A-Z][\w'’.&-]*(?:\s+(?:of\s+|de\s+|the\s+)?[A-Z0-9][\w'’.&-]*)*", question)]
    spans = [s for s in spans if s.split()[0].lower() not in {"what", "which", "who", "when", "where", "how", "and", "in", "on", "did", "does", "is", "was"}]
    return max(spans, key=len) if spans else ""


def _subject(history: Sequence[tuple[str, Answer]]) -> str:
    """What the last turn was about: what its answer named, if it asked 'which…?', else
    the name in its question, else the heading its answer came from."""
    understood, answer = history[-1]
    heading = re.split(r",\s*\d|:\s", answer.citations[0].heading)[0] if answer.citations else ""
    name = main_name(understood)
    if heading and (not name or re.match(r"^\s*(which|what)(\s+\w+){1,3}\s+(is|was|did|does|has)\b", understood, re.I)):
        return heading
    return name or heading


def _in_place_of(pronoun: str, subject: str) -> str:
    """'there' -> 'at X', 'its' -> "X's", 'it' -> 'X'."""
    word = pronoun.lower()
    if word == "there":
        return f"at {subject}"
    if word in {"its", "their"}:
        return f"{subject}'s"
    return subject


class RuleRewriter:
    """Carry the subject of the conversation into a follow-up question."""

    def rewrite(self, question: str, history: Sequence[tuple[str, Answer]]) -> str:
        q = question.strip()
        if not history:
            return q
        previous, answer = history[-1]
        m = re.match(r"^(?:and\s+)?(?:what|how)\s+about\s+(.+?)\??$|^and\s+(.+?)\?$", q, re.I)
        if m and len((m.group(1) or m.group(2)).split()) <= 6 and not re.search(THING_PRONOUNS, (m.group(1) or m.group(2)), re.I):
            new = (m.group(1) or m.group(2)).strip()
            first = new.split()[0]
            if first in {"for", "in", "at", "on", "to", "from", "with", "during", "by"}:
                if f" {first} " not in previous:
                    return f"{previous.rstrip('?')} {new}?"
                # 'And for the second round?' after '…for the first round?': swap the like phrase.
                words = previous.rstrip("?").split()
                at = len(words) - 1 - words[::-1].index(first)
                return " ".join(words[:at] + new.split() + words[at + len(new.split()) :]) + "?"
            old = main_name(previous)
            if old and old in previous:
                if re.search(rf"\bthe {re.escape(old)}", previous):
                    new = re.sub(r"^the\s+", "", new, flags=re.I)  # '…the Nitto ATP Finals' -> '…the Book Fair'
                return previous.replace(old, new, 1)
            return f"{previous.rstrip('?')} {new}?"
        body = re.sub(r"^and\s+", "", q, flags=re.I)
        body = body[:1].upper() + body[1:]
        if re.search(PERSON_PRONOUNS, body, re.I):
            people = [p for p in PERSON.findall(answer.answer) if p not in previous and p.split()[0] not in {"The", "A", "In", "On"}]
            person = max(people, key=lambda p: len(p.split()), default="")
            if person:
                body = re.sub(PERSON_PRONOUNS, person, body, count=1, flags=re.I)
                subject = _subject(history)
                return f"{body.rstrip('?')} ({subject})?" if subject and subject not in body else body
        if re.search(THING_PRONOUNS, body, re.I):
            subject = _subject(history)
            if subject and not question_names(body):
                return re.sub(THING_PRONOUNS, lambda m: _in_place_of(m.group(0), subject), body, count=1, flags=re.I)
            if subject and subject not in body:
                return f"{body.rstrip('?')} ({subject})?"
        if body != q or (not question_names(body) and len(body.split()) <= 6):
            subject = _subject(history)
            if subject and subject not in body:
                return f"{body.rstrip('?')} ({subject})?"
        return body if body != q else q
