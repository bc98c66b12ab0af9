"""The short answer: the span of the cited sentences that answers the question alone.

"How many visitors…" -> "52,300 visitors"; "When…" -> "3 March 2024"; "Who…" -> "Maria
Bianchi"; "Where…" -> "Palazzo Chiablese". Other questions have no span: the sentence is the
answer.

- Candidates: every number (with the words it counts), date (also of the entry's heading)
  or capitalised run of the quoted sentences, by the question's kind (`kind_of`).
- Signals (`SPAN_FEATURES`): how close a figure and what it counts come to the question
  in meaning (the embedding model, injected), the question's words around it, in it and
  among the five words just before and just after it, the asked thing right after (or
  just before) a number, an ordinal, a year, a figure or name the question itself gives,
  a person's name for "who", a place after "in/at/to" for "where", an agent after "by",
  the distance to the question's words, the sentence's first name when "who" asks for the
  doer, words the report also writes in lower case, whether it sits in the one item of a
  list of 'Name – role' items that holds a word of the question no other item holds ('A
  – Mayor of Alba, B – Mayor of Bra'), which quoted sentence it is in and how much of the
  question that sentence covers…
- A logistic model per kind (names for "who" and places for "where" apart), fitted on dev
  by `fitting.fit_spans` (its regularisation chosen out of fold), picks the best span. A
  model is kept only where it beats the neutral ranking (`NEUTRAL`: the first sentence,
  then the question's words around the span). "Which/what <noun>" questions are answered
  by a whole quoted sentence: the first unless a fitted model picks the one that answers
  better ('Which rider…' -> the second, which names him); as its candidates are the quoted
  sentences themselves, that model sees each signal also against the other sentences
  (`ranked`: how far below the best, and whether this one alone is the best). The weights
  sit in `reader_weights.json` and are passed in by the readers.
- A question asking "how many" twice gets its two figures.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable, Sequence

import numpy as np

from .question import Question, contact_asked, did_what
from .text import AUXILIARY, CONTACT, DATE, NAME, NAME_JOINERS, NUMBER, STOPWORDS, YEAR, affirmed, fold, same_word, squash, stem, stems

NUMBER_FEATURES = (
    "around", "window", "asked", "ordinal", "year", "in_question", "first", "currency", "percent", "word_number",
    "before", "asked_before", "sentence", "coverage", "meaning",
)
NAME_FEATURES = (
    "around", "in_question", "person", "person_who", "agent", "agent_who", "place", "place_where",
    "distance", "first", "first_doer", "first_other", "row_cell", "words", "sentence_start", "common", "cut",
    "title_off", "before", "after", "item_named", "sentence", "coverage",
)
_FIRST, _FIRST_DOER, _FIRST_OTHER = (NAME_FEATURES.index(n) for n in ("first", "first_doer", "first_other"))
_ASKED, _ASKED_BEFORE = NUMBER_FEATURES.index("asked"), NUMBER_FEATURES.index("asked_before")
DATE_FEATURES = ("around", "heading", "year_only", "specific", "first", "before", "after", "sentence", "coverage")
# "thing": a 'which/what <noun>' question ('which partner leads…'), answered by one of the
# quoted sentences whole: one that names something the question does not, a person…
THING_FEATURES = ("new_name", "person", "sentence", "coverage")
SPAN_FEATURES = {"number": NUMBER_FEATURES, "name": NAME_FEATURES, "place": NAME_FEATURES, "date": DATE_FEATURES,
                 "thing": THING_FEATURES}
# Before any fit: the first sentence first; there, the question's words around a span. A
# 'thing' question has no neutral ranking: without a fitted model its answer is the sentence.
NEUTRAL = {
    "number": [1.0, 0.1, 2.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, -3.0, 0.0, 0.0],
    "name": [1.0, -2.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, -1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
             0.0, -3.0, 0.0],
    "date": [0.0, -1.0, 0.0, 1.0, 0.0, 0.0, 0.0, -3.0, 0.0],
}
NEUTRAL["place"] = NEUTRAL["name"]
LOCATIVE = {"in", "at", "to", "from", "near", "into"}
ENDS = STOPWORDS | set(NAME_JOINERS)  # words a name neither begins nor ends with
THING = re.compile(rf"^(?:\w+ )?(?:which|what) (?!(?:{AUXILIARY})\b)\w+")
MANY = re.compile(r"\bhow (?:many|much)\b")
# A score or a range written with a hyphen ('29-11', '6-4') is one figure, not two.
FIGURE = re.compile(rf"(?<![\w.-])\d{{1,3}}-\d{{1,3}}(?![\w-]|[.,]\d)|{NUMBER.pattern}", re.I)
WORD_START = re.compile(r"(?<![\w'’.&-])(?=[\w])")
# A listed name may carry a gloss in brackets: 'Louga (Senegal)'. Names joined by commas
# alone are a list from three on; two ('the Mayor, Maria Rossi') are an apposition.
_ITEM = rf"(?:the\s+)?(?:{NAME.pattern})(?:\s*\([^()]*\))?"
ENUMERATION = re.compile(rf"{_ITEM}(?:\s*,\s*{_ITEM})+,?\s+(?:and|&)\s+{_ITEM}|{_ITEM}(?:\s*,\s*{_ITEM}){{2,}}"
                         rf"|{_ITEM}\s+(?:and|&)\s+{_ITEM}")


@dataclass
class Span:
    text: str
    start: int
    features: np.ndarray
    sentence: int = 0  # which of the quoted sentences it comes from
    whole: bool = False  # the quoted sentence itself


def kind_of(q: Question) -> str:
    """Which span model answers the question: number, name (who), place (where), date, thing,
    or none. Names and places weigh the same signals, each with its own fit: a person's
    name is what 'who' wants and what 'where' does not."""
    kind = {"number": "number", "who": "name", "where": "place", "date": "date"}.get(q.qtype, "")
    if not kind and q.qtype == "fact" and THING.match(fold(q.text)):
        return "thing"
    return kind


@dataclass(frozen=True)
class SpanModel:
    """What picks a short answer: the fitted models (`ReaderWeights.span_coef`, each kind's
    weights with its bias last; a kind without one, or fitted for other signals, ranks by
    `NEUTRAL`) and the words the report writes in lower case ('organised', not 'Paris'),
    which tell a capitalised first word from a name."""

    coef: dict[str, list[float]] = field(default_factory=dict)
    common: frozenset[str] = frozenset()
    # Texts -> vectors (the embedding model, injected): how close what a figure counts comes
    # to the question ('1,600 participants' to 'how many people took part'). None: not used.
    embed: Callable[[Sequence[str]], np.ndarray] | None = None

    def short(self, q: Question, quotes: Sequence[tuple[str, str]]) -> str:
        """The answer alone, as spans of the quoted sentences (each with its heading)
        joined; '' when the question's kind gives no span."""
        if q.qtype == "contact":  # the addresses of the asked media, from the first quote giving any
            asked = contact_asked(q.text)
            for sentence, _ in quotes:
                found = [m.group(0) for medium, pattern in CONTACT.items() if medium in asked for m in pattern.finditer(sentence)]
                if found:
                    return ", ".join(dict.fromkeys(found))
            return ""
        return ", ".join(s.text for s in self.best(q, quotes))

    def short_of(self, q: Question, sentence: str, heading: str = "") -> str:
        """The answer alone from one sentence (or its heading's date)."""
        return self.short(q, [(sentence, heading)])

    def enumeration(self, q: Question, sentences: Sequence[str]) -> str:
        """The names one sentence lists ('Torino, Rome and Saragozza'), the earliest
        sentence first; of its lists, the one most made of names (words the report never
        writes in lower case), then the one the question's words lead into, then the
        longest; '' when none is mostly names."""
        qwords = _question_words(q)
        for sentence in sentences:
            scored = []
            # Every name may open a list: 'Torino and the Cities of A' must not hide 'A, B and C'.
            for m in filter(None, (ENUMERATION.match(sentence, w.start()) for w in WORD_START.finditer(sentence))):
                items = [i for i in re.split(r"\s*,\s*(?:and\s+|&\s+)?|\s+(?:and|&)\s+", m.group(0)) if i]
                named = [i for i in items if any(fold(w) not in self.common and fold(w) not in qwords
                                                 and fold(w) not in ENDS for w in re.findall(r"[\w'’-]+", i))]
                if len(named) * 2 >= len(items):
                    near = _share(stems(sentence[max(0, m.start() - 40): m.start()]), set(q.terms))
                    scored.append((len(named) / len(items), near, len(items), m.group(0)))
            if scored:
                return max(scored)[-1]
        return ""

    def best(self, q: Question, quotes: Sequence[tuple[str, str]]) -> list[Span]:
        """The spans that answer the question, in the order of the quotes. A question
        asking 'how many' twice gets two figures."""
        kind = kind_of(q)
        fitted = self.coef.get(kind, [])
        if kind in SPAN_FEATURES and len(fitted) == len(signal_names(kind)) + 1:
            w = np.asarray(fitted)
        elif kind in NEUTRAL:
            w = np.asarray([*NEUTRAL[kind], 0.0])
        else:
            return []
        spans = span_candidates(q, quotes, self.common, self.embed)
        if not spans:
            return []
        scores = signals(kind, np.stack([s.features for s in spans])) @ w[:-1] + w[-1]
        wanted = max(1, len(MANY.findall(fold(q.text)))) if kind == "number" else 1
        best: list[Span] = []
        for i in np.argsort(-scores, kind="stable"):
            if all(spans[i].text not in b.text and b.text not in spans[i].text for b in best):
                best.append(spans[i])
            if len(best) == wanted:
                break
        return sorted(best, key=lambda s: (s.sentence, s.start))


