"""Parse the report's text into a section tree: chapters and sections, then entries.

Chapters and sections come from the report's own contents page; their bodies are found
by their heading lines. Inside a section, entries (dated events, table rows, networks,
projects, "FOCUS ON..." pages) are recognised by the layout the section uses. The text
was converted from a PDF, so this module also mends what the conversion broke: stray
page numbers, paragraphs split across a page, names that were images (recovered from
the text beneath, or from `corpus/structure.toml` where the text never gives them).

It does not chunk or embed anything: see `chunking.py`.
"""

from __future__ import annotations

import bisect
import math
import re
import tomllib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from .records import Entry, Section, Unit
from .text import EMAIL, WEB, YEAR

MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
_DAY = r"\d{1,2}(?:st|nd|rd|th)?"
_DATE_PART = rf"(?:{_DAY}(?:\s+and\s+{_DAY})?\s*)?(?:(?:{MONTHS})(?:\s+\d{{4}})?)?"
DATE_LINE = re.compile(rf"^(?=.*(?:{MONTHS}))\s*{_DATE_PART}(?:\s*[–-]\s*{_DATE_PART})?\s*$")
PLACE_DATE_LINE = re.compile(rf"^([^|]+?)\s*\|\s*(.*(?:{MONTHS}).*)$")
PAGE_NUMBER = re.compile(r"^\d{2,3}$")
CONTENTS_LINE = re.compile(r"^(\d+(?:\.\d+)?)\.?\s+(.+?)\t(\d+)\s*$")
CONTENTS_LINE_ANYWHERE = re.compile(CONTENTS_LINE.pattern, re.M)
TERMINAL = tuple('.!?:;"”’\')]')
ADDRESS = re.compile(rf"^(?:{EMAIL.pattern}|{WEB.pattern})$")  # a line that is an email or web address
SMALL_WORDS = {"and", "of", "the", "for", "in", "on", "at", "to", "a", "an", "with", "by", "di", "de", "del"}
ABBREVIATIONS = {"no", "nos", "st", "dr", "mr", "mrs", "ms", "prof", "vs", "etc", "e.g", "i.e", "approx"}


@dataclass
class Para:
    """A paragraph of the report: consecutive non-blank lines, with its offsets."""

    lines: list[tuple[str, int]]  # (raw line, offset of its first character)
    gap: int  # blank lines before it

    @property
    def start(self) -> int:
        return self.lines[0][1]

    @property
    def end(self) -> int:
        text, offset = self.lines[-1]
        return offset + len(text)

    @property
    def text(self) -> str:
        return " ".join(clean(line) for line, _ in self.lines).strip()

    @property
    def single(self) -> bool:
        return len(self.lines) == 1


@dataclass
class Report:
    """The parsed report: its text and its sections in reading order."""

    text: str
    sections: list[Section]
    page_markers: list[tuple[int, int]] = field(default_factory=list)
    subject: tuple[str, ...] = ()  # how questions name the report's own subject ('subject' in the structure file)

    @property
    def year(self) -> str:
        """The year the report is about: the one it names most ('' if it names none). A
        sentence naming no year speaks of it."""
        years = Counter(YEAR.findall(self.text))
        return years.most_common(1)[0][0] if years else ""

    @property
    def cover_words(self) -> frozenset[str]:
        """The words of the cover, before the contents page ('Annual Report 2024,
        International Activities of the City of Torino'): how a question names the report
        itself ('the international activities report')."""
        contents = CONTENTS_LINE_ANYWHERE.search(self.text)
        return frozenset(re.findall(r"[a-z0-9']+", self.text[: contents.start() if contents else 0].lower()))

    def section(self, section_id: str) -> Section:
        for section in self.sections:
            if section.id == section_id:
                return section
        raise KeyError(section_id)

    def entries(self) -> list[Entry]:
        return [entry for section in self.sections for entry in section.entries]


