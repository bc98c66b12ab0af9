"""The extractive reader: answer with the report's own sentence, or say it does not say.

No language model and no hand-set cut-offs. For a question and its retrieved passages:

1. Candidates are the units (sentences, list items, table rows) of the retrieved
   passages, the unit just before and after each passage in its entry, and the units
   that name a question name the passages lack (found through a term index built once,
   so the cost does not grow with the report).
2. Each candidate gets the signals in `FEATURES`: its dense similarity to the question
   (and its previous unit's: the answer is often the sentence after the one that
   matches), rarity-weighted coverage of the question's words in the unit, the
   previous unit and the whole entry, the share of the question's names its entry
   holds, evidence of the asked type (a number, a date, a name), and its passage's rank.
3. A logistic model over those signals gives each candidate the probability that it
   holds the answer; the best one is the answer. A second logistic model over the best
   candidate's signals and the share of the question the report does not know at all
   decides whether to answer; a word the report lacks lowers support in proportion to
   its rarity weight instead of vetoing the answer.
4. The answer opens with the short answer (a span of the sentence: the number with its
   noun, the date, the name), then the quoted sentence, cited. A list question over a
   table answers with its rows; where two candidates give different figures of the
   asked type for the same subject, both are shown with their sections.

Both models' weights, the abstention threshold and the ratios for extra sentences are
fitted on the dev split with cross-validation (`assistant eval --fit`, see `fitting.py`)
and stored in `reader_weights.json`; `assistant eval` prints them.
"""

from __future__ import annotations

import bisect
import json
import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from .question import Question, Vocabulary, read_question
from .reader import Conversation, abstain, closest_sections
from .records import Answer, Chunk, Citation, Unit
from .retrieval import Hit
from .spans import SpanModel
from .text import CONTACT, DATE, MONTHS, NAME, NUMBER, YEAR, fold, person_names, stem, stems, weight_share, words

WEIGHTS_PATH = Path(__file__).with_name("reader_weights.json")

FEATURES = (
    "dense", "dense_prev", "coverage", "coverage_prev", "coverage_entry",
    "names", "type_evidence", "rank", "is_row_for_list", "first_in_entry", "dense_x_names", "coverage_x_type",
    "names_in_unit", "asked_in_unit", "year_missing", "number_evidence", "date_evidence", "person_evidence",
    "place_evidence", "next_dense",
)
SUPPORT_FEATURES = (
    "p_best", "dense_best", "coverage_best", "coverage_entry_best", "names_best", "unknown_share",
    "names_unknown", "margin", "span_found", "names_in_unit_best", "asked_in_unit_best", "year_missing_best",
)

# The guard judges another reader's answer: the support signals of this reader's own
# candidates, and the support the other reader reported.
GUARD_FEATURES = (
    *SUPPORT_FEATURES, "reader_support", "agrees", "cited_p", "cited_rank", "reader_span",
    "cited_dense", "cited_coverage", "cited_coverage_entry", "cited_asked", "cited_names", "short_fits",
    "short_asked",
)

NOTICE_IT = (
    "Il rapporto e l'assistente sono in inglese: riformula la domanda in inglese. "
    "The report and the assistant are in English: please ask the question in English, "
    "e.g. \"How many twinnings does Torino have?\""
)


@dataclass
class Candidate:
    row: int  # row in the unit matrix
    chunk: Chunk
    k: int  # unit number within the chunk
    features: np.ndarray
    p: float = 0.0

    @property
    def unit(self) -> Unit:
        return self.chunk.units[self.k]


def sigmoid(x: np.ndarray | float) -> np.ndarray | float:
    return 1.0 / (1.0 + np.exp(-x))