# Kinds whose model sees each signal against the question's other candidates (`ranked`).
# Measured on dev by nested cross-validation (the fit's own choice of regularisation
# inside each outer fold): 'which X' sentences 0.94 ranked against 0.86 alone; figures
# 0.89 against 0.90 and names 0.74 against 0.74, so spans keep their signals alone.
RANKED_KINDS = frozenset({"thing"})


def ranked(features: np.ndarray) -> np.ndarray:
    """One question's candidates' signals (a row each), with each signal also measured
    against the other candidates: how far below the best it is, and whether this candidate
    alone is the best. A sentence is picked against the other quoted ones, not on its own."""
    top = features.max(axis=0)
    alone = (features == top) & ((features == top).sum(axis=0) == 1)
    return np.hstack([features, features - top, alone.astype(float)])


def signals(kind: str, features: np.ndarray) -> np.ndarray:
    """What a kind's model weighs: one question's candidates' signals, `ranked` for `RANKED_KINDS`."""
    return ranked(features) if kind in RANKED_KINDS else features


def signal_names(kind: str) -> tuple[str, ...]:
    """The names of what a kind's model weighs, in the order of `signals`."""
    names = SPAN_FEATURES[kind]
    if kind not in RANKED_KINDS:
        return names
    return (*names, *(f"{n} -best" for n in names), *(f"{n} alone best" for n in names))


