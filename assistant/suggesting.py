"""Suggested next questions: about the entries next to the ones an answer cited.

A candidate is offered only after it has been asked, on its own, and answered from
the very entry it is about; a question the assistant would abstain on is never
offered. The cost is capped: at most `max_checks` questions are run per answer, and
none is started after `budget_s` seconds; every verdict is remembered for the next time.
"""

from __future__ import annotations

import re
import time
from typing import TYPE_CHECKING

from .browsing import entry_at, find_section
from .records import Answer, Entry

if TYPE_CHECKING:
    from .service import Assistant


def subject(entry: Entry) -> str:
    """What an entry is about, from its heading: 'Lille, 24 – 26 January' -> 'Lille',
    'UNESCO Creative Cities Network: Braga | XVI Annual Conference' -> 'UNESCO Creative Cities Network'."""
    heading = re.split(r" \| |: ", entry.heading)[0]
    return re.sub(r",\s*\d.*$", "", heading).strip()


def question_about(entry: Entry) -> str:
    return f"What does the report say about {subject(entry)}?"


def neighbours(assistant: "Assistant", answer: Answer, reach: int = 2) -> list[Entry]:
    """Entries beside the cited ones in their section, nearest first, none of them cited;
    then the first entries of the sections before and after (a section may have one entry)."""
    sections = assistant.report.sections
    cited: list[tuple[list[Entry], int]] = []
    around: list[Entry] = []
    for citation in answer.citations:
        section = find_section(assistant.report, citation.section)
        entry = entry_at(section, citation.start) if section else None
        if section and entry:
            cited.append((section.entries, section.entries.index(entry)))
            at = sections.index(section)
            around += [s.entries[0] for s in sections[max(0, at - 1) : at + 2] if s is not section and s.entries]
    taken = {entries[i].id for entries, i in cited}
    found: list[Entry] = []
    for distance in range(1, reach + 1):
        for entries, i in cited:
            for j in (i + distance, i - distance):
                if 0 <= j < len(entries) and entries[j].id not in taken:
                    taken.add(entries[j].id)
                    found.append(entries[j])
    for entry in around:
        if entry.id not in taken:
            taken.add(entry.id)
            found.append(entry)
    return found


class Suggester:
    """Offers up to `want` next questions that the assistant answers from their own entry."""

    def __init__(self, assistant: "Assistant", want: int = 3, max_checks: int = 4, budget_s: float = 1.5) -> None:
        self.assistant, self.want, self.max_checks, self.budget_s = assistant, want, max_checks, budget_s
        self._verdicts: dict[str, bool] = {}

    def answers_from(self, question: str, entry: Entry) -> bool:
        """Is the question answered (not abstained) with a citation inside the entry?"""
        if question not in self._verdicts:
            result = self.assistant.ask(question)
            self._verdicts[question] = not result.abstained and any(
                entry.start <= c.start < max(entry.end, entry.start + 1) for c in result.citations
            )
        return self._verdicts[question]

    def suggest(self, answer: Answer, asked: set[str]) -> list[str]:
        if answer.abstained:
            return []
        deadline = time.monotonic() + self.budget_s
        offered: list[str] = []
        checks = 0
        for entry in neighbours(self.assistant, answer):
            question = question_about(entry)
            if question in asked or question in offered or not subject(entry):
                continue
            if question not in self._verdicts:
                if checks >= self.max_checks or time.monotonic() > deadline:
                    break
                checks += 1
            if self.answers_from(question, entry):
                offered.append(question)
            if len(offered) >= self.want:
                break
        return offered