@dataclass
class ReaderWeights:
    """The fitted parameters; see `fitting.py` for how they are obtained."""

    candidate_coef: list[float]
    candidate_bias: float
    support_coef: list[float]
    support_bias: float
    answer_threshold: float
    extra_ratio: float  # a second sentence must reach this share of the best one's probability
    list_ratio: float  # an entry joins a list answer at this share of the best probability
    guard_coef: list[float] = field(default_factory=list)  # the guard over another reader's answers
    guard_bias: float = 0.0
    guard_threshold: float = 0.0
    span_coef: dict[str, list[float]] = field(default_factory=dict)  # short-answer spans (`spans.py`), bias last
    rule_params: dict[str, float] = field(default_factory=dict)  # the rule reader's cut-offs (`fitting.fit_rules`)

    @classmethod
    def load(cls, path: Path = WEIGHTS_PATH) -> ReaderWeights:
        """The fitted weights, or neutral ones before any fit."""
        if not path.exists():
            return cls.neutral()
        data = json.loads(path.read_text())
        weights = cls(**{k: data[k] for k in cls.__dataclass_fields__ if k in data})
        if len(weights.candidate_coef) != len(FEATURES) or len(weights.support_coef) != len(SUPPORT_FEATURES):
            return cls.neutral()  # fitted for other signals: refit with `assistant eval --fit`
        if len(weights.guard_coef) != len(GUARD_FEATURES):
            weights.guard_coef = []
        return weights

    @classmethod
    def neutral(cls) -> ReaderWeights:
        """Before any fitting: every signal counts alike, never abstain."""
        return cls([1.0] * len(FEATURES), -3.0, [1.0] * len(SUPPORT_FEATURES), 0.0, 0.0, 1.1, 1.1)


@lru_cache(maxsize=4096)
def _prefixes(text: str) -> frozenset[str]:
    """Every beginning, up to six letters, of each word of a text: what a name's word is looked up in."""
    return frozenset(w[:n] for w in re.findall(r"\w+", text) for n in range(1, min(len(w), 6) + 1))


