"""Words for people: source labels, reply text to paste into an email, a Markdown variant,
and a whole conversation as Markdown.

Everything here is pure (records in, strings out) and knows nothing of Gradio or HTML;
`app.py` escapes what it takes from here before it puts it on the page. It does not
decide what an answer says, only how it reads once it is given.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Sequence

from .records import Answer, Citation
from .text import fold

PUBLISHER = "City of Torino"
REPORT_TITLE = "International Activities Annual Report 2024"
ROW_SEPARATOR = " | "


def pages_label(pages: str) -> str:
    """'34' -> 'p. 34', '26–33' -> 'pp. 26–33', '116 ff.' -> 'pp. 116 ff.'."""
    pages = pages.strip()
    if not pages or not pages[0].isdigit():
        return pages
    if pages.isdigit():
        return f"p. {pages}"
    return f"pp. {pages}"


def section_label(section_id: str, title: str) -> str:
    """'3.2', 'Foreign delegations' -> '§3.2 Foreign delegations'; an unnumbered part
    (the colophon) shows its title only, never its internal id."""
    if section_id[:1].isdigit():
        return f"§{section_id} {title}"
    return title


# --- Table rows ---------------------------------------------------------------------


def row_cells(citation: Citation) -> list[str] | None:
    """The cells of a cited table row, or None when the citation is prose.

    This is the one place that knows how a row is stored; when chunks carry their
    table as a field, only this function changes.
    """
    if ROW_SEPARATOR not in citation.quote:
        return None
    return [cell.strip() for cell in citation.quote.split(ROW_SEPARATOR)]


def _lower_first(text: str) -> str:
    """'Letter of intent' -> 'letter of intent'; a name stays as it is ('Horizon Europe',
    'EU'): only a capital that starts the cell and no other word is lowered."""
    words = text.split()
    if len(text) > 1 and text[0].isupper() and text[1].islower() and not any(w[:1].isupper() for w in words[1:]):
        return text[0].lower() + text[1:]
    return text


def row_sentence(cells: Sequence[str]) -> str:
    """['Cannes', 'France', 'Agreement (2000)'] -> 'Cannes (France): agreement, 2000'.

    The first cell names the row, the second qualifies it, the rest describe it;
    a trailing '(…)' becomes ', …' so the line reads as a sentence, not a table.
    """
    cells = [c for c in cells if c]
    if not cells:
        return ""
    if len(cells) == 1:
        return cells[0]
    name = cells[0] if len(cells) == 2 else f"{cells[0]} ({cells[1]})"
    rest = cells[1:] if len(cells) == 2 else cells[2:]
    described = [re.sub(r"\s*\(([^()]*)\)$", r", \1", _lower_first(c)) for c in rest]
    return f"{name}: {'; '.join(described)}"


def readable_text(answer: Answer) -> str:
    """The answer's words as a person reads them: cited table rows as sentences, and an
    abstention's unnumbered sections by title ('Colophon', not '§colophon Colophon')."""
    text = answer.answer.strip()
    for citation in answer.citations:
        cells = row_cells(citation)
        if cells:
            text = text.replace(citation.quote, row_sentence(cells))
    for suggestion in answer.suggestions:
        section_id = suggestion.get("section", "")
        if section_id and not section_id[:1].isdigit():
            text = text.replace(f"§{section_id} ", "")
    return text.replace(ROW_SEPARATOR, ", ")


def shown_short(short: str, text: str) -> str:
    """The short answer to show above the answer's readable `text`; '' when the text opens
    with it already (a question whose answer is the quoted sentence), so a reader does not
    read it twice."""
    short = short.strip()
    opening = re.sub(r"\s*\[\d+\]", "", text)[: len(short) + 2]
    return "" if short and fold(opening).startswith(fold(short)) else short


# --- Sources ------------------------------------------------------------------------


