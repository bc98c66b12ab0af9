"""Turn the section tree into chunks: one per entry, or per part of a long entry.

A chunk never crosses an entry (so never two sections); a long entry is cut between
its units (sentences, list items). Each chunk's searchable text starts with its context,
so a table row keeps its meaning on its own:

    "Twinnings and agreements — <city> | <country> | <kind> (<year>)"

It does not embed or store anything: see `index.py`.
"""

from __future__ import annotations

from collections.abc import Iterable

from .corpus import Report
from .records import Chunk, Entry, Section, Unit


def context_of(section: Section, entry: Entry) -> str:
    """The words that place a chunk: table caption for rows, section and heading for prose."""
    if entry.kind == "row":
        return entry.group or section.title
    return f"{section.title} — {entry.heading}"


def _parts(units: list[Unit], max_chars: int) -> Iterable[list[Unit]]:
    """Greedy packing of whole units into parts of at most `max_chars` (a longer unit stands alone)."""
    part: list[Unit] = []
    size = 0
    for unit in units:
        if part and size + len(unit.text) + 1 > max_chars:
            yield part
            part, size = [], 0
        part.append(unit)
        size += len(unit.text) + 1
    if part:
        yield part


def chunk_entry(section: Section, entry: Entry, max_chars: int) -> list[Chunk]:
    context = context_of(section, entry)
    chunks = []
    for i, units in enumerate(_parts(entry.units, max_chars)):
        body = " ".join(u.text for u in units)
        separator = " — " if entry.kind == "row" else ": "
        chunks.append(
            Chunk(
                id=f"{entry.id}#{i}",
                text=f"{context}{separator}{body}",
                body=body,
                section_id=section.id,
                section_title=section.title,
                chapter_id=section.chapter_id,
                chapter_title=section.chapter_title,
                heading=entry.heading,
                pages=entry.pages,
                start=units[0].start,
                end=units[-1].end,
                entry_id=entry.id,
                kind=entry.kind,
                units=tuple(units),
                group=entry.group,
            )
        )
    return chunks


def chunk_report(report: Report, max_chars: int) -> list[Chunk]:
    return [
        chunk
        for section in report.sections
        for entry in section.entries
        for chunk in chunk_entry(section, entry, max_chars)
    ]