class ExtractiveReader:
    """Picks, scores and cites the report's units that answer a question."""

    name = "extractive"

    @property
    def spans(self) -> SpanModel:
        """The short-answer picker, with the span weights as fitted now."""
        return SpanModel(self.weights.span_coef, self.vocab.lower, self.embed_texts)

    def __init__(
        self,
        chunks: Sequence[Chunk],
        unit_keys: Sequence[tuple[str, int]],
        unit_vectors: np.ndarray,
        embed: Callable[[str], Sequence[float]],
        vocab: Vocabulary,
        weights: ReaderWeights | None = None,
        embed_texts: Callable[[Sequence[str]], np.ndarray] | None = None,
    ) -> None:
        self.chunks = {c.id: c for c in chunks}
        self.embed = embed
        self.embed_texts = embed_texts  # several texts at once: the short answer's candidates
        self.vocab = vocab
        self.weights = weights or ReaderWeights.load()
        self.keys = list(unit_keys)
        self.row_of = {key: i for i, key in enumerate(self.keys)}
        vectors = np.asarray(unit_vectors, dtype=np.float32)
        self.vectors = vectors / (np.linalg.norm(vectors, axis=1, keepdims=True) + 1e-12)
        # Reading order inside each entry: previous and next unit of every row.
        by_entry: dict[str, list[int]] = defaultdict(list)
        for row, (cid, _) in enumerate(self.keys):
            by_entry[self.chunks[cid].entry_id].append(row)
        self.prev = np.full(len(self.keys), -1)
        self.next = np.full(len(self.keys), -1)
        self.entry_rows: dict[str, list[int]] = {}
        for entry_id, rows in by_entry.items():
            rows.sort(key=lambda r: self.unit_of(r).start)
            self.entry_rows[entry_id] = rows
            for a, b in zip(rows, rows[1:]):
                self.next[a], self.prev[b] = b, a
        self.unit_stems = [stems(f"{self.chunk_of(r).heading} {self.unit_of(r).text}") for r in range(len(self.keys))]
        self.unit_folded = [fold(f"{self.chunk_of(r).heading} {self.unit_of(r).text}") for r in range(len(self.keys))]
        self.entry_stems = {e: set().union(*(self.unit_stems[r] for r in rows)) for e, rows in by_entry.items()}
        self.entry_folded = {e: " ".join(self.unit_folded[r] for r in rows) for e, rows in by_entry.items()}
        df = Counter(s for ss in self.unit_stems for s in ss)
        n = len(self.keys)
        self.idf = {s: math.log(1 + n / d) for s, d in df.items()}
        self.max_idf = math.log(1 + n)
        self.rows_with: dict[str, list[int]] = defaultdict(list)  # stem -> rows, for name look-ups
        for row, ss in enumerate(self.unit_stems):
            for s in ss:
                self.rows_with[s].append(row)
        # Rows by where their unit starts in the report, to find the row a citation quotes.
        self.by_start = sorted(range(n), key=lambda r: self.unit_of(r).start)
        self.starts = [self.unit_of(r).start for r in self.by_start]
        self.group_rows: dict[tuple[str, str], list[int]] = defaultdict(list)
        for row in range(n):
            chunk = self.chunk_of(row)
            if chunk.kind == "row":
                self.group_rows[(chunk.section_id, chunk.group)].append(row)

    def chunk_of(self, row: int) -> Chunk:
        return self.chunks[self.keys[row][0]]

    def unit_of(self, row: int) -> Unit:
        cid, k = self.keys[row]
        return self.chunks[cid].units[k]

    # -- signals ---------------------------------------------------------------------

    def _coverage(self, q: Question, have: set[str]) -> float:
        weights = [self.idf.get(t, self.max_idf) for t in q.terms]
        total = sum(weights)
        return sum(w for t, w in zip(q.terms, weights) if t in have) / total if total else 0.0

    @staticmethod
    def _names_in(name: list[str], text: str) -> bool:
        """Does the folded text hold a form of the name, each word by its first six letters?"""
        have = _prefixes(text)
        return any(tokens and all(t in have for t in tokens)
                   for tokens in ([t[:6] for t in re.findall(r"[a-z0-9]+", form)] for form in name))

    def _rows_naming(self, name: list[str], limit: int = 24) -> list[int]:
        """Units naming `name`, through the term index (never a scan of the report)."""
        rows: set[int] = set()
        for form in name:
            toks = [w for w in words(form)]
            if not toks:
                continue
            pool = min((self.rows_with.get(stem(t), []) for t in toks), key=len)  # in report order
            found = 0
            for r in pool:  # the first `limit` in report order are all that can be kept
                if self._names_in([form], self.unit_folded[r]):
                    rows.add(r)
                    found += 1
                    if found == limit:
                        break
        return sorted(rows)[:limit]

    def _person(self, row: int, question_words: set[str]) -> float:
        """A run of two or more capitalised words the question does not hold: a person's name."""
        spans = (m.group(0) for m in NAME.finditer(self.unit_of(row).text))
        return float(any(len(s.split()) >= 2 and fold(s) not in question_words for s in spans))

    def _type_evidence(self, qtype: str, row: int, question_words: set[str]) -> float:
        text = self.unit_of(row).text
        if qtype == "date":
            return float(bool(DATE.search(text) or DATE.search(self.chunk_of(row).heading)))
        if qtype == "number":
            return float(bool(NUMBER.search(YEAR.sub("", text))))
        if qtype in ("who", "where"):
            return float(any(fold(m.group(0)) not in question_words for m in NAME.finditer(text[1:])))
        if qtype == "list":
            return float(self.chunk_of(row).kind == "row" or self.unit_of(row).kind == "item")
        if qtype == "contact":
            return float(any(pattern.search(text) for pattern in CONTACT.values()))
        return 1.0

    def candidates(self, q: Question, q_vec: np.ndarray, hits: Sequence[Hit]) -> list[Candidate]:
        rank: dict[str, int] = {}
        rows: set[int] = set()
        for i, hit in enumerate(hits):
            rank.setdefault(hit.chunk.id, i)
            chunk_rows = [self.row_of[(hit.chunk.id, k)] for k in range(len(hit.chunk.units))]
            rows.update(chunk_rows)
            rows.update(int(r) for r in (self.prev[chunk_rows[0]], self.next[chunk_rows[-1]]) if r >= 0)
        for name in q.names:
            if not any(self._names_in(name, self.entry_folded[self.chunk_of(r).entry_id]) for r in rows):
                rows.update(self._rows_naming(name))
        if q.qtype == "list":
            # A table answers a list: all rows of the groups among the candidates.
            groups = {(self.chunk_of(r).section_id, self.chunk_of(r).group) for r in rows if self.chunk_of(r).kind == "row"}
            for g in groups:
                rows.update(self.group_rows[g])
        order = sorted(rows)
        dense = self.vectors[order] @ q_vec
        dense_of = dict(zip(order, dense.tolist()))
        qwords = {fold(w) for w in re.findall(r"[\w'-]+", q.text)} | {f for n in q.names for f in n}
        out = []
        entry_names: dict[str, float] = {}  # per entry: the share of the question's names it holds
        for row in order:
            chunk = self.chunk_of(row)
            prev = int(self.prev[row])
            entry_text = self.entry_folded[chunk.entry_id]
            if chunk.entry_id not in entry_names:
                entry_names[chunk.entry_id] = sum(self._names_in(n, entry_text) for n in q.names) / len(q.names) if q.names else 1.0
            names = entry_names[chunk.entry_id]
            prev_dense = float(self.vectors[prev] @ q_vec) if prev >= 0 else 0.0
            r = rank.get(chunk.id)
            f = np.array([
                dense_of[row],
                prev_dense,
                self._coverage(q, self.unit_stems[row]),
                self._coverage(q, self.unit_stems[prev]) if prev >= 0 else 0.0,
                self._coverage(q, self.entry_stems[chunk.entry_id]),
                names,
                self._type_evidence(q.qtype, row, qwords),
                1.0 / (1 + r) if r is not None else 0.0,
                float(q.qtype == "list" and chunk.kind == "row"),
                float(prev < 0),
                dense_of[row] * names,
                0.0,
                sum(self._names_in(n, self.unit_folded[row]) for n in q.names) / len(q.names) if q.names else 1.0,
                float(q.asked <= self.unit_stems[row]) if q.asked else 1.0,
                float(bool(q.years) and not all(y in entry_text for y in q.years)),
                0.0, 0.0, 0.0, 0.0,
                float(self.vectors[int(self.next[row])] @ q_vec) if self.next[row] >= 0 else 0.0,
            ], dtype=np.float64)
            typed = q.qtype in ("number", "date", "who", "where")
            f[11] = f[2] * f[6] if typed else 0.0
            slot = {"number": 15, "date": 16, "who": 17, "where": 18}.get(q.qtype)
            if slot is not None:
                f[slot] = self._person(row, qwords) if q.qtype == "who" else f[6]
            out.append(Candidate(row, chunk, self.keys[row][1], f))
        if out:
            w = self.weights
            ps = sigmoid(np.stack([c.features for c in out]) @ np.asarray(w.candidate_coef) + w.candidate_bias)
            for c, p in zip(out, np.atleast_1d(ps)):
                c.p = float(p)
        return sorted(out, key=lambda c: c.p, reverse=True)

    def support_features(self, q: Question, ranked: Sequence[Candidate]) -> np.ndarray:
        best = ranked[0]
        weights = [self.idf.get(t, self.max_idf) for t in q.terms]
        total = sum(weights) or 1.0
        unknown = sum(w for t, w in zip(q.terms, weights) if t not in self.idf) / total
        names_unknown = (
            sum(not self._rows_naming(n, limit=1) for n in q.names) / len(q.names) if q.names else 0.0
        )
        second = ranked[1].p if len(ranked) > 1 else 0.0
        typed = q.qtype in ("number", "date", "who", "where")
        span = float(bool(self.spans.short_of(q, best.unit.text, best.chunk.heading))) if typed else 1.0
        f = best.features
        return np.array([best.p, f[0], f[2], f[4], f[5], unknown, names_unknown, best.p - second, span, f[12], f[13], f[14]])

    def _unknown_name_share(self, q: Question) -> float:
        """The rarity-weighted share of the question held by names the report never mentions."""
        unknown = {stem(w) for n in q.names if not self._rows_naming(n, limit=1) for w in words(n[0])}
        return weight_share(q.terms, unknown, self.idf, self.max_idf)

    def support(self, q: Question, ranked: Sequence[Candidate]) -> float:
        w = self.weights
        return float(sigmoid(self.support_features(q, ranked) @ np.asarray(w.support_coef) + w.support_bias))

    def guard_features(self, question: str, passages: Sequence[Hit], answer: Answer) -> np.ndarray | None:
        """Signals for judging `answer` (another reader's) to `question`; None if there are none."""
        q = read_question(question)
        q_vec = np.asarray(self.embed(question), dtype=np.float32)
        q_vec /= np.linalg.norm(q_vec) + 1e-12
        ranked = self.candidates(q, q_vec, passages)
        if not ranked:
            return None
        cited = answer.citations[0] if answer.citations else None
        at = next((i for i, c in enumerate(ranked) if cited and c.unit.start <= cited.start < c.unit.end + 1), None)
        typed = q.qtype in ("number", "date", "who", "where")
        span = float(bool(answer.short_answer) and answer.short_answer != (cited.quote if cited else "")) if typed else 1.0
        row = self._cited_row(cited) if cited else None
        if row is None:
            quoted = [0.0] * 5
        else:
            entry = self.chunk_of(row).entry_id
            quoted = [
                float(self.vectors[row] @ q_vec),
                self._coverage(q, self.unit_stems[row]),
                self._coverage(q, self.entry_stems[entry]),
                float(q.asked <= self.unit_stems[row]) if q.asked else 1.0,
                sum(self._names_in(n, self.unit_folded[row]) for n in q.names) / len(q.names) if q.names else 1.0,
            ]
        return np.append(self.support_features(q, ranked), [
            answer.support,
            float(at == 0),
            ranked[at].p if at is not None else 0.0,
            1.0 / (1 + at) if at is not None else 0.0,
            span,
            *quoted,
            self._short_fits(q, answer.short_answer),
            # The short answer names what is asked ('1,500 athletes' for 'how many athletes').
            float(not q.asked or bool(q.asked & stems(answer.short_answer))),
        ])

    def _cited_row(self, cited: Citation) -> int | None:
        """The row whose unit holds the start of a citation's quote."""
        i = bisect.bisect_right(self.starts, cited.start) - 1
        if i < 0:
            return None
        row = self.by_start[i]
        return row if cited.start < self.unit_of(row).end + 1 else None

    def _short_fits(self, q: Question, short: str) -> float:
        """Whether the short answer is of the asked kind: a person's name for 'who', a figure
        for 'how many', a date for 'when', a name for 'where'; 1 for other questions."""
        if q.qtype == "who":
            return float(bool(person_names(short, self.vocab.lower)))
        if q.qtype == "number":
            return float(bool(NUMBER.search(YEAR.sub("", short))))
        if q.qtype == "date":
            return float(bool(DATE.search(short)))
        if q.qtype == "where":
            return float(any(fold(m.group(0)) not in self.vocab.lower for m in NAME.finditer(short)))
        return 1.0

    # -- answering -------------------------------------------------------------------

    def answer(self, question: str, passages: Sequence[Hit], conversation: Conversation | None = None) -> Answer:
        q = read_question(question)
        if q.language != "en":
            return Answer(question, NOTICE_IT, True, [], qtype=q.qtype, notice=NOTICE_IT,
                          suggestions=closest_sections(passages))
        q_vec = np.asarray(self.embed(question), dtype=np.float32)
        q_vec /= np.linalg.norm(q_vec) + 1e-12
        ranked = self.candidates(q, q_vec, passages)
        if not ranked:
            return abstain(question, q.qtype, passages, 0.0)
        # A name the report never mentions lowers support by its share of the question's
        # weight, as in the rule reader: "…twin with Ulaanbaatar?" is mostly that name.
        support = self.support(q, ranked) * (1 - self._unknown_name_share(q))
        if support < self.weights.answer_threshold:
            return abstain(question, q.qtype, passages, support)
        answer = self.compose(question, q, ranked)
        answer.support = support
        return answer

    def compose(self, question: str, q: Question, ranked: list[Candidate]) -> Answer:
        """The answer from ranked candidates, whatever the support."""
        if q.qtype == "list":
            return self._list_answer(question, q, ranked)
        return self._sentence_answer(question, q, ranked)

    def _sentence_answer(self, question: str, q: Question, ranked: list[Candidate]) -> Answer:
        best = ranked[0]
        chosen = [best]
        figure = self.spans.short_of(q, best.unit.text, best.chunk.heading)
        conflict: Candidate | None = None
        if q.qtype in ("number", "date") and figure:
            conflict = next(
                (c for c in ranked[1:12]
                 if c.p >= self.weights.extra_ratio * best.p
                 and c.chunk.entry_id != best.chunk.entry_id
                 and c.features[5] >= best.features[5]
                 and (other := self.spans.short_of(q, c.unit.text, c.chunk.heading))
                 and comparable(figure, other)
                 and self._same_subject(q, best, c)),
                None,
            )
        if conflict is not None:
            chosen.append(conflict)
        else:
            covered = self.unit_stems[best.row]
            for c in ranked[1:6]:
                adds = {t for t in q.terms if t in self.unit_stems[c.row] and t not in covered}
                if c.p >= self.weights.extra_ratio * best.p and adds and c.unit.text != best.unit.text:
                    chosen.append(c)
                    break
        citations = [cite(n, c) for n, c in enumerate(chosen, 1)]
        if conflict is not None:
            second = self.spans.short_of(q, conflict.unit.text, conflict.chunk.heading)
            short = f"{figure} (§{best.chunk.section_id}) or {second} (§{conflict.chunk.section_id})"
            text = (f"The report gives two figures: {figure} [1] and {second} [2]. "
                    f"“{best.unit.text}” [1] “{conflict.unit.text}” [2]")
            return Answer(question, text, False, citations, qtype=q.qtype, short_answer=short)
        quotes = " ".join(f"“{with_date(q, c)}” [{n}]" for n, c in enumerate(chosen, 1))
        short = figure or ""
        text = f"{short}: {quotes}" if short and fold(short) != fold(best.unit.text) else quotes
        return Answer(question, text, False, citations, qtype=q.qtype, short_answer=short or best.unit.text)

    def _same_subject(self, q: Question, a: Candidate, b: Candidate) -> bool:
        """Two units speak of the same thing when they share the question's rarer words
        beyond what the question's names already give (a measure, not just a place)."""
        shared = {t for t in q.terms if t in self.unit_stems[a.row] and t in self.unit_stems[b.row]}
        return self._coverage(q, shared) >= 0.5 * min(a.features[2], b.features[2]) and float(
            self.vectors[a.row] @ self.vectors[b.row]) >= 0.5

    def _list_answer(self, question: str, q: Question, ranked: list[Candidate]) -> Answer:
        best = ranked[0]
        if best.chunk.kind == "row":
            rows = [c for c in ranked if c.chunk.kind == "row" and (c.chunk.section_id, c.chunk.group) == (best.chunk.section_id, best.chunk.group)]
            chosen = self._select_rows(question, q, rows) or [best]
        else:
            seen: dict[str, Candidate] = {}
            for c in ranked:
                if c.p >= self.weights.list_ratio * best.p:
                    seen.setdefault(c.chunk.entry_id, c)
            chosen = list(seen.values())[:8]
        if len(chosen) > 8 and best.chunk.kind == "row":
            chosen.sort(key=lambda c: c.unit.start)
            names = ", ".join(c.chunk.heading for c in chosen)
            quote = "; ".join(c.unit.text for c in chosen)
            citation = Citation(1, best.chunk.section_id, best.chunk.section_title, best.chunk.group, best.chunk.pages,
                                quote, chosen[0].unit.start, chosen[-1].unit.end, "\n".join(c.unit.text for c in chosen))
            return Answer(question, f"{best.chunk.group} ({len(chosen)}): {names} [1]", False, [citation],
                          qtype=q.qtype, short_answer=names)
        chosen.sort(key=lambda c: c.unit.start)
        citations = [cite(n, c) for n, c in enumerate(chosen, 1)]
        items = [c.chunk.heading if c.chunk.kind == "row" else c.unit.text for c in chosen]
        if len(chosen) == 1 and chosen[0].chunk.kind != "row":
            return Answer(question, f"“{chosen[0].unit.text}” [1]", False, citations, qtype=q.qtype,
                          short_answer=chosen[0].unit.text)
        lines = [f"{c.unit.text} [{n}]" if c.chunk.kind == "row" else f"{c.chunk.heading}: “{c.unit.text}” [{n}]"
                 for n, c in enumerate(chosen, 1)]
        return Answer(question, "; ".join(lines), False, citations, qtype=q.qtype, short_answer=", ".join(items))

    def _select_rows(self, question: str, q: Question, rows: list[Candidate]) -> list[Candidate]:
        """The rows of one table that match what sets them apart in the question: a name or
        a word some rows have and others lack ('French' cities, 'agreements')."""
        folded = {c.row: self.unit_folded[c.row] for c in rows}

        def selective(marks: list[list[str]]) -> list[list[str]]:
            return [m for m in marks if 0 < sum(self._names_in(m, folded[c.row]) for c in rows) < len(rows)]

        names = selective(q.names)
        name_words = {stem(w) for n in q.names for f in n for w in words(f)}
        terms = selective([[t] for t in q.terms if t not in name_words])
        either = any if " or " in f" {fold(question)} " else all
        return [
            c for c in rows
            if all(self._names_in(m, folded[c.row]) for m in names)
            and (not terms or either(self._names_in(m, folded[c.row]) for m in terms))
        ]


