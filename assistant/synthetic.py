"""A bigger report for scale measures: the report repeated N times, each copy a volume.

Copy 1 is the report as it is; copy k > 1 gets its own chapter numbers (chapter c
becomes c + 100·(k−1), so section 3.4 of volume 2 is 103.4), its own headings
("Sport (volume 2)") and its own contents lines, so every section, entry and chunk is
distinct and the parser reads each copy as it reads the report. The structure file is
extended to match (layouts, anchors, captions for the new section ids); the colophon
stays once, at the end. Stray page numbers are left as they are.

It only writes a corpus and a structure file: `bench.py` builds and measures them.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .config import Settings

CHAPTER_STEP = 100


def _volume_id(sid: str, k: int) -> str:
    if k == 0:
        return sid
    chapter, _, rest = sid.partition(".")
    return f"{int(chapter) + CHAPTER_STEP * k}" + (f".{rest}" if rest else "")


def _suffix(k: int) -> str:
    return f" (volume {k + 1})" if k else ""


def repeat_report(text: str, structure: dict[str, Any], times: int) -> tuple[str, dict[str, Any]]:
    """The text and structure of the report repeated `times` times, each copy distinct."""
    from .corpus import ReportParser

    parser = ReportParser(text, structure)
    sections = parser._sections()
    contents = parser._contents()
    line_start = {c[0]: text.rfind("\n", 0, c[3]) + 1 for c in contents}
    lines = {c[0]: text[line_start[c[0]] : c[3]] for c in contents}
    contents_start = line_start[contents[0][0]]
    body_start = contents[-1][3] + 1
    colophon = next(s for s in sections if s.id == "colophon")
    body_end = colophon.heading_start  # type: ignore[attr-defined]
    heads = {s.id: (s.heading_start, s.start) for s in sections}  # type: ignore[attr-defined]
    headingless = set(structure.get("headingless", []))

    contents_text, bodies = [], []
    for k in range(times):
        for sid, title, page, _ in contents:
            line = lines[sid]
            new = re.sub(r"^\d+(?:\.\d+)?", _volume_id(sid, k), line, count=1)
            new = new.replace(title, title + _suffix(k), 1)
            new = re.sub(r"\t(\d+)\s*$", lambda m: f"\t{int(m.group(1)) + 120 * k}", new)
            contents_text.append(new)
        body = text[body_start:body_end]
        if k:
            # Headings in reverse order, so earlier offsets stay valid while editing.
            for sid, (head, end) in sorted(heads.items(), key=lambda item: -item[1][0]):
                if sid == "colophon" or sid in headingless or head == end:
                    continue
                a, b = head - body_start, end - body_start
                body = body[:a] + body[a:b].rstrip() + _suffix(k) + body[b:]
            first = next(title for sid, title, *_ in contents if sid in headingless) if headingless else ""
            if first:
                body = f"\n{first.upper()}{_suffix(k).upper()}\n\n{body}"
        bodies.append(body)
    new_text = text[:contents_start] + "\n".join(contents_text) + "\n" + "\n".join(bodies) + text[body_end:]
    return new_text, _repeat_structure(structure, times)


def _repeat_structure(structure: dict[str, Any], times: int) -> dict[str, Any]:
    out = dict(structure)
    out["layouts"] = {
        _volume_id(sid, k) if sid != "colophon" else sid: layout
        for k in range(times)
        for sid, layout in structure.get("layouts", {}).items()
        if k == 0 or sid != "colophon"
    }
    out["list_captions"] = {
        _volume_id(sid, k): caption + _suffix(k) for k in range(times) for sid, caption in structure.get("list_captions", {}).items()
    }
    # A section whose title is a list label reads its rows as that list's.
    out["list_labels"] = {
        label + _suffix(k): name for k in range(times) for label, name in structure.get("list_labels", {}).items()
    }
    out["anchor"] = [
        {**anchor, "section": _volume_id(anchor["section"], k)} for k in range(times) for anchor in structure.get("anchor", [])
    ]
    return out


def to_toml(data: dict[str, Any]) -> str:
    """TOML for the structure file's shapes: strings, lists of strings, tables, arrays of tables."""
    plain, tables, arrays = [], [], []
    for key, value in data.items():
        if isinstance(value, dict):
            tables.append(f"[{json.dumps(key)}]")
            tables += [f"{json.dumps(k)} = {json.dumps(v, ensure_ascii=False)}" for k, v in value.items()]
            tables.append("")
        elif isinstance(value, list) and value and isinstance(value[0], dict):
            for item in value:
                arrays.append(f"[[{json.dumps(key)}]]")
                arrays += [f"{json.dumps(k)} = {json.dumps(v, ensure_ascii=False)}" for k, v in item.items()]
                arrays.append("")
        else:
            plain.append(f"{json.dumps(key)} = {json.dumps(value, ensure_ascii=False)}")
    return "\n".join(plain + [""] + tables + arrays) + "\n"


def synthetic_settings(settings: Settings, times: int, folder: Path) -> Settings:
    """Write the report repeated `times` times into `folder`; settings that read it (index in folder/index)."""
    from .corpus import load_structure

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    text = Path(settings.corpus_path).read_text(encoding="utf-8")
    new_text, structure = repeat_report(text, load_structure(settings.structure_path), times)
    corpus, struct = folder / f"report-x{times}.txt", folder / f"structure-x{times}.toml"
    corpus.write_text(new_text, encoding="utf-8")
    struct.write_text(to_toml(structure), encoding="utf-8")
    return settings.model_copy(update={"corpus_path": corpus, "structure_path": struct, "home": folder / "index"})