def clean(text: str) -> str:
    """Drop the conversion's markup (`**bold**`, `*italic*`, `\\$`) and fold spaces."""
    text = text.replace("\\$", "$").replace("**", "").replace("*", "")
    return re.sub(r"\s+", " ", text).strip()


def norm(text: str) -> str:
    """Compare headings loosely: case, s/z spelling and punctuation don't count."""
    return re.sub(r"[^A-Z0-9]", "", clean(text).upper().replace("Z", "S"))


def is_date(text: str) -> bool:
    return bool(DATE_LINE.match(text)) and len(text) < 60


def is_upper(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and sum(c.isupper() for c in letters) / len(letters) >= 0.75 and len(text) < 120


def is_short_title(text: str) -> bool:
    """A line that can head an entry: short, and not ending like a sentence."""
    return len(text) < 140 and not text.endswith((".", "!", "?", ";", ":")) and not text.startswith("- ")


def is_prose(text: str) -> bool:
    return len(text) > 140 or (text.endswith((".", "!", "?")) and " " in text)


def title_case(text: str) -> str:
    """'TORINO AND SOLIDARITY CITIES' -> 'Torino and Solidarity Cities'; mixed case is kept."""
    if not is_upper(text):
        return text
    words = text.lower().split()
    out = [w if i and w in SMALL_WORDS else w[:1].upper() + w[1:] for i, w in enumerate(words)]
    return " ".join(out)


def split_sentences(text: str, offset: int) -> list[Unit]:
    """Split prose at sentence ends, keeping offsets.

    >>> [u.text for u in split_sentences("Anton G. A. Salman came. He left no. 1 behind. B.M.A. Teatro won.", 0)]
    ['Anton G. A. Salman came.', 'He left no. 1 behind.', 'B.M.A. Teatro won.']
    """
    units: list[Unit] = []
    start = 0
    # Titles may hold full stops: *Ayrton Senna. Forever*, "Rivers and cities. Projects…".
    titles = [m.span() for m in re.finditer(r"(?<!\*)\*[^*\n]+\*(?!\*)|\"[^\"\n]{3,200}\"|“[^”\n]{3,200}”", text)]
    for m in re.finditer(r"[.!?][\"”’')\]]*(\s+)", text):
        if any(a < m.start() < b - 2 for a, b in titles):  # a stop that ends the title may end the sentence
            continue
        following = text[m.end() : m.end() + 1]
        if not following or not (following.isupper() or following.isdigit() or following in "“\"‘'€$(*"):
            continue
        word = re.search(r"(\S+)$", text[start : m.start() + 1])
        token = word.group(1).rstrip(".").lower() if word else ""
        if token in ABBREVIATIONS or re.fullmatch(r"(?:[a-z]\.)*[a-z]", token):  # an initial, 'A.M.A.'
            continue
        _add_unit(units, text, start, m.start(1), offset)
        start = m.end()
    _add_unit(units, text, start, len(text), offset)
    return units


def _add_unit(units: list[Unit], text: str, start: int, end: int, offset: int, kind: str = "sentence") -> None:
    piece = text[start:end]
    stripped = clean(piece)
    if stripped:
        lead = len(piece) - len(piece.lstrip())
        units.append(Unit(stripped, offset + start + lead, offset + end, kind))


def para_units(para: Para) -> list[Unit]:
    """Sentences of a prose paragraph, or one unit per line of a list (a line ending in a
    comma goes on in the next: a signature's name and title are one unit)."""
    if len(para.lines) > 1 or para.lines[0][0].lstrip().startswith("- "):
        units = []
        for line, offset in para.lines:
            body = re.sub(r"^\s*-\s*", "", line)
            if not clean(body):
                continue
            if units and units[-1].text.endswith(",") and body == line:
                # A line ending in a comma goes on in the next one ('Maria Rossi,' / 'Mayor of Alba').
                units[-1] = Unit(f"{units[-1].text} {clean(body)}", units[-1].start, offset + len(line), "item")
            else:
                units.append(Unit(clean(body), offset + line.find(body[:1]) if body else offset, offset + len(line), "item"))
        return units
    line, offset = para.lines[0]
    # A single line may hold a broken-then-mended paragraph: split it as prose.
    return split_sentences(line, offset)


def paragraphs(text: str, start: int, end: int) -> tuple[list[Para], list[tuple[int, int]]]:
    """Paragraphs between two offsets, with stray page numbers taken out and recorded."""
    paras: list[Para] = []
    markers: list[tuple[int, int]] = []
    current: list[tuple[str, int]] = []
    gap = 0
    offset = start
    for line in text[start:end].split("\n"):
        if line.strip():
            current.append((line, offset))
        else:
            if current:
                paras.append(Para(current, gap))
                current, gap = [], 0
            gap += 1
        offset += len(line) + 1
    if current:
        paras.append(Para(current, gap))
    kept: list[Para] = []
    for para in paras:
        if para.single and PAGE_NUMBER.match(para.text):
            markers.append((para.start, int(para.text)))
            continue
        kept.append(para)
    return _mend_broken(kept), markers


def _mend_broken(paras: list[Para]) -> list[Para]:
    """Join a paragraph that a page break cut in two ('... the City' / 'of Torino, ...')."""
    out: list[Para] = []
    for para in paras:
        prev = out[-1] if out else None
        broken = prev is not None and prev.single and para.single and not prev.text.endswith(TERMINAL)
        if broken and (
            (para.text[:1].islower() and not ADDRESS.match(para.text))  # 'www.…' begins a line of its own
            or (
                len(prev.text) > 150
                and not is_date(para.text)
                and not is_upper(para.text)
                and not PLACE_DATE_LINE.match(para.text)
            )
        ):
            (line_a, off_a), (line_b, off_b) = prev.lines[0], para.lines[0]
            # Keep offsets honest: the mended line is the report's text from a to b.
            joined = line_a + " " * (off_b - off_a - len(line_a)) + line_b
            out[-1] = Para([(joined, off_a)], prev.gap)
            continue
        out.append(para)
    return out


class _EntryBuilder:
    """Collects entries for one section, numbering them in reading order."""

    def __init__(self, section: Section) -> None:
        self.section = section
        self.heading: str | None = None
        self.units: list[Unit] = []
        self.subheads: list[str] = []
        self.dated = False
        self.count = 0

    def start(self, heading: str | None, dated: bool = False) -> None:
        self.flush()
        self.heading = heading
        self.dated = dated

    @property
    def open(self) -> bool:
        return self.heading is not None or bool(self.units) or bool(self.subheads)

    def flush(self) -> None:
        if self.units:
            heading = self.heading or _name_from_subheads(self.subheads) or self.section.title
            self._emit(heading, self.units, "prose", "")
        self.heading, self.units, self.subheads, self.dated = None, [], [], False

    def row(self, unit: Unit, group: str) -> None:
        heading = re.split(r"\s+\|\s+", unit.text)[0]
        self._emit(heading, [Unit(unit.text, unit.start, unit.end, "row")], "row", group)

    def _emit(self, heading: str, units: list[Unit], kind: str, group: str) -> None:
        self.count += 1
        entry_id = f"{self.section.id}-{self.count:03d}"
        self.section.entries.append(Entry(entry_id, self.section.id, heading, list(units), kind, group))


def _name_from_subheads(subheads: list[str]) -> str:
    """EU project pages lost their names, but keep them in 'CLIMABOROUGH ACTIONS' lines."""
    period = ""
    for sub in subheads:
        m = re.match(r"^THE PROJECT \|\s*(.+)$", sub)
        if m:
            period = m.group(1)
        m = re.match(r"^(.+?)\s+(?:ACTIONS|IN FIGURES)$", sub)
        if m:
            return f"{m.group(1)}, {period}" if period else m.group(1)
    return ""


def derive_name(text: str, candidates: list[str]) -> str:
    """Recover an entry's name from the paragraph beneath its lost heading.

    Tries, in order: a name from the chapter's own list (longest form), the subject of
    'X is a/the ...', 'the project X' / 'the X project'.
    """
    found = []
    for candidate in candidates:
        for form in re.split(r"\s+[–-]\s+", candidate):
            pos = text.find(form)
            if len(form) > 2 and pos >= 0:
                found.append((pos, candidate))
    if found:
        return min(found)[1]
    m = re.match(r"^(?:The\s+)?([A-Z][\w'’.&()\-– ]{2,80}?)\s+(?:is|was)\s+(?:an?|the)\b", text)
    if m:
        return m.group(1)
    m = re.search(r"\bthe project ([A-Z][\w\-]*(?: [A-Z][\w\-]*)*)", text) or re.search(
        r"\bthe ([A-Z]\w+) project\b", text
    )
    return m.group(1) if m else ""


class ReportParser:
    """Turns the report text into `Report`, guided by `corpus/structure.toml`."""

    def __init__(self, text: str, structure: dict) -> None:
        self.text = text
        self.structure = structure
        self.labels = {norm(k): v for k, v in structure.get("list_labels", {}).items()}
        self.markers: list[tuple[int, int]] = []
        self._line_table: list[tuple[int, str]] | None = None
        self._marker_offsets: list[int] = []

    def parse(self) -> Report:
        sections = self._sections()
        for section in sections:
            layout = self.structure["layouts"].get(section.id, "events")
            paras, markers = paragraphs(self.text, section.start, section.end)
            self.markers.extend(markers)
            getattr(self, f"_layout_{layout}")(section, paras)
        self.markers.sort()
        self._marker_offsets = [off for off, _ in self.markers]
        report = Report(self.text, sections, list(self.markers), tuple(self.structure.get("subject", ())))
        for section in sections:
            for entry in section.entries:
                entry.pages = self._pages(section, entry)
        return report

    # -- chapters and sections -------------------------------------------------------

    def _contents(self) -> list[tuple[str, str, int, int]]:
        """(id, title, start page, offset after the line) for each line of the contents page."""
        items = []
        offset = 0
        for line in self.text.split("\n"):
            m = CONTENTS_LINE.match(line)
            if m:
                items.append((m.group(1), m.group(2).strip(), int(m.group(3)), offset + len(line)))
            offset += len(line) + 1
        if not items:
            raise ValueError("the report has no contents page: no line like '1. Title<TAB>4'")
        return items

    def _lines(self) -> list[tuple[int, str]]:
        """(offset, line) of every line, split once for the whole parse."""
        if self._line_table is None:
            table, offset = [], 0
            for line in self.text.split("\n"):
                table.append((offset, line))
                offset += len(line) + 1
            self._line_table = table
        return self._line_table

    def _find_line(self, wanted: str, after: int) -> tuple[int, int]:
        """Offsets (start, end) of the first line after `after` that reads as `wanted`.

        Starts at the first line at or after `after` (a binary search), so finding every
        heading in reading order reads the text once, not once per heading.
        """
        lines = self._lines()
        target = norm(wanted)
        for offset, line in lines[bisect.bisect_left(lines, (after, "")) :]:
            if line.strip() and norm(line) == target:
                return offset, offset + len(line)
        raise ValueError(f"heading {wanted!r} not found in the report")

    def _sections(self) -> list[Section]:
        contents = self._contents()
        body_start = contents[-1][3]
        starts: list[tuple[str, str, int, int, int]] = []  # id, title, page, heading start, body start
        cursor = body_start
        for sid, title, page, _ in contents:
            if sid in self.structure.get("headingless", []):
                head, body = cursor, cursor
            else:
                head, body = self._find_line(title, cursor)
            starts.append((sid, title, page, head, body))
            cursor = body
        colophon = self.structure["colophon"]
        head, _ = self._find_line(colophon["starts_at"], cursor)
        starts.append(("colophon", colophon["title"], 0, head, head))

        chapters = {sid: title for sid, title, *_ in starts if "." not in sid}
        sections = []
        for i, (sid, title, page, head, body) in enumerate(starts):
            end = starts[i + 1][3] if i + 1 < len(starts) else len(self.text)
            chapter_id = sid.split(".")[0]
            section = Section(
                id=sid,
                title=title,
                pages=self._page_range(sid, page, contents, colophon),
                start=body,
                end=end,
                chapter_id=chapter_id,
                chapter_title=chapters.get(chapter_id, title),
                first_page=page,
            )
            section.heading_start = head  # type: ignore[attr-defined]
            sections.append(section)
        return sections

    @staticmethod
    def _page_range(sid: str, page: int, contents: list, colophon: dict) -> str:
        if sid == "colophon":
            return colophon["pages"]
        ids = [c[0] for c in contents]
        chapter = "." not in sid
        later = [c for c in contents[ids.index(sid) + 1 :] if not chapter or "." not in c[0]]
        if not later:
            return f"{page} ff."
        last = later[0][2] - 1
        return str(page) if last <= page else f"{page}–{last}"

    def _pages(self, section: Section, entry: Entry) -> str:
        """Narrow a section's pages for one entry by the stray page numbers around it."""
        offsets = self._marker_offsets
        first, last = (bisect.bisect_left(offsets, x) for x in (section.start, section.end))
        cut_before, cut_after = (bisect.bisect_left(offsets, x, first, last) for x in (entry.start, entry.end))
        before = [p for _, p in self.markers[first:cut_before]]
        after = [p for _, p in self.markers[cut_after:last]]
        if not before and not after:
            return section.pages
        low = max(before) + 1 if before else section.first_page
        if after:
            return str(low) if min(after) == low else f"{low}–{min(after)}"
        return f"{low} ff."

    # -- layouts ---------------------------------------------------------------------

    def _anchors(self, section_id: str) -> list[dict]:
        return [a for a in self.structure.get("anchor", []) if a["section"] == section_id]

    def _layout_prose(self, section: Section, paras: list[Para]) -> None:
        builder = _EntryBuilder(section)
        builder.start(section.title)
        for para in paras:
            if para.single and norm(para.text) == norm(section.title):
                continue
            builder.units.extend(para_units(para))
        builder.flush()

    def _layout_events(self, section: Section, paras: list[Para]) -> None:
        """Dated events, 'FOCUS ON' pages, tables and lists, entries with lost headings."""
        caption = self.structure.get("list_captions", {}).get(section.id, section.title)
        builder = _EntryBuilder(section)
        anchors = self._anchors(section.id)
        candidates: list[str] = []
        label = caption if norm(section.title) in self.labels else ""
        parent = ""
        pending_date = ""
        pending_place = ""

        def with_parent(heading: str) -> str:
            return f"{parent}: {heading}" if parent else heading

        for i, para in enumerate(paras):
            text = para.text
            nxt = paras[i + 1].text if i + 1 < len(paras) else ""
            anchor = next((a for a in anchors if text.startswith(a["opens"])), None)
            if anchor:
                name = anchor.get("name") or derive_name(text, candidates)
                builder.start(name)
                parent, label = name, ""
                builder.units.extend(para_units(para))
                continue
            if para.single and text.upper().startswith("FOCUS ON"):
                name = re.sub(r"^FOCUS ON\.*\s*", "", text, flags=re.I)
                builder.start(f"Focus on {title_case(name)}")
                parent = pending_date = label = ""
                continue
            if para.single and is_date(text):
                if builder.open and not builder.units and not builder.dated:
                    builder.heading = f"{builder.heading}, {text}" if builder.heading else text
                    builder.dated = True
                    pending_date = "taken"
                else:
                    builder.flush()
                    pending_date = text
                label = ""
                continue
            m = PLACE_DATE_LINE.match(text) if para.single else None
            if m and is_upper(m.group(1)):
                builder.flush()
                pending_place, pending_date, label = title_case(m.group(1)), m.group(2).strip(), ""
                continue
            if pending_date and para.single and is_short_title(text):
                if pending_date != "taken":
                    if pending_place:
                        heading = f"{pending_place}, {pending_date}: {text}"
                    else:
                        heading = f"{text}, {pending_date}"
                    builder.start(with_parent(heading), dated=True)
                pending_date = pending_place = ""
                continue
            if para.single and norm(text) in self.labels:
                builder.flush()
                name = self.labels[norm(text)] or title_case(text)
                label = f"{caption} — {name}" if norm(name) != norm(caption) else caption
                continue
            next_is_list = i + 1 < len(paras) and (not paras[i + 1].single or norm(nxt) in self.labels)
            lone_row = is_short_title(text) and (next_is_list or (" | " in text and not is_prose(nxt)))
            if label and (not para.single or lone_row):
                for unit in para_units(para):
                    builder.row(unit, label)
                    candidates.append(unit.text)
                continue
            label = ""
            if para.single and norm(text) == norm(section.title):
                continue
            if para.single and is_upper(text):
                upper = clean(text)
                if upper.startswith("THE PROJECT |"):
                    builder.start(None)
                    builder.subheads.append(upper)
                    parent = ""
                elif is_date(nxt) or (PLACE_DATE_LINE.match(nxt) and "\n" not in nxt):
                    builder.flush()
                    parent = ""
                elif builder.open and not builder.dated:
                    builder.subheads.append(upper)
                    if _name_from_subheads(builder.subheads) and builder.heading is None:
                        builder.heading = _name_from_subheads(builder.subheads)
                else:
                    builder.start(title_case(upper))
                    parent = ""
                continue
            if para.single and is_short_title(text) and is_prose(nxt) and not is_date(nxt):
                if re.search(r"[|:]|\s(?:ACTIONS|IN FIGURES)$", text) and builder.open:
                    builder.subheads.append(text)  # 'CTE NEXT | INTERNATIONAL PARTNERS'
                    continue
                builder.start(with_parent(text))
                continue
            if not builder.open:
                builder.start(parent or section.title)
            builder.units.extend(para_units(para))
        builder.flush()

    def _layout_cooperation(self, section: Section, paras: list[Para]) -> None:
        """Section 3.4: project titles first, their descriptions later, apart from them."""
        builder = _EntryBuilder(section)
        titles: list[tuple[str, str, Para, Para, str]] = []  # title, subtitle, paras, group
        group = ""
        i = 0
        while i < len(paras) and len(paras[i].text) < 140:
            text = paras[i].text
            looks_like_title = is_upper(text) or " " not in text or bool(re.search(r"[A-Z]{3}", text))
            if looks_like_title and i + 1 < len(paras):
                titles.append((text, paras[i + 1].text, paras[i], paras[i + 1], group))
                i += 2
            else:
                group = text
                i += 1
        blocks: list[list[Para]] = []
        for para in paras[i:]:
            if not blocks or para.gap >= 2:
                blocks.append([])
            blocks[-1].append(para)
        described = _match_descriptions(
            [(t[0], t[1]) for t in titles], blocks, self.structure.get("descriptions", {})
        )
        for k, (title, subtitle, tpara, spara, grp) in enumerate(titles):
            builder.start(title)
            builder.units.extend(split_sentences(spara.lines[0][0], spara.start))
            for para in described.get(k, []):
                if para.single and is_upper(para.text) and not para.text.endswith(":"):
                    continue  # 'ACTIVITIES IN 2024' heads a part; it says nothing itself
                builder.units.extend(para_units(para))
            builder.flush()
            section.entries[-1].group = f"{section.title} — {grp}" if grp else section.title

    def _layout_culture(self, section: Section, paras: list[Para]) -> None:
        """Chapter 7: a list of the year's big names, then one paragraph per event."""
        builder = _EntryBuilder(section)
        for para in paras:
            text = para.text
            if para.single and is_upper(text) and len(text) < 60:
                builder.row(Unit(clean(text), para.start, para.end, "row"), f"{section.title} — at a glance")
                continue
            heading = _culture_heading(" ".join(line for line, _ in para.lines))
            if heading or not builder.open:
                # A paragraph that names nothing goes on from the one before it.
                builder.start(heading or section.title)
            builder.units.extend(para_units(para))
        builder.flush()

    def _layout_colophon(self, section: Section, paras: list[Para]) -> None:
        labels = {norm(label) for label in self.structure["colophon"]["labels"]}
        builder = _EntryBuilder(section)
        builder.start(section.title)
        current: list[Para] = []

        def close() -> None:
            if current:
                label, values = current[0].text.rstrip(":"), [p.text for p in current[1:]]
                text = f"{label}: {'; '.join(values)}" if values else label
                builder.units.append(Unit(text, current[0].start, current[-1].end, "row"))

        for para in paras:
            # A label, or a sentence ('We kindly thank…'), begins a row; not the value a label
            # ending in a colon announces ('For the pictures we kindly thank:' / a long list).
            announced = len(current) == 1 and current[0].text.endswith(":")
            if norm(para.text) in labels or (len(para.text) > 80 and not announced):
                close()
                current = [para]
            else:
                current.append(para)
        close()
        builder.flush()


def _culture_heading(raw: str) -> str:
    """Name a culture paragraph: its **bold** names, else its leading proper name, else its *title*."""
    bold = re.findall(r"\*\*(.+?)\*\*", raw)
    if bold:
        return " / ".join(clean(b) for b in bold)
    words = clean(raw).split()
    lead: list[str] = []
    for word in words:
        if word[:1].isupper() or word in {"–", "-"} or (lead and word.lower() in SMALL_WORDS | {"per", "la", "d'"}):
            lead.append(word)
            if word.endswith(","):
                break
            continue
        break
    while lead and (lead[-1].lower() in SMALL_WORDS or lead[-1] in {"–", "-"}):
        lead.pop()
    if lead and lead[0] not in {"The", "In", "On", "For", "During", "To", "Il"} and len(lead) <= 12:
        return " ".join(lead).rstrip(",")
    italic = re.findall(r"(?<!\*)\*([^*]+)\*(?!\*)", raw)
    return clean(italic[0]) if italic else ""


def _match_descriptions(
    titles: list[tuple[str, str]], blocks: list[list[Para]], pinned: dict[str, str]
) -> dict[int, list[Para]]:
    """Give each description block to the project title it shares the rarest words with.

    Pairs are taken best first, each title and block once; `pinned` (opening words ->
    title) settles the blocks whose words mislead.
    """
    names = [t for t, _ in titles]
    texts = [" ".join(p.text for p in block) for block in blocks]
    described: dict[int, list[Para]] = {}
    free = set(range(len(blocks)))
    for b, text in enumerate(texts):
        for opening, title in pinned.items():
            if text.startswith(opening) and title in names:
                described[names.index(title)] = blocks[b]
                free.discard(b)
    words = [_words(t) for t in texts]
    df = {w: sum(w in ws for ws in words) for ws in words for w in ws}
    pairs = []
    for k, (title, subtitle) in enumerate(titles):
        own, name = _words(subtitle), _words(title)
        for b in free:
            named = 10.0 * bool(name) * (name <= words[b])
            shared = sum(math.log(1 + len(blocks) / df[w]) * (3 if w in name else 1) for w in (own | name) & words[b])
            pairs.append((named + shared, k, b))
    for score, k, b in sorted(pairs, reverse=True):
        if score > 0 and k not in described and b in free:
            described[k] = blocks[b]
            free.discard(b)
    return described


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-zà-ÿ0-9]{4,}", text.lower())}


def load_structure(path: Path) -> dict:
    with open(path, "rb") as f:
        return tomllib.load(f)


def parse_report(text: str, structure: dict) -> Report:
    return ReportParser(text, structure).parse()


def load_report(corpus_path: Path, structure_path: Path) -> Report:
    """Read and parse the report; raise FileNotFoundError with the path if it is missing."""
    text = Path(corpus_path).read_text(encoding="utf-8")
    return parse_report(text, load_structure(structure_path))