def span_candidates(q: Question, quotes: Sequence[tuple[str, str]], common: frozenset[str] = frozenset(),
                    embed: Callable[[Sequence[str]], np.ndarray] | None = None) -> list[Span]:
    """Every candidate span of the quoted sentences for the question's kind, with its signals."""
    kind = kind_of(q)
    qwords, qstems = _question_words(q), set(q.terms)  # read once, for every quote
    out: list[Span] = []
    for i, (sentence, heading) in enumerate(quotes):
        coverage = _share(stems(sentence), qstems)
        if kind == "number":
            found = _number_spans(q, sentence, qwords, qstems)
        elif kind in ("name", "place"):
            found = _name_spans(q, sentence, qwords, qstems, common)
        elif kind == "thing":
            found = [_thing_span(q, sentence, qwords, qstems, common)]
        elif kind == "date":
            found = _date_spans(sentence, heading, qwords, qstems)
        else:
            found = []
        for span in found:
            span.sentence = i
            span.features = np.append(span.features, [min(i, 2), coverage])
        out += found
    if kind == "number" and out:
        for span, close in zip(out, _meaning(q, [s.text for s in out], embed)):
            span.features = np.append(span.features, close)
    return out


def _meaning(q: Question, texts: list[str], embed: Callable[[Sequence[str]], np.ndarray] | None) -> np.ndarray:
    """The cosine of each text to the question, by the embedding model; 0 without one."""
    if embed is None:
        return np.zeros(len(texts))
    vectors = np.asarray(embed([affirmed(q.text), *texts]), dtype=float)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True) + 1e-12
    return vectors[1:] @ vectors[0]


def _thing_span(q: Question, sentence: str, qwords: set[str], qstems: set[str], common: frozenset[str]) -> Span:
    """The sentence whole, with whether it names something the question does not, and a person."""
    names = [s for s in _name_spans(q, sentence, qwords, qstems, common) if s.features[1] == 0]
    return Span(sentence, 0, np.array([float(bool(names)), float(any(s.features[2] for s in names))]), whole=True)


