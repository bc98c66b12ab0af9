"""The short answer: the span of the cited sentence that answers the question alone.

"How many visitors…" -> "52,300 visitors"; "When…" -> "3 March 2024"; "Who…" -> "Maria
Bianchi"; "Where…" -> "Palazzo Chiablese". Other questions have no span: the sentence is the
answer.

- Dates: the most specific date of the sentence, else of its heading (a dated entry).
- Numbers and names: every number (with the words it counts) or capitalised run of the
  sentence is a candidate; each gets the signals in `SPAN_FEATURES` (the question's words
  around it and in it, the asked thing right after a number, an ordinal, a year, a number
  or name the question itself gives, a person's name for "who", a place after "in/at/to"
  for "where", an agent after "by", the distance to the question's words…), and a
  logistic model per kind, fitted on dev by `fitting.fit_spans`, picks the best one.
  Its weights sit in `reader_weights.json` beside the reader's and are passed in by the
  readers; before any fit, neutral weights rank by the question's words around the span.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from .question import Question
from .text import DATE, NAME, NUMBER, STOPWORDS, YEAR, fold, same_word, squash, stem, stems

NUMBER_FEATURES = (
    "around", "window", "asked", "ordinal", "year", "in_question", "first", "currency", "percent", "word_number",
)
NAME_FEATURES = (
    "around", "in_question", "person", "person_who", "agent", "agent_who", "place", "place_where",
    "distance", "first", "row_cell", "words", "sentence_start",
)
SPAN_FEATURES = {"number": NUMBER_FEATURES, "name": NAME_FEATURES}
NEUTRAL = {
    "number": [1.0, 0.1, 2.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
    "name": [1.0, -2.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, -1.0, 0.0, 0.0, 0.0, 0.0],
}
LOCATIVE = {"in", "at", "to", "from", "near", "into"}


@dataclass
class Span:
    text: str
    start: int
    features: np.ndarray


def kind_of(qtype: str) -> str:
    return {"number": "number", "who": "name", "where": "name"}.get(qtype, "")


def short_span(q: Question, sentence: str, heading: str = "", span_coef: dict[str, list[float]] | None = None) -> str:
    """The answer alone, as a span of the sentence; '' when the type gives no span.

    `span_coef`: the fitted models (`ReaderWeights.span_coef`, each kind's weights with its
    bias last); a kind without one, or fitted for other signals, ranks by `NEUTRAL`."""
    if q.qtype == "date":
        return _date_span(q, sentence, heading)
    kind = kind_of(q.qtype)
    if not kind:
        return ""
    spans = span_candidates(q, sentence)
    if not spans:
        return ""
    fitted = (span_coef or {}).get(kind, [])
    w = np.asarray(fitted if len(fitted) == len(SPAN_FEATURES[kind]) + 1 else [*NEUTRAL[kind], 0.0])
    scores = np.stack([s.features for s in spans]) @ w[:-1] + w[-1]
    return spans[int(np.argmax(scores))].text


def _date_span(q: Question, sentence: str, heading: str) -> str:
    qwords = _question_words(q)
    for text in (sentence, heading):
        found = [m.group(0) for m in DATE.finditer(text)]
        specific = [d for d in found if not YEAR.fullmatch(d) or fold(d) not in qwords]
        if specific:
            return max(specific, key=len)
    return ""


def span_candidates(q: Question, sentence: str) -> list[Span]:
    """Every candidate span of the sentence for the question's kind, with its signals."""
    kind = kind_of(q.qtype)
    if kind == "number":
        return _number_spans(q, sentence)
    if kind == "name":
        return _name_spans(q, sentence)
    return []


def _question_words(q: Question) -> set[str]:
    return {fold(w) for w in re.findall(r"[\w'-]+", q.text)}


def _share(found: set[str], wanted: set[str]) -> float:
    return len(found & wanted) / len(wanted) if wanted else 0.0


def _number_spans(q: Question, sentence: str) -> list[Span]:
    qstems, qwords = set(q.terms), _question_words(q)
    out = []
    matches = list(NUMBER.finditer(sentence))
    for i, m in enumerate(matches):
        tail = re.match(r"(?:\s+[\w'-]+){0,4}", sentence[m.end():])
        window = squash(m.group(0) + (tail.group(0) if tail else ""))
        window = re.split(r"[,;:()](?!\d)| (?:and|in|at|on|from|to|who|which|that|was|were|is|are|has|have|had|of the) ",
                          window + " ")[0].strip(" ,.")
        while window.count(" ") and fold(window.rsplit(" ", 1)[1]) in STOPWORDS:
            window = window.rsplit(" ", 1)[0]  # '… spectators who applauded the' ends at its noun
        counted = stems(re.sub(r"[\d.,€$£%]+", " ", window))
        figure = fold(m.group(0).strip())
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
        ])
        out.append(Span(window, m.start(), f))
    # An ordinal ('42nd edition') or a figure the question gives is never the count it asks for.
    counts = [s for s in out if not s.features[3] and not s.features[5]]
    return counts or out


def _name_spans(q: Question, sentence: str) -> list[Span]:
    qstems, qwords = set(q.terms), _question_words(q)
    who, where = float(q.qtype == "who"), float(q.qtype == "where")
    anchors = [m.start() for m in re.finditer(r"[A-Za-z]+", sentence) if stem(fold(m.group(0))) in qstems]
    out: list[Span] = []
    for run, start, end in _name_runs(sentence):
        tokens = run.strip(" .,'’").split()
        # Trim the sentence's capitalised first word and the question's own words at either end.
        while tokens and (fold(tokens[0]) in STOPWORDS or fold(tokens[0]) in qwords):
            tokens.pop(0)
        while tokens and (fold(tokens[-1]) in STOPWORDS or fold(tokens[-1]) in qwords):
            tokens.pop()
        text = " ".join(tokens)
        if not tokens or DATE.fullmatch(text):
            continue  # a month or a year is not who or where
        before = re.findall(r"[A-Za-z]+", sentence[max(0, start - 20): start])
        previous = fold(before[-1]) if before else ""
        person = float(2 <= len(tokens) <= 4 and not any(fold(t) in STOPWORDS for t in tokens))
        agent = float(previous == "by")
        place = float(previous in LOCATIVE)
        distance = min((abs(start - a) for a in anchors), default=200) / 100
        f = np.array([
            _share(stems(sentence[max(0, start - 40): end + 40]), qstems),
            sum(fold(t) in qwords for t in tokens) / len(tokens),
            person, person * who, agent, agent * who, place, place * where,
            min(distance, 2.0),
            0.0,  # set below: the earliest name of the sentence
            float(start == 0 and " | " in sentence),
            min(len(tokens), 6) / 6,
            float(start == 0),
        ])
        out.append(Span(text, start, f))
    first, earliest = NAME_FEATURES.index("first"), min((s.start for s in out), default=0)
    for span in out:
        span.features[first] = float(span.start == earliest)
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