def _figure(span: str) -> str:
    """The digits (or date words) of a span, for telling two figures apart."""
    return " ".join(re.findall(rf"\d+|{MONTHS}", span))


def comparable(a: str, b: str) -> bool:
    """Two different figures of one kind: both dates with a month (or both bare years), or
    numbers of the same thing ('222,000 visitors' vs '220 thousand visitors')."""
    fa, fb = _figure(a), _figure(b)
    if not fa or not fb or fa == fb:
        return False
    month_a, month_b = bool(re.search(MONTHS, a)), bool(re.search(MONTHS, b))
    if month_a or month_b:
        return month_a and month_b
    nouns_a = stems(re.sub(r"[\d.,]+", " ", a)) - {"thousand", "million", "billion"}
    nouns_b = stems(re.sub(r"[\d.,]+", " ", b)) - {"thousand", "million", "billion"}
    return bool(nouns_a & nouns_b) or not (nouns_a or nouns_b)


def with_date(q: Question, c: Candidate) -> str:
    """A 'when' answer from a dated entry whose sentence has no date: the heading's date first."""
    text = c.unit.text
    if q.qtype == "date" and not DATE.search(text):
        m = DATE.search(c.chunk.heading)
        if m:
            return f"{m.group(0)}: {text}"
    return text