def _date_spans(sentence: str, heading: str, qwords: set[str], qstems: set[str]) -> list[Span]:
    """Dates of the sentence, then of its heading (a dated entry); a year the question gives is no answer."""
    out = []
    for from_heading, text in ((0.0, sentence), (1.0, heading)):
        for m in DATE.finditer(text):
            date = m.group(0)
            year_only = bool(YEAR.fullmatch(date))
            if year_only and fold(date) in qwords:
                continue
            before, after = _beside(text, m.start(), m.end()) if not from_heading else ([], [])
            f = np.array([
                _share(stems(text[max(0, m.start() - 40): m.end() + 40]), qstems) if not from_heading else 0.0,
                from_heading, float(year_only), min(len(date), 30) / 30, float(m.start() == 0),
                _share(stems(" ".join(before)), qstems), _share(stems(" ".join(after)), qstems),
            ])
            out.append(Span(date, m.start(), f))
    return out


def _question_words(q: Question) -> set[str]:
    """The question's words, and its names' other forms ('Ukrainian' -> 'ukraine'), folded."""
    found = {fold(w) for w in re.findall(r"[\w'-]+", q.text)} | {form for name in q.names for form in name}
    return found | {part for w in found for part in w.split("-")}


def _share(found: set[str], wanted: set[str]) -> float:
    return len(found & wanted) / len(wanted) if wanted else 0.0


def _beside(sentence: str, start: int, end: int, words: int = 5) -> tuple[list[str], list[str]]:
    """The few words right before and right after a span: what a name or figure is said to be
    ('Maria Rossi – Mayor of Alba'; 'a team of about 40')."""
    before = re.findall(r"[\w'’-]+", sentence[:start])[-words:]
    after = re.findall(r"[\w'’-]+", sentence[end:])[:words]
    return before, after


def counts_asked(q: Question, sentence: str) -> bool:
    """Does a figure of the sentence count what the question asks for, by the words after
    it or just before it ('48 foreign delegations'; 'a staff of about 130')?"""
    spans = _number_spans(q, sentence, _question_words(q), set(q.terms))
    return any(s.features[_ASKED] or s.features[_ASKED_BEFORE] for s in spans)


def counted(sentence: str) -> list[str]:
    """The words right after each figure of the sentence: what it may count ('425 students')."""
    found = []
    for m in FIGURE.finditer(sentence):
        found += [fold(w) for w in re.findall(r"[A-Za-z][\w'-]*", sentence[m.end():m.end() + 40])[:3] if fold(w) not in STOPWORDS]
    return list(dict.fromkeys(found))


def _number_spans(q: Question, sentence: str, qwords: set[str], qstems: set[str]) -> list[Span]:
    out = []
    for i, m in enumerate(FIGURE.finditer(sentence)):
        tail = re.match(r"(?:\s+[\w'-]+){0,4}", sentence[m.end():])
        window = squash(m.group(0) + (tail.group(0) if tail else ""))
        window = re.split(r"[,;:()](?!\d)| (?:and|in|at|on|from|to|who|which|that|was|were|is|are|has|have|had|of the) ",
                          window + " ")[0].strip(" ,.")
        while window.count(" ") and fold(window.rsplit(" ", 1)[1]) in STOPWORDS:
            window = window.rsplit(" ", 1)[0]  # '… spectators who applauded the' ends at its noun
        counted = stems(re.sub(r"[\d.,€$£%]+", " ", window))
        figure = fold(m.group(0).strip())
        before = stems(" ".join(_beside(sentence, m.start(), m.end())[0]))
        f = np.array([
            _share(stems(sentence[max(0, m.start() - 40): m.end() + 40]), qstems),
            _share(counted, qstems),
            sum(any(same_word(a, c) for c in counted) for a in q.asked) / len(q.asked) if q.asked else 0.0,
            float(bool(re.match(r"(?:st|nd|rd|th)\b", sentence[m.end():]))),
            float(bool(YEAR.fullmatch(figure))),
            float(figure in qwords or re.sub(r"\D", "", figure) in {re.sub(r"\D", "", w) for w in qwords if any(c.isdigit() for c in w)}),
            float(i == 0),
            float(bool(re.search(r"[€$£]|euro", sentence[max(0, m.start() - 3): m.end() + 8], re.I))),
            float("%" in window or "per cent" in window),
            float(not any(c.isdigit() for c in figure)),
            _share(before, qstems),
            sum(any(same_word(a, b) for b in before) for a in q.asked) / len(q.asked) if q.asked else 0.0,
        ])
        out.append(Span(window, m.start(), f))
    # An ordinal ('42nd edition') or a figure the question gives is never the count it asks
    # for, nor is a year what 'how many / how much' asks for ('since 1994, with a staff of 130').
    many = bool(MANY.search(fold(q.text)))
    counts = [s for s in out if not s.features[3] and not s.features[5] and not (many and s.features[4])]
    return counts or out


