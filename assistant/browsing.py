"""The Browse tab's HTML: the table of contents, a section or entry with a cited span
marked, and a search over the report's entries.

Pure functions of the `Report` (no Gradio); every piece of report text is escaped
before it becomes HTML. Links carry a `data-action` that the page's script sends
back to the server ("open|section|entry|start|end"); they do nothing on their own.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .presenting import pages_label, section_label
from .records import Entry, Section

if TYPE_CHECKING:
    from .corpus import Report

REPORT_SHORT = "Annual Report 2024"
MAX_RESULTS = 30


@dataclass(frozen=True)
class Target:
    """A place in the report: a section, optionally one entry, optionally a span to mark."""

    section: str
    entry: str = ""
    start: int = -1
    end: int = -1

    def action(self) -> str:
        return f"open|{self.section}|{self.entry}|{self.start}|{self.end}"

    @classmethod
    def from_action(cls, action: str) -> "Target":
        """'open|3.1|3.1-004|-1|-1' -> Target('3.1', '3.1-004'); raises ValueError if malformed."""
        kind, section, entry, start, end = action.split("|")
        if kind != "open":
            raise ValueError(action)
        return cls(section, entry, int(start), int(end))


def is_chapter(section: Section) -> bool:
    return section.id == section.chapter_id


def find_section(report: "Report", section_id: str) -> Section | None:
    return next((s for s in report.sections if s.id == section_id), None)


def entry_at(section: Section, offset: int) -> Entry | None:
    """The entry holding a character offset, or None."""
    for entry in section.entries:
        if entry.start <= offset < max(entry.end, entry.start + 1):
            return entry
    return None


def section_choices(report: "Report") -> list[tuple[str, str]]:
    """Dropdown choices for the table of contents: chapters, then their sections, indented."""
    choices = [("Contents", "")]
    for section in report.sections:
        indent = "" if is_chapter(section) else "\u2003"
        number = f"{section.id}  " if section.id[:1].isdigit() else ""
        choices.append((f"{indent}{number}{section.title} · {pages_label(section.pages)}", section.id))
    return choices


def entry_choices(section: Section | None) -> list[tuple[str, str]]:
    """Dropdown choices for one section's entries; '' is the whole section."""
    if section is None or not section.entries:
        return [("Whole section", "")]
    return [("Whole section", "")] + [(entry.heading, entry.id) for entry in section.entries]


def contents_html(report: "Report") -> str:
    """The table of contents: chapters with their sections, pages and entry counts, as links."""
    parts = ['<h2 tabindex="-1">Contents</h2><p class="meta">Choose a part to read it, or search above.</p><ul>']
    open_list = False
    for section in report.sections:
        label = f"{section_label(section.id, section.title)} · {pages_label(section.pages)}"
        if not is_chapter(section):
            n = len(section.entries)
            label += f" · {n} {'entry' if n == 1 else 'entries'}"
        link = f'<a href="#report-text" data-action="{Target(section.id).action()}">{html.escape(label)}</a>'
        if is_chapter(section):
            if open_list:
                parts.append("</ul></li>")
            parts.append(f"<li><b>{link}</b><ul>")
            open_list = True
        else:
            parts.append(f"<li>{link}</li>")
    if open_list:
        parts.append("</ul></li>")
    parts.append("</ul>")
    return "".join(parts)


def entry_html(report: "Report", entry: Entry, mark: tuple[int, int] | None) -> str:
    """An entry's units as paragraphs (split where the report has a blank line), marked if cited."""
    paragraphs: list[list[str]] = [[]]
    previous_end: int | None = None
    for unit in entry.units:
        if previous_end is not None and "\n\n" in report.text[previous_end : unit.start]:
            paragraphs.append([])
        text = html.escape(unit.text)
        if mark and unit.start < mark[1] and mark[0] < unit.end:
            text = f"<mark>{text}</mark>"
        paragraphs[-1].append(text)
        previous_end = unit.end
    return "".join(f"<p>{' '.join(p)}</p>" for p in paragraphs if p)


