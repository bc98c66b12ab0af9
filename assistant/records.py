"""Plain records passed between the steps: report -> sections -> chunks -> answers.

They carry no framework objects, so every step (and every test) can build and read
them without importing llama-index, Chroma or Gradio.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Unit:
    """The smallest quotable span of the report: a sentence, a list item or a table row.

    `start`/`end` are character offsets into the report text as kept in `corpus/`.
    """

    text: str
    start: int
    end: int
    kind: str = "sentence"  # "sentence" | "row" | "item"


@dataclass
class Entry:
    """A recognisable piece of a section: a dated event, a network, a table row, a project."""

    id: str
    section_id: str
    heading: str
    units: list[Unit]
    kind: str = "prose"  # "prose" | "row"
    group: str = ""  # the table or list a row belongs to, e.g. "Twinnings and agreements"
    pages: str = ""

    @property
    def start(self) -> int:
        return self.units[0].start

    @property
    def end(self) -> int:
        return self.units[-1].end

    @property
    def text(self) -> str:
        return " ".join(u.text for u in self.units)


@dataclass
class Section:
    """A chapter or section from the contents page, with its entries."""

    id: str
    title: str
    pages: str
    start: int
    end: int
    chapter_id: str
    chapter_title: str
    entries: list[Entry] = field(default_factory=list)
    first_page: int = 0


@dataclass(frozen=True)
class Chunk:
    """What gets embedded and indexed: one entry, or one part of a long entry."""

    id: str
    text: str  # the text embedded and searched, with its context prefix
    body: str  # the report's own words, for display
    section_id: str
    section_title: str
    chapter_id: str
    chapter_title: str
    heading: str
    pages: str
    start: int
    end: int
    entry_id: str
    kind: str
    units: tuple[Unit, ...] = ()
    group: str = ""  # a row's table or list ("Consulates — Consulates General"); its entry_id is the row's id


    def metadata(self) -> dict[str, Any]:
        """Flat metadata, as a vector store wants it."""
        return {
            "section_id": self.section_id,
            "section_title": self.section_title,
            "chapter_id": self.chapter_id,
            "chapter_title": self.chapter_title,
            "heading": self.heading,
            "pages": self.pages,
            "start": self.start,
            "end": self.end,
            "entry_id": self.entry_id,
            "kind": self.kind,
            "group": self.group,
        }


@dataclass(frozen=True)
class Citation:
    n: int
    section: str
    section_title: str
    heading: str
    pages: str
    quote: str
    start: int
    end: int
    passage: str = ""

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Answer:
    """An answer with its structured citations; text and sources stay apart until display."""

    question: str
    answer: str
    abstained: bool
    citations: list[Citation] = field(default_factory=list)
    understood_as: str = ""
    qtype: str = ""
    suggestions: list[dict[str, str]] = field(default_factory=list)
    support: float = 0.0  # how well the best passage matched the question (abstains below a threshold)
    short_answer: str = ""  # the answer alone, a span of the cited sentence: "48 foreign delegations"
    reader: str = "extractive"  # which reader wrote it: "extractive" | "llm"
    claims_dropped: int = 0  # statements of a written answer that failed the check against their citations
    notice: str = ""  # a warning shown with the answer (e.g. the question is not in English)

    def as_json(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "understood_as": self.understood_as or self.question,
            "answer": self.answer,
            "short_answer": self.short_answer,
            "abstained": self.abstained,
            "type": self.qtype,
            "citations": [c.as_json() for c in self.citations],
            "closest_sections": self.suggestions,
            "support": round(self.support, 3),
            "reader": self.reader,
            "claims_dropped": self.claims_dropped,
            **({"notice": self.notice} if self.notice else {}),
        }