def _name_spans(q: Question, sentence: str, qwords: set[str], qstems: set[str], common: frozenset[str]) -> list[Span]:
    who, where = float(q.qtype == "who"), float(q.qtype == "where")
    anchors = [m.start() for m in re.finditer(r"[A-Za-z]+", sentence) if stem(fold(m.group(0))) in qstems]
    # A list of 'Name – what they are' items ('A – Mayor of X, B – Mayor of Y'): the one
    # item holding a word of the question no other item holds ('Y', however it is typed).
    items = [(m.start(), m.end()) for m in re.finditer(r"[^,;]*\s[–—]\s[^,;]*", sentence)]
    held = [stems(sentence[a:b]) & qstems for a, b in items]
    named_items = [item for k, item in enumerate(items)
                   if held[k] - set().union(*(h for j, h in enumerate(held) if j != k))]
    if len(items) < 2 or len(named_items) != 1:
        named_items = []

    def trimmed(token: str) -> bool:
        """A word a name neither begins nor ends with: a function word, or the question's own."""
        word = fold(token)
        return word in ENDS or word in qwords or stem(word) in qstems

    out: list[Span] = []
    for run, start, end in _name_runs(sentence):
        tokens = run.strip(" .,'’").split()
        # The sentence's first word is capitalised anyway: a word the report also writes in
        # lower case ('Organised by…') does not begin a name there.
        if start == 0 and tokens and fold(tokens[0]) in common:
            tokens.pop(0)
        dropped = []
        while tokens and trimmed(tokens[0]):
            dropped.append(tokens.pop(0))
        while tokens and trimmed(tokens[-1]):
            dropped.append(tokens.pop())
        cut = float(any(fold(t) not in ENDS for t in dropped))  # the run held the question's own words
        if not any(t[:1].isupper() for t in tokens) or DATE.fullmatch(" ".join(tokens)):
            continue  # a month, a year or an ordinal is not who or where
        variants = [(tokens, 0.0)]
        # Titles before a name ('Deputy Mayor …'): the report writes them in lower case too.
        bare = list(tokens)
        while len(bare) > 1 and fold(bare[0]) in common:
            bare.pop(0)
        if len(bare) < len(tokens) and any(fold(t) not in common for t in bare):
            variants.append((bare, 1.0))
        before = re.findall(r"[A-Za-z]+", sentence[max(0, start - 20): start])
        previous = fold(before[-1]) if before else ""
        agent = float(previous == "by")
        place = float(previous in LOCATIVE)
        distance = min((abs(start - a) for a in anchors), default=200) / 100
        beside = [_share(stems(" ".join(side)), qstems) for side in _beside(sentence, start, end)]
        for words_, stripped in variants:
            person = float(2 <= len(words_) <= 5 and not any(fold(t) in STOPWORDS for t in words_)
                           and sum(fold(t) not in common for t in words_) >= 2)
            f = np.array([
                _share(stems(sentence[max(0, start - 40): end + 40]), qstems),
                sum(fold(t) in qwords for t in words_) / len(words_),
                person, person * who, agent, agent * who, place, place * where,
                min(distance, 2.0),
                0.0, 0.0, 0.0,  # set below: the earliest name of the sentence, for a doer, for another 'who'
                float(start == 0 and " | " in sentence),
                min(len(words_), 6) / 6,
                float(start == 0),
                sum(fold(t) in common for t in words_) / len(words_),
                cut, stripped, *beside, float(any(a <= start < b for a, b in named_items)),
            ])
            out.append(Span(" ".join(words_), start, f))
    earliest = min((s.start for s in out), default=0)
    # 'Who won…' asks for the doer, often the sentence's first name; 'Who did X beat?' does not.
    doer = float(bool(who and did_what(q.text)))
    for span in out:
        is_first = float(span.start == earliest)
        span.features[_FIRST] = is_first
        span.features[_FIRST_DOER] = is_first * doer
        span.features[_FIRST_OTHER] = is_first * (who - doer)
    return out


def _name_runs(sentence: str) -> list[tuple[str, int, int]]:
    """Capitalised runs as (text, start, end), and the parts of a run joined by 'and'
    ('Alba and Bra' -> 'Alba', 'Bra'): a name may hold 'and', two names side by side do too."""
    runs = []
    for m in NAME.finditer(sentence):
        runs.append((m.group(0), m.start(), m.end()))
        at = m.start()
        parts = re.split(r"(\s+(?:and|&)\s+)", m.group(0))
        if len(parts) > 1:
            for i, part in enumerate(parts):
                if i % 2 == 0 and part:
                    runs.append((part, at, at + len(part)))
                at += len(part)
    return runs