def section_html(report: "Report", target: Target) -> str:
    """The text of a section (or one of its entries), with the cited span marked."""
    section = find_section(report, target.section)
    if section is None:
        return contents_html(report)
    mark = (target.start, target.end) if target.start >= 0 else None
    meta = [REPORT_SHORT, pages_label(section.pages)]
    if not is_chapter(section):
        meta.insert(1, section_label(section.chapter_id, section.chapter_title))
    parts = [f'<h2 tabindex="-1">{html.escape(section_label(section.id, section.title))}</h2>']
    parts.append(f'<p class="meta">{html.escape(" · ".join(meta))}</p>')
    entries = [e for e in section.entries if not target.entry or e.id == target.entry]
    if target.entry and entries:
        parts.append(f'<p><a href="#report-text" data-action="{Target(section.id).action()}">Read the whole section</a></p>')
    if not section.entries:
        subsections = [s for s in report.sections if s.chapter_id == section.id and s is not section]
        parts.append("<ul>")
        for s in subsections:
            label = html.escape(f"{section_label(s.id, s.title)} · {pages_label(s.pages)}")
            parts.append(f'<li><a href="#report-text" data-action="{Target(s.id).action()}">{label}</a></li>')
        parts.append("</ul>")
    group = None
    for entry in entries:
        if entry.kind == "row":
            if entry.group != group:
                parts.append(f"<h3>{html.escape(entry.group or section.title)}</h3>")
                group = entry.group
            parts.append(entry_html(report, entry, mark))
            continue
        group = None
        if entry.heading and entry.heading != section.title:
            parts.append(f"<h3>{html.escape(entry.heading)}</h3>")
        if entry.pages and entry.pages != section.pages:
            parts.append(f'<p class="meta">{html.escape(pages_label(entry.pages))}</p>')
        parts.append(entry_html(report, entry, mark))
    return "".join(parts)


def search_entries(report: "Report", query: str) -> list[tuple[Section, Entry]]:
    """Entries whose heading or text holds every word of the query (case-insensitive), in report order."""
    words = [w.casefold() for w in query.split()]
    if not words:
        return []
    found = []
    for section in report.sections:
        for entry in section.entries:
            haystack = f"{entry.heading} {entry.text}".casefold()
            if all(w in haystack for w in words):
                found.append((section, entry))
    return found


def snippet(text: str, query: str, width: int = 90) -> str:
    """A short escaped piece of text around the first query word, with the words marked."""
    words = [w for w in query.split() if w]
    where = min((i for i in (text.casefold().find(w.casefold()) for w in words) if i >= 0), default=0)
    start = max(0, where - width // 3)
    piece = text[start : start + width]
    piece = ("…" if start else "") + piece + ("…" if start + width < len(text) else "")
    escaped = html.escape(piece)
    if not words:
        return escaped
    pattern = "|".join(re.escape(html.escape(w)) for w in sorted(words, key=len, reverse=True))
    return re.sub(f"({pattern})", r"<mark>\1</mark>", escaped, flags=re.I)


def search_html(report: "Report", query: str) -> str:
    """The search results: how many entries match, then each as a link with its section and a snippet."""
    query = " ".join(query.split())[:200]
    if not query:
        return ""
    found = search_entries(report, query)
    if not found:
        return f'<p class="meta">No entry contains “{html.escape(query)}”.</p>'
    shown = found[:MAX_RESULTS]
    count = f"{len(found)} entries match" if len(found) > 1 else "1 entry matches"
    more = f"; the first {MAX_RESULTS} are listed" if len(found) > MAX_RESULTS else ""
    parts = [f'<p class="meta">{count} “{html.escape(query)}”{more}.</p><ul class="results">']
    for section, entry in shown:
        label = section_label(section.id, section.title)
        if entry.heading and entry.heading != section.title:
            label += f" — {entry.heading}"
        action = Target(section.id, entry.id).action()
        parts.append(
            f'<li><a href="#report-text" data-action="{action}">{html.escape(label)}</a>'
            f'<br><span class="snippet">{snippet(entry.text, query)}</span></li>'
        )
    parts.append("</ul>")
    return "".join(parts)
