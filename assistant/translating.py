"""Italian questions, read word by word into English through a glossary of the report's words.

The report and the assistant are in English, and no translation model runs here. The
glossary (`corpus/italian.tsv`: an Italian form, a tab, its English) was written from the
report's own vocabulary, every lower-case word of it with its Italian forms, plus the
question and function words of Italian; it names no question. A question is translated
only when every word of it is understood: a glossary form (the longest phrase first), a
number, or a word the report itself writes (a name such as "Glasgow"). One unknown word
and nothing is translated, so the reader's bilingual notice stands instead of an answer
to a question it did not understand.

The English is a gloss, rough and mostly in Italian word order ("Quante delegazioni
straniere sono arrivate a Torino nel 2024?" -> "How many foreign delegations arrived to
Torino in 2024?"): the readers weigh words and names, not syntax, and the page shows the
gloss as "Understood as" so the user can check it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from .question import Vocabulary
from .text import fold

LONGEST_PHRASE = 4  # words in the glossary's longest Italian expression looked up

NOTICE_TRANSLATED = (
    "Domanda tradotta parola per parola dall'italiano; il rapporto è in inglese. "
    "The question was translated word by word from Italian (see \"Understood as\"); the report is in English."
)

_TOKEN = re.compile(r"\w+['’]|\d+(?:[.,]\d+)*|\w+(?:[-.]\w+)*|[^\w\s]")


@dataclass(frozen=True)
class Glossary:
    """Italian forms (lower case, as written and without accents) -> English."""

    entries: dict[str, str]

    @classmethod
    def load(cls, path: Path) -> Glossary:
        """The glossary file; an empty glossary when it is missing (every Italian question then gets the notice)."""
        try:
            lines = Path(path).read_text(encoding="utf-8").splitlines()
        except OSError:
            return cls({})
        return cls.from_pairs(line.split("\t", 1) for line in lines if "\t" in line)

    @classmethod
    def from_pairs(cls, pairs: Iterable[Iterable[str]]) -> Glossary:
        written = {_key(italian): english.strip() for italian, english in pairs}
        # Without accents too, as users often type them ("perche"), unless that is a word of its own ("e").
        unaccented = {fold(key): english for key, english in written.items() if fold(key) not in written}
        return cls({**unaccented, **written})

    def _lookup(self, tokens: list[str]) -> str | None:
        phrase = _key(" ".join(tokens))
        return self.entries.get(phrase, self.entries.get(fold(phrase)))

    def _longest(self, tokens: list[str]) -> tuple[int, str | None]:
        """The longest glossary expression the tokens open with: (its length, its English)."""
        for n in range(min(LONGEST_PHRASE, len(tokens)), 0, -1):
            english = self._lookup(tokens[:n])
            if english is not None:
                return n, english
        return 1, None

    def translate(self, text: str, vocab: Vocabulary) -> str | None:
        """The English gloss of an Italian question, or None when a word of it is not understood.

        A name the report writes ("Terra Madre Salone del Gusto", "Glasgow") is kept as it is."""
        tokens = _TOKEN.findall(text)
        out: list[str] = []
        i = 0
        while i < len(tokens):
            token = tokens[i]
            n = _report_name(tokens[i:], vocab.names)
            english = " ".join(tokens[i:i + n]) if n else None
            if english is None:
                n, english = self._longest(tokens[i:])
                if english and token[:1].isupper() and i > 0:
                    english = english[:1].upper() + english[1:]
            if english is None:
                if token[:1].isalnum() and not token[:1].isdigit() and fold(token).strip("'’") not in vocab.counts:
                    return None
                english = token
            out.append(english)
            i += n
        gloss = " ".join(w for w in out if w)
        gloss = re.sub(r"\s+([?.,;:!])", r"\1", gloss).strip()
        return gloss[:1].upper() + gloss[1:] if gloss else None


def _report_name(tokens: list[str], names: frozenset[str]) -> int:
    """How many of the tokens, from the first, make a name of two or more words the report writes; 0 if none."""
    if not tokens[0][:1].isupper():
        return 0
    for n in range(min(len(tokens), 8), 1, -1):
        if fold(_key(" ".join(tokens[:n]))) in names:
            return n
    return 0


def _key(text: str) -> str:
    return re.sub(r"'\s+", "'", re.sub(r"\s+", " ", text.replace("’", "'").lower())).strip()