def short_source(citation: Citation) -> str:
    """'§3.2 Foreign delegations, p. 34' (with the entry for prose: '§3.3 Missions abroad: Lille…')."""
    label = section_label(citation.section, citation.section_title)
    if citation.heading and citation.heading != citation.section_title and row_cells(citation) is None:
        label += ": " + citation.heading.replace(" | ", ", ")  # 'Place | Event' headings read as prose
    return f"{label}, {pages_label(citation.pages)}" if citation.pages else label


def source_label(citation: Citation) -> str:
    """'City of Torino, International Activities Annual Report 2024, §3.1 Twinnings and agreements, p. 26'."""
    return f"{PUBLISHER}, {REPORT_TITLE}, {short_source(citation)}"


def marker_name(citation: Citation) -> str:
    """What a screen reader says for an inline [n]: 'Source 1: §3.2 Foreign delegations, p. 34'."""
    return f"Source {citation.n}: {short_source(citation)}"


@dataclass(frozen=True)
class Reply:
    """An answer ready to send: its text with markers renumbered to distinct sources."""

    short: str
    text: str
    sources: list[str] = field(default_factory=list)


def reply(answer: Answer) -> Reply:
    """Sources without repeats; several citations of one place share one number, and an
    answer with a single source needs no markers at all."""
    sources: list[str] = []
    number: dict[int, int] = {}
    for citation in answer.citations:
        label = source_label(citation)
        if label not in sources:
            sources.append(label)
        number[citation.n] = sources.index(label) + 1
    readable = text = readable_text(answer)
    if len(sources) == 1:
        text = re.sub(r"\s*\[\d+\]", "", text)
    else:
        text = re.sub(r"\[(\d+)\]", lambda m: f"[{number.get(int(m.group(1)), int(m.group(1)))}]", text)
        text = re.sub(r"(\[\d+\])(\s*\1)+", r"\1", text)
    return Reply(shown_short(answer.short_answer, readable), text, sources)


def reply_text(answer: Answer) -> str:
    """Plain text for an email: short answer, the report's words, then the sources."""
    r = reply(answer)
    lines = [r.short, ""] if r.short else []
    lines.append(r.text)
    if len(r.sources) == 1:
        lines += ["", f"Source: {r.sources[0]}"]
    elif r.sources:
        lines += ["", "Sources:"] + [f"[{i}] {s}" for i, s in enumerate(r.sources, 1)]
    return "\n".join(lines)


def reply_markdown(answer: Answer) -> str:
    """The same reply as Markdown: short answer in bold, sources as a numbered list."""
    r = reply(answer)
    title = f", *{REPORT_TITLE}*, "
    lines = [f"**{r.short}**", ""] if r.short else []
    lines.append(r.text)
    if r.sources:
        lines += ["", "Sources:" if len(r.sources) > 1 else "Source:", ""]
        lines += [f"{i}. {s.replace(f', {REPORT_TITLE}, ', title, 1)}" for i, s in enumerate(r.sources, 1)]
    return "\n".join(lines)


# --- A whole conversation -----------------------------------------------------------


@dataclass(frozen=True)
class Exchange:
    """One question and its answer, or (answer None) the start of a new topic."""

    question: str
    answer: Answer | None = None


def conversation_markdown(exchanges: Sequence[Exchange], when: datetime) -> str:
    """The conversation as one Markdown file: each question as a heading, each reply under it."""
    lines = [
        "# Questions to the Torino report assistant",
        "",
        f"Exported {when.strftime('%Y-%m-%d %H:%M UTC')}. Every answer is quoted from the "
        f"{PUBLISHER}'s *{REPORT_TITLE}*.",
    ]
    for exchange in exchanges:
        if exchange.answer is None:
            lines += ["", "---", "", "*New topic*"]
            continue
        lines += ["", f"## {exchange.question.strip()}", "", reply_markdown(exchange.answer)]
    return "\n".join(lines) + "\n"