def cite(n: int, c: Candidate) -> Citation:
    ch = c.chunk
    return Citation(n, ch.section_id, ch.section_title, ch.heading, ch.pages, c.unit.text, c.unit.start, c.unit.end, ch.body)


class GuardedReader:
    """Another reader's answers, kept only when a model fitted on dev (`fitting.fit_guard`)
    judges them likely right; otherwise "the report does not say".

    The guard's signals (`GUARD_FEATURES`): this reader's support signals for the same
    passages, whether it agrees with the cited sentence and how it ranks it, and the cited
    sentence's own fit to the question (its similarity, its and its entry's rarity-weighted
    coverage of the question, whether it names what is asked and the question's names),
    and whether the short answer is of the asked kind and names what is asked."""

    name = "extractive"

    def __init__(self, base, judge: ExtractiveReader) -> None:
        self.base = base
        self.judge = judge

    def answer(self, question: str, passages: Sequence[Hit], conversation: Conversation | None = None) -> Answer:
        answer = self.base.answer(question, passages, conversation)
        w = self.judge.weights
        if answer.abstained or not w.guard_coef or w.guard_threshold <= 0 or answer.qtype == "list":
            # A list gathers several entries: the guard's signals judge one sentence. A
            # threshold of 0 (what the fit chose when no cut-off beat keeping every answer)
            # keeps everything, so there is nothing to compute.
            return answer
        features = self.judge.guard_features(question, passages, answer)
        if features is None:
            return answer
        p = float(sigmoid(features @ np.asarray(w.guard_coef) + w.guard_bias))
        if p < w.guard_threshold:
            return abstain(question, answer.qtype, passages, p)
        answer.support = p
        return answer
