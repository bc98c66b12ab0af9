"""The reader seam: passages -> a cited `Answer`, or an abstention.

A reader gets the question as understood, the retrieved passages (best first) and the
conversation so far, and returns an `Answer` whose citations point at report units.
Readers are chosen by the `reader` setting ("extractive", the default, or "llm") and
wired in `service.build_assistant`; nothing else imports a reader's internals.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Protocol, Sequence

from .records import Answer, Citation
from .retrieval import Hit
from .text import AUXILIARY, PREPOSITION


@dataclass(frozen=True)
class Turn:
    """One answered turn: what was asked, how it was understood, and the answer given."""

    question: str
    understood: str
    answer: Answer


@dataclass
class Conversation:
    """The turns so far, oldest first. Readers and rewriters look only at the last few."""

    turns: list[Turn] = field(default_factory=list)

    @property
    def last(self) -> Turn | None:
        return self.turns[-1] if self.turns else None


class Reader(Protocol):
    """Writes the answer from passages. `name` goes into the JSON as `reader`."""

    name: str

    def answer(self, question: str, passages: Sequence[Hit], conversation: Conversation) -> Answer: ...


PART_BREAK = re.compile(
    rf",?\s+and\s+(?=(?:when|where|who|whom|how|which|what|since)\b|(?:{PREPOSITION})\s+(?:which|what|whom)\b|(?:{PREPOSITION})\s+how\b[^,?]*,)",
    re.I)


# Where a part's question phrase ends and its clause begins: 'how many delegates | did …'.
CLAUSE_START = re.compile(rf"\b(?:{AUXILIARY})\b", re.I)
# A later part's question phrase set off by a comma from the clause the parts share:
# '…, and from how many classes, | did…', '…, and how many teams, | took part in…'.
SET_OFF = re.compile(rf"^((?:(?:{PREPOSITION})\s+)?(?:how|which|what|when|where|who|whom)\b[^,]{{0,30}}),\s*", re.I)


def split_parts(question: str) -> list[str]:
    """'How many members…, and when did Torino join?' -> ['How many members…?', 'when did Torino join?']

    A part that is only a question phrase shares the other part's clause: 'When and where
    was it held?' -> ['When was it held?', 'where was it held?']; so does one set off by
    commas: 'How many stalls, and from how many towns, did the fair draw?'."""
    parts = [p.strip(" ,?") for p in PART_BREAK.split(question) if p.strip(" ,?")]
    if len(parts) < 2:
        return [question]
    clauses: list[int | None] = []  # where each part's clause begins
    for i, part in enumerate(parts):
        phrase = SET_OFF.match(part) if i else None
        if phrase:
            parts[i] = f"{phrase.group(1)} {part[phrase.end():]}"
            clauses.append(len(phrase.group(1)) + 1)
        else:
            clause = CLAUSE_START.search(part)
            clauses.append(clause.start() if clause else None)
    for i, part in enumerate(parts[:-1]):
        at = clauses[i + 1]
        if not CLAUSE_START.search(part) and len(part.split()) <= 4 and at is not None:
            parts[i] = f"{part} {parts[i + 1][at:]}"
    return [f"{p}?" for p in parts]


def merge_answers(question: str, answers: Sequence[Answer]) -> Answer:
    """One answer from the answers to each part, citations renumbered and not repeated."""
    texts: list[str] = []
    shorts: list[str] = []
    citations: list[Citation] = []
    for part in answers:
        if part.abstained:
            continue
        renumber: dict[int, int] = {}
        for c in part.citations:
            same = next((d for d in citations if (d.start, d.end) == (c.start, c.end)), None)
            if same is None:
                same = Citation(len(citations) + 1, c.section, c.section_title, c.heading, c.pages,
                                c.quote, c.start, c.end, c.passage)
                citations.append(same)
            renumber[c.n] = same.n
        text = re.sub(r"\[(\d+)\]", lambda m: f"[{renumber.get(int(m.group(1)), m.group(1))}]", part.answer)
        if text not in texts:  # two parts answered by the same sentences say them once
            texts.append(text)
        if part.short_answer not in shorts:
            shorts.append(part.short_answer)
    if not texts:
        first = answers[0]
        return Answer(question, first.answer, True, [], qtype=first.qtype, suggestions=first.suggestions,
                      reader=first.reader)
    unanswered = [a.question for a in answers if a.abstained]
    if unanswered:
        texts.append("The report does not say " + "; ".join(f"“{q}”" for q in unanswered) + ".")
    support = min(a.support for a in answers if not a.abstained)
    return Answer(question, " ".join(texts), False, citations, qtype=answers[0].qtype, support=support,
                  short_answer="; ".join(s for s in shorts if s), reader=answers[0].reader)


def quoted_as(answer: Answer) -> list[str]:
    """How the answer gives each of its quotes, in order: with the heading or date it adds
    ('(Harbour Regatta, 3 May) The race drew eight crews.'), without a short answer in front."""
    text = answer.answer
    if answer.short_answer and text.startswith(answer.short_answer + ": "):
        text = text[len(answer.short_answer) + 2:]
    text = text.removeprefix("The report gives two accounts: ")
    return [part.strip().removeprefix("- ") for part in re.split(r"\s*\[\d+\]", text) if part.strip()]


def closest_sections(passages: Sequence[Hit]) -> list[dict[str, str]]:
    """The first three sections among the passages, best first."""
    seen: dict[str, dict[str, str]] = {}
    for hit in passages:
        c = hit.chunk
        seen.setdefault(c.section_id, {"section": c.section_id, "section_title": c.section_title, "heading": c.heading})
    return list(seen.values())[:3]


def abstain(question: str, qtype: str, passages: Sequence[Hit], support: float, why: str = "",
            reader: str = "extractive") -> Answer:
    """Every reader's way of declining: "The report does not say.", and the closest sections."""
    suggestions = closest_sections(passages)
    text = "The report does not say." + (f" {why}" if why else "")
    if suggestions:
        text += " The closest sections are " + "; ".join(f"§{s['section']} {s['section_title']}" for s in suggestions) + "."
    return Answer(question, text, True, [], qtype=qtype, suggestions=suggestions, support=support, reader=reader)
