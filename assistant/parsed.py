"""The parsed report (sections, entries, chunks), kept beside the index's manifest.

Parsing is cheap for one report but grows with the text; a start should not pay it
again when nothing changed. The file is keyed by what the parse depends on: the report
text, its structure file, the chunk size and the source of the parsing modules, so an
edit to any of them means a fresh parse (and a new file), never a stale tree.

It holds plain dataclasses from `records.py` and `corpus.Report`, pickled: the index folder
is the assistant's own (it also holds the model it runs), never a file from elsewhere.
"""

from __future__ import annotations

import hashlib
import pickle
from pathlib import Path
from typing import TYPE_CHECKING

from .chunking import chunk_report
from .corpus import Report, parse_report

if TYPE_CHECKING:
    from .config import Settings
    from .records import Chunk

PARSED_FILE = "parsed.pickle"
_SOURCES = ("corpus.py", "chunking.py", "records.py")


def parse_key(settings: Settings, text: str, structure: bytes) -> str:
    """A digest of everything the parse and the chunks depend on."""
    digest = hashlib.sha256()
    digest.update(text.encode())
    digest.update(b"\x00" + structure)
    digest.update(f"\x00{settings.chunk_max_chars}".encode())
    here = Path(__file__).parent
    for name in _SOURCES:
        digest.update(b"\x00" + (here / name).read_bytes())
    return digest.hexdigest()


def load_or_parse(settings: Settings) -> tuple[Report, list[Chunk], bool]:
    """The report and its chunks, from the stored parse when it matches; whether it did.

    Raises FileNotFoundError (with the path) when the report or its structure is missing.
    """
    import tomllib

    text = Path(settings.corpus_path).read_text(encoding="utf-8")
    structure = Path(settings.structure_path).read_bytes()
    key = parse_key(settings, text, structure)
    try:
        with open(Path(settings.home) / PARSED_FILE, "rb") as f:
            stored = pickle.load(f)
        if stored.get("key") == key:
            return stored["report"], stored["chunks"], True
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError, ValueError):
        pass
    report = parse_report(text, tomllib.loads(structure.decode("utf-8")))
    return report, chunk_report(report, settings.chunk_max_chars), False


def save_parsed(settings: Settings, report: Report, chunks: list[Chunk]) -> None:
    """Store the parse beside the manifest (written whole, then renamed into place)."""
    structure = Path(settings.structure_path).read_bytes()
    home = Path(settings.home)
    home.mkdir(parents=True, exist_ok=True)
    tmp = home / f"{PARSED_FILE}.tmp"
    with open(tmp, "wb") as f:
        pickle.dump({"key": parse_key(settings, report.text, structure), "report": report, "chunks": chunks}, f)
    tmp.replace(home / PARSED_FILE)
