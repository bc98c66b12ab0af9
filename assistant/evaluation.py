"""Score the assistant on the evaluation set, beside two baselines, and write the reports.

What it does:
- reads `evals/qa.jsonl` (one question or conversation per line, with its gold answers and
  gold sections) and keeps one split of it;
- runs each system over the same items, timing every answer (warm: one untimed answer first);
- scores retrieval (hit@1/3/5 and MRR@5 of the first passage from a gold section), answers
  (every gold group present), citations (the first citation lies in a gold section),
  abstention (precision and recall on unanswerable items) and conflicts (both figures shown);
- breaks the scores down per chapter and per question type, lists every failure with what
  went wrong, and writes JSON, Markdown and two PNG plots to an output folder.

The systems: ours (hybrid retrieval), BM25 only over our chunks with the same answerer,
and llama-index's defaults (one Document, `SentenceSplitter()`, an in-memory
`VectorStoreIndex`, top-5 dense retrieval, the best sentence of the top chunk as answer).

What it does not do: build or repair our index (`build_assistant` does), assert targets
(they are reported as met or missed), or call any language model. Metric functions are
pure, so tests can check them on hand-worked cases.
"""

from __future__ import annotations

import json
import os
import re
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from .config import Settings
    from .records import Section
    from .service import Assistant

Echo = Callable[[str], None]
RETRIEVAL_DEPTH = 5  # hit@k and MRR are read from the first five passages of every system

# --------------------------------------------------------------------------- the set


@dataclass(frozen=True)
class QAItem:
    """One line of qa.jsonl: a question (or conversation), its gold answer groups and sections."""

    id: str
    turns: tuple[str, ...]
    answers: tuple[tuple[str, ...], ...]
    sections: tuple[str, ...]
    answerable: bool
    type: str
    evidence: str
    split: str

    @property
    def question(self) -> str:
        return self.turns[-1]

    @property
    def is_conversation(self) -> bool:
        return len(self.turns) > 1

    @property
    def chapter(self) -> str:
        return chapter_of(self.sections[0]) if self.sections else "none"

    @classmethod
    def from_json(cls, row: dict[str, Any]) -> QAItem:
        turns = row.get("turns") or [row["question"]]
        return cls(
            id=str(row["id"]),
            turns=tuple(turns),
            answers=tuple(tuple(group) for group in row.get("answers", [])),
            sections=tuple(row.get("sections", [])),
            answerable=bool(row.get("answerable", True)),
            type=str(row.get("type", "")),
            evidence=str(row.get("evidence", "")),
            split=str(row.get("split", "")),
        )


def question_item(question: str) -> QAItem:
    """A bare question as an item, for systems asked outside the set (the benchmark)."""
    return QAItem("ask", (question,), (), (), True, "", "", "")


SPLITS = ("dev", "test", "fresh", "fresh2", "fresh3")


def load_qa(path: Path, split: str = "all") -> list[QAItem]:
    """The items of one split ("dev", "test", "fresh", "fresh2", "fresh3" or "all"), in file order.

    `path` is one JSONL file or a folder of them (`evals/`: qa.jsonl, dev_extra.jsonl, dev_more.jsonl, dev_blind.jsonl,
    dev_blind2.jsonl, dev_blind3.jsonl, dev_blind4.jsonl, dev_blind5.jsonl, fresh.jsonl, fresh2.jsonl,
    fresh3.jsonl). The `fresh` splits were written by people who saw neither the code nor the other questions, and
    are only ever scored, never tuned on.
    """
    if split not in (*SPLITS, "all"):
        raise ValueError(f"unknown split {split!r}: use {', '.join(SPLITS)} or all")
    path = Path(path)
    files = sorted(path.glob("*.jsonl")) if path.is_dir() else [path]
    items = []
    for file in files:
        for line in file.read_text(encoding="utf-8").splitlines():
            if line.strip():
                item = QAItem.from_json(json.loads(line))
                if split == "all" or item.split == split:
                    items.append(item)
    return items


# --------------------------------------------------------------------------- metrics

_DASHES = re.compile("[\u2010\u2011\u2012\u2013\u2014\u2015\u2212]")
_SPACES = re.compile("[\u00a0\u2007\u2009\u202f]")
_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})


def normalise(text: str) -> str:
    """Fold what differs only in typography, so "12 – 19 November" matches "12-19 november".

    Thousands separators are left alone: "222,000" must be written as the report writes it.
    """
    text = text.replace("\\$", "$").translate(_QUOTES)
    text = _SPACES.sub(" ", _DASHES.sub("-", text)).lower()
    text = re.sub(r"\s+", " ", text)
    return re.sub(r" ?- ?", "-", text).strip()


def matched_groups(answer: str, groups: Sequence[Sequence[str]]) -> list[bool]:
    """For each gold group, whether any of its alternatives occurs in the answer."""
    said = normalise(answer)
    return [any(normalise(alt) in said for alt in group) for group in groups]


def is_correct(answer: str, groups: Sequence[Sequence[str]]) -> bool:
    """An answer is right when every group is matched (and there is at least one group)."""
    return bool(groups) and all(matched_groups(answer, groups))


def first_gold_rank(passages: Sequence[str | Sequence[str]], gold: Iterable[str]) -> int | None:
    """1-based rank of the first passage lying in a gold section; None if there is none.

    A passage is a section id, or the ids of every section it overlaps.
    ["4", "3.1", "3.1"] with gold {"3.1"} -> 2;  [("2", "3"), "3.1"] with gold {"3"} -> 1
    """
    wanted = set(gold)
    for rank, passage in enumerate(passages, start=1):
        ids = {passage} if isinstance(passage, str) else set(passage)
        if ids & wanted:
            return rank
    return None


def hit_at(ranks: Sequence[int | None], k: int) -> float | None:
    """Share of items whose first gold passage is within the top k."""
    if not ranks:
        return None
    return sum(1 for r in ranks if r is not None and r <= k) / len(ranks)


def mean_reciprocal_rank(ranks: Sequence[int | None]) -> float | None:
    """Mean of 1/rank, a miss counting 0: [1, 2, None, 4] -> (1 + 0.5 + 0 + 0.25) / 4."""
    if not ranks:
        return None
    return sum(1 / r for r in ranks if r) / len(ranks)


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-th percentile with linear interpolation between ranks (numpy's default)."""
    if not values:
        return None
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100
    low = int(pos)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


def share(part: int, whole: int) -> float | None:
    """part / whole, or None when there is nothing to divide by (reported as n/a)."""
    return part / whole if whole else None


def chapter_of(section_id: str) -> str:
    """"3.2" -> "3"; "colophon" -> "colophon"."""
    return section_id.split(".")[0]


# --------------------------------------------------------------------------- outcomes


@dataclass
class Reply:
    """What a system said for one item, in the terms the metrics need."""

    answer: str
    abstained: bool
    cited: list[str]  # section ids of the citations, in order
    understood_as: str
    short_answer: str = ""
    claims_dropped: int = 0


@dataclass
class Outcome:
    """One item answered by one system, scored."""

    id: str
    type: str
    chapter: str
    answerable: bool
    gold: list[str]
    question: str
    understood_as: str
    answer: str
    abstained: bool
    cited: list[str]
    retrieved: list[list[str]]  # sections of each retrieved passage, best first
    latency_ms: float
    missed: list[int] = field(default_factory=list)  # indexes of unmatched gold groups
    missed_alternatives: list[list[str]] = field(default_factory=list)
    correct: bool = False
    rank: int | None = None
    citation_ok: bool | None = None  # None: not scored (unanswerable or abstained)
    any_citation_ok: bool | None = None
    short_correct: bool = False  # the short answer alone holds the gold
    short_answer: str = ""
    claims_dropped: int = 0

    @property
    def passed(self) -> bool:
        """Item-level pass: right answer with a gold first citation, or abstaining when it should."""
        if not self.answerable:
            return self.abstained
        return self.correct and bool(self.citation_ok)

    def problems(self) -> list[str]:
        """What went wrong, in the words the failure list uses (empty when nothing did)."""
        if not self.answerable:
            return [] if self.abstained else ["answered an unanswerable"]
        if self.abstained:
            return ["abstained wrongly"]
        found = []
        if self.missed:
            groups = "; ".join(" / ".join(g) for g in self.missed_alternatives)
            found.append(f"wrong answer: missed group(s) {groups}")
        if not self.citation_ok:
            cited = self.cited[0] if self.cited else "nothing"
            found.append(f"wrong citation: cited {cited}, gold {', '.join(self.gold)}")
        return found


def score(item: QAItem, reply: Reply, retrieved: list[list[str]], latency_ms: float) -> Outcome:
    """Score one reply against its item."""
    outcome = Outcome(
        id=item.id,
        type=item.type,
        chapter=item.chapter,
        answerable=item.answerable,
        gold=list(item.sections),
        question=" / ".join(item.turns),
        understood_as=reply.understood_as,
        answer=reply.answer,
        abstained=reply.abstained,
        cited=reply.cited,
        retrieved=retrieved,
        latency_ms=latency_ms,
        claims_dropped=reply.claims_dropped,
    )
    if not item.answerable:
        return outcome
    outcome.short_answer = reply.short_answer
    outcome.short_correct = not reply.abstained and is_correct(reply.short_answer, item.answers)
    hits = matched_groups(reply.answer, item.answers)
    outcome.missed = [i for i, hit in enumerate(hits) if not hit]
    outcome.missed_alternatives = [list(item.answers[i]) for i in outcome.missed]
    outcome.correct = not reply.abstained and is_correct(reply.answer, item.answers)
    outcome.rank = first_gold_rank(retrieved, item.sections)
    if not reply.abstained:
        outcome.citation_ok = bool(reply.cited) and reply.cited[0] in item.sections
        outcome.any_citation_ok = any(s in item.sections for s in reply.cited)
    return outcome


def summarise(outcomes: Sequence[Outcome]) -> dict[str, Any]:
    """All headline metrics over a list of outcomes (None where a metric has no items)."""
    answerable = [o for o in outcomes if o.answerable]
    unanswerable = [o for o in outcomes if not o.answerable]
    answered = [o for o in answerable if not o.abstained]
    abstained = [o for o in outcomes if o.abstained]
    conflicts = [o for o in outcomes if o.type == "conflict"]
    ranks = [o.rank for o in answerable]
    latencies = [o.latency_ms for o in outcomes]
    return {
        "items": len(outcomes),
        "answerable": len(answerable),
        "unanswerable": len(unanswerable),
        "hit@1": hit_at(ranks, 1),
        "hit@3": hit_at(ranks, 3),
        "hit@5": hit_at(ranks, 5),
        "mrr@5": mean_reciprocal_rank(ranks),
        "accuracy": share(sum(o.correct for o in answerable), len(answerable)),
        "citation_accuracy": share(sum(bool(o.citation_ok) for o in answered), len(answered)),
        "citation_any": share(sum(bool(o.any_citation_ok) for o in answered), len(answered)),
        "abstention_precision": share(sum(not o.answerable for o in abstained), len(abstained)),
        "abstention_recall": share(sum(o.abstained for o in unanswerable), len(unanswerable)),
        "conflict_coverage": share(sum(o.correct for o in conflicts), len(conflicts)),
        "passed": share(sum(o.passed for o in outcomes), len(outcomes)),
        # Answered but wrong: an answerable item without its gold, or an unanswerable one answered.
        "confidently_wrong": sum(not o.abstained and not o.correct for o in answerable)
        + sum(not o.abstained for o in unanswerable),
        "median_answer_words": percentile([len(o.answer.split()) for o in answered], 50),
        "median_short_words": percentile([len(o.short_answer.split()) for o in answered if o.short_answer], 50),
        "short_answer_accuracy": share(sum(o.short_correct for o in answerable), len(answerable)),
        "claims_dropped_per_answer": share(sum(o.claims_dropped for o in outcomes), len(outcomes)),
        "latency_p50_ms": percentile(latencies, 50),
        "latency_p95_ms": percentile(latencies, 95),
    }


def breakdown(outcomes: Sequence[Outcome], key: Callable[[Outcome], str]) -> dict[str, dict[str, Any]]:
    """Item counts, pass rate, answer accuracy and hit@5 for each value of `key`."""
    groups: dict[str, list[Outcome]] = defaultdict(list)
    for outcome in outcomes:
        groups[key(outcome)].append(outcome)
    table = {}
    for name in sorted(groups, key=_chapter_order):
        rows = groups[name]
        answerable = [o for o in rows if o.answerable]
        table[name] = {
            "items": len(rows),
            "passed": share(sum(o.passed for o in rows), len(rows)),
            "accuracy": share(sum(o.correct for o in answerable), len(answerable)),
            "hit@5": hit_at([o.rank for o in answerable], 5),
        }
    return table


def _chapter_order(name: str) -> tuple[int, str]:
    return (int(name), "") if name.isdigit() else (1000, name)


def failures(outcomes: Sequence[Outcome]) -> list[dict[str, Any]]:
    """Every outcome with a problem, with what went wrong and the answer given."""
    rows = []
    for o in outcomes:
        problems = o.problems()
        if problems:
            note = "" if not o.answerable or (o.rank and o.rank <= 5) else "gold section not in top 5"
            rows.append(
                {
                    "id": o.id,
                    "type": o.type,
                    "question": o.question,
                    "problems": problems,
                    "retrieval": note,
                    "answer": o.answer,
                    "cited": o.cited,
                    "gold": o.gold,
                }
            )
    return rows


# --------------------------------------------------------------------------- systems


class System(Protocol):
    """Anything that answers an item and retrieves passages' section ids for a query."""

    key: str
    label: str

    def reply(self, item: QAItem) -> Reply: ...

    def retrieve(self, query: str) -> list[list[str]]: ...


class AssistantSystem:
    """Our assistant (any retrieval mode) seen through the System interface."""

    def __init__(self, assistant: Assistant, key: str, label: str) -> None:
        self.assistant = assistant
        self.key = key
        self.label = label

    def reply(self, item: QAItem) -> Reply:
        if item.is_conversation:
            answer = self.assistant.ask_turns(list(item.turns))
        else:
            answer = self.assistant.ask(item.question)
        return Reply(
            answer=answer.answer,
            abstained=answer.abstained,
            cited=[c.section for c in answer.citations],
            understood_as=answer.understood_as or item.question,
            short_answer=answer.short_answer,
            claims_dropped=answer.claims_dropped,
        )

    def retrieve(self, query: str) -> list[list[str]]:
        return [[hit.chunk.section_id] for hit in self.assistant.retrieve(query)[:RETRIEVAL_DEPTH]]


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Sentence offsets: each line is cut after ".", "!" or "?" followed by a space.

    "A b. C d.\\nE" -> [(0, 4), (5, 9), (10, 11)]
    """
    spans = []
    for line in re.finditer(r"[^\n]+", text):
        start = line.start()
        for stop in re.finditer(r"[.!?](?=\s)", line.group()):
            spans.append((start, line.start() + stop.end()))
            start = line.start() + stop.end()
        spans.append((start, line.end()))
    return [(a + len(text[a:b]) - len(text[a:b].lstrip()), b) for a, b in spans if text[a:b].strip()]


def section_at(sections: Sequence[Section], offset: int) -> str:
    """The section holding a character offset; a heading line between two counts for the next."""
    for section in sorted(sections, key=lambda s: s.start):
        if offset < section.end:
            return section.id
    return ""


def sections_between(sections: Sequence[Section], start: int, end: int) -> list[str]:
    """Ids of every section a character range overlaps, in reading order."""
    ids = [s.id for s in sorted(sections, key=lambda s: s.start) if s.start < end and s.end > start]
    return ids or [section_at(sections, start)]


class LlamaIndexDefault:
    """Baseline (a): what llama-index's defaults give over the raw report text.

    One `Document`, `SentenceSplitter()` with its default settings, an in-memory
    `VectorStoreIndex` embedded with our model, dense top-5 retrieval. The answer is the
    sentence of the top chunk closest to the question, its sentences embedded at query time
    as llama-index's `SentenceEmbeddingOptimizer` does; it never abstains and cites the
    section holding that sentence. A retrieved chunk counts for every section it overlaps
    (generous to the baseline: its chunks are long). A conversation is searched as its
    turns joined, having no memory of its own.
    """

    key = "llamaindex_default"
    label = "llama-index defaults"

    def __init__(self, text: str, sections: Sequence[Section], embed_model: Any) -> None:
        from llama_index.core import Document, VectorStoreIndex
        from llama_index.core.node_parser import SentenceSplitter

        self.sections = list(sections)
        self.embed_model = embed_model
        self.nodes = SentenceSplitter().get_nodes_from_documents([Document(text=text)])
        self.index = VectorStoreIndex(self.nodes, embed_model=embed_model)
        self.retriever = self.index.as_retriever(similarity_top_k=RETRIEVAL_DEPTH)
        self.sentences = {
            node.node_id: [(node.text[a:b], node.start_char_idx + a) for a, b in sentence_spans(node.text)]
            for node in self.nodes
        }

    def _search(self, query: str) -> tuple[Any, list[Any]]:
        import numpy as np
        from llama_index.core.schema import QueryBundle

        vector = np.asarray(self.embed_model.get_query_embedding(query), dtype=np.float32)
        vector /= np.linalg.norm(vector) + 1e-12
        hits = self.retriever.retrieve(QueryBundle(query_str=query, embedding=vector.tolist()))
        return vector, hits

    def reply(self, item: QAItem) -> Reply:
        import numpy as np

        query = " ".join(item.turns)
        vector, hits = self._search(query)
        sentences = self.sentences[hits[0].node.node_id] if hits else []
        if not sentences:
            return Reply(answer="", abstained=False, cited=[], understood_as=query)
        vectors = np.asarray(self.embed_model.get_text_embedding_batch([t for t, _ in sentences]), dtype=np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True) + 1e-12
        sentence, offset = sentences[int((vectors @ vector).argmax())]
        return Reply(sentence, False, [section_at(self.sections, offset)], query)

    def retrieve(self, query: str) -> list[list[str]]:
        _, hits = self._search(query)
        return [sections_between(self.sections, h.node.start_char_idx, h.node.end_char_idx) for h in hits]


# --------------------------------------------------------------------------- running


def timed_reply(system: System, item: QAItem) -> tuple[Reply, float]:
    """One reply and its wall time in milliseconds."""
    started = time.perf_counter()
    reply = system.reply(item)
    return reply, (time.perf_counter() - started) * 1000


def evaluate_system(system: System, items: Sequence[QAItem], echo: Echo = print) -> list[Outcome]:
    """Answer every item (one untimed warm-up first), time each answer, and score it.

    Only the answer is timed; retrieval for hit@k is a second, untimed call on the
    question as the system understood it. Unanswerable items get no retrieval score.
    """
    if not items:
        return []
    system.reply(items[0])
    outcomes = []
    started = time.perf_counter()
    for item in items:
        reply, latency = timed_reply(system, item)
        retrieved = system.retrieve(reply.understood_as) if item.answerable else []
        outcomes.append(score(item, reply, retrieved, latency))
    echo(f"  {system.label}: {len(items)} items in {time.perf_counter() - started:.1f} s")
    return outcomes


def build_systems(settings: Settings, assistant: Assistant | None, baselines: bool, echo: Echo) -> list[System]:
    """Ours, then (if asked) BM25 over our chunks and llama-index's defaults."""
    from .service import build_assistant

    ours = assistant or build_assistant(settings, retrieval="hybrid", echo=echo)
    systems: list[System] = [AssistantSystem(ours, "ours", "ours (hybrid)")]
    if baselines:
        echo("Building the baselines…")
        bm25 = build_assistant(settings, retrieval="bm25", embed_model=ours.embed_model)
        systems.append(AssistantSystem(bm25, "bm25", "BM25 only"))
        systems.append(LlamaIndexDefault(ours.report.text, ours.report.sections, ours.embed_model))
    return systems


# --------------------------------------------------------------------------- targets

TARGETS: list[tuple[str, str, float]] = [
    ("hit@5", ">=", 0.97),
    ("accuracy", ">=", 0.90),
    ("citation_accuracy", ">=", 0.95),
    ("abstention_precision", ">=", 0.90),
    ("abstention_recall", ">=", 0.90),
    ("conflict_coverage", ">=", 1.0),
    ("latency_p50_ms", "<=", 50.0),
]


def check_targets(metrics: dict[str, Any]) -> list[dict[str, Any]]:
    """Each target with the measured value and whether it is met (None: not measurable)."""
    rows = []
    for name, op, goal in TARGETS:
        value = metrics.get(name)
        met = None if value is None else (value >= goal if op == ">=" else value <= goal)
        rows.append({"metric": name, "target": f"{op} {goal:g}", "value": value, "met": met})
    return rows


# --------------------------------------------------------------------------- reports

METRIC_ROWS = [
    ("hit@1", "hit@1"),
    ("hit@3", "hit@3"),
    ("hit@5", "hit@5"),
    ("mrr@5", "MRR@5"),
    ("accuracy", "answer accuracy"),
    ("citation_accuracy", "citation accuracy (first citation in a gold section)"),
    ("citation_any", "any citation in a gold section"),
    ("abstention_precision", "abstention precision"),
    ("abstention_recall", "abstention recall"),
    ("conflict_coverage", "conflict coverage (both figures)"),
    ("passed", "items passed"),
    ("confidently_wrong", "confidently wrong (answered without the gold, or answered an unanswerable)"),
    ("short_answer_accuracy", "short answer holds the gold"),
    ("median_answer_words", "median answer length (words)"),
    ("median_short_words", "median short answer length (words)"),
    ("claims_dropped_per_answer", "claims dropped per answer (llm reader)"),
    ("latency_p50_ms", "latency p50 (ms)"),
    ("latency_p95_ms", "latency p95 (ms)"),
]

DEFINITIONS = """\
- **hit@k / MRR@5**: rank of the first of the top 5 retrieved passages whose section is a
  gold section (answerable items only; a conversation is searched as the system understood
  its last turn). A miss scores 0 in MRR.
- **answer accuracy**: over answerable items, the answer did not abstain and every gold group
  has an alternative in its text (case-insensitive, dashes and spaces folded, thousands
  separators literal).
- **citation accuracy**: over answerable items that were answered, the *first* citation lies
  in a gold section ("any citation" is the looser reading).
- **abstention precision / recall**: abstained & unanswerable over abstained / over
  unanswerable.
- **conflict coverage**: answer accuracy on the `conflict` items (both figures shown).
- **items passed**: answerable -> right answer and first citation gold; unanswerable -> abstained.
- **latency**: wall time of each answer, warm (one untimed answer first), in milliseconds.
"""


def fmt(value: Any, digits: int = 3) -> str:
    """A table cell: n/a for missing, rounded floats, yes/no for booleans."""
    if value is None:
        return "n/a"
    if isinstance(value, bool):
        return "met" if value else "missed"
    if isinstance(value, float):
        return f"{value:.1f}" if abs(value) >= 10 else f"{value:.{digits}f}"
    return str(value)


def summary_table(result: dict[str, Any]) -> list[str]:
    """Markdown rows: one metric per row, one system per column, then ours against its target."""
    systems = result["systems"]
    targets = {t["metric"]: t for t in result["targets"]}
    head = ["metric", *(s["label"] for s in systems.values()), "target", "ours"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for key, name in METRIC_ROWS:
        cells = [fmt(s["metrics"].get(key)) for s in systems.values()]
        target = targets.get(key)
        tail = [target["target"], fmt(target["met"])] if target else ["", ""]
        lines.append("| " + " | ".join([name, *cells, *tail]) + " |")
    return lines


def breakdown_table(result: dict[str, Any], which: str, title: str) -> list[str]:
    """Markdown rows: one chapter (or type) per row, pass rate and accuracy per system."""
    systems = result["systems"]
    ours = systems["ours"][which]
    head = [title, "items", *(f"{s['label']} passed" for s in systems.values()), "ours accuracy", "ours hit@5"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for name, row in ours.items():
        cells = [fmt(s[which].get(name, {}).get("passed")) for s in systems.values()]
        lines.append(
            "| " + " | ".join([name, str(row["items"]), *cells, fmt(row["accuracy"]), fmt(row["hit@5"])]) + " |"
        )
    return lines


def failure_lines(rows: Sequence[dict[str, Any]]) -> list[str]:
    """Markdown rows for the failures of one system."""
    if not rows:
        return ["None."]
    lines = ["| id | type | what went wrong | answer |", "|---|---|---|---|"]
    for row in rows:
        what = "; ".join(row["problems"] + ([row["retrieval"]] if row["retrieval"] else []))
        answer = " ".join(row["answer"].split())
        answer = answer if len(answer) <= 300 else answer[:297] + "…"
        lines.append(f"| {row['id']} | {row['type']} | {_cell(what)} | {_cell(answer)} |")
    return lines


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def render_markdown(result: dict[str, Any], plots: dict[str, str]) -> str:
    """The human summary: side-by-side table, breakdowns, plots, failures."""
    counts = result["systems"]["ours"]["metrics"]
    machine = result["machine"]
    lines = [
        f"# Evaluation — split `{result['split']}`",
        "",
        f"{counts['items']} items ({counts['answerable']} answerable, {counts['unanswerable']} unanswerable) "
        f"from `{result['qa_path']}`, run {result['created']}.",
        "Targets are set for the test split; they are reported, not asserted.",
        f"Latency was measured on {machine['cpus']} CPUs with a 1-minute load average of "
        f"{machine['load_average'][0]:.1f} at the start and {machine['load_average'][1]:.1f} at the end.",
        "",
        "## Ours and the baselines",
        "",
        *summary_table(result),
        "",
        DEFINITIONS,
        "## Per chapter (chapter of the first gold section)",
        "",
        *breakdown_table(result, "by_chapter", "chapter"),
        "",
        f"![accuracy per chapter]({plots['chapters']})",
        "",
        "## Per question type",
        "",
        *breakdown_table(result, "by_type", "type"),
        "",
        "## Latency",
        "",
        f"![latency histogram]({plots['latency']})",
        "",
    ]
    for system in result["systems"].values():
        title = "## Failures — ours" if system is result["systems"]["ours"] else f"### Failures — {system['label']}"
        if system is not result["systems"]["ours"]:
            lines += [title, "", f"{len(system['failures'])} failures (listed in the JSON).", ""]
        else:
            lines += [title, "", *failure_lines(system["failures"]), ""]
    return "\n".join(lines)


def plot_chapters(result: dict[str, Any], path: Path) -> None:
    """Grouped bars: answer accuracy per chapter, one bar per system."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    systems = list(result["systems"].values())
    chapters = [c for c, row in systems[0]["by_chapter"].items() if row["accuracy"] is not None]
    width = 0.8 / len(systems)
    fig, ax = plt.subplots(figsize=(9, 4))
    for i, system in enumerate(systems):
        values = [system["by_chapter"].get(c, {}).get("accuracy") or 0 for c in chapters]
        ax.bar([x + i * width for x in range(len(chapters))], values, width, label=system["label"])
    ax.set_xticks([x + width * (len(systems) - 1) / 2 for x in range(len(chapters))], chapters)
    ax.set_ylim(0, 1.05)
    ax.set_xlabel("chapter")
    ax.set_ylabel("answer accuracy")
    ax.set_title(f"Answer accuracy per chapter ({result['split']})")
    ax.legend(loc="lower left", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def plot_latency(result: dict[str, Any], path: Path) -> None:
    """Histogram of per-answer latency, log-spaced bins, one series per system."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    series = {s["label"]: [o["latency_ms"] for o in s["items"]] for s in result["systems"].values()}
    values = [v for vs in series.values() for v in vs if v > 0]
    fig, ax = plt.subplots(figsize=(9, 4))
    if values:
        bins = np.geomspace(min(values), max(values) * 1.01, 30)
        for label, vs in series.items():
            ax.hist(vs, bins=bins, alpha=0.55, label=label)
        ax.set_xscale("log")
        ax.legend(fontsize=8)
    ax.set_xlabel("latency per answer (ms, log scale)")
    ax.set_ylabel("answers")
    ax.set_title(f"Warm latency per answer ({result['split']})")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write_reports(result: dict[str, Any], out_dir: Path) -> dict[str, Path]:
    """Write eval-<split>.json, eval-<split>.md and its two PNG plots; return their paths."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = f"eval-{result['split']}"
    paths = {
        "json": out_dir / f"{stem}.json",
        "markdown": out_dir / f"{stem}.md",
        "chapters": out_dir / f"{stem}-accuracy-by-chapter.png",
        "latency": out_dir / f"{stem}-latency.png",
    }
    plot_chapters(result, paths["chapters"])
    plot_latency(result, paths["latency"])
    paths["json"].write_text(json.dumps(result, indent=2, ensure_ascii=False), encoding="utf-8")
    names = {"chapters": paths["chapters"].name, "latency": paths["latency"].name}
    paths["markdown"].write_text(render_markdown(result, names), encoding="utf-8")
    return paths


def console_summary(result: dict[str, Any]) -> str:
    """The side-by-side table, as plain text for the terminal."""
    systems = list(result["systems"].values())
    targets = {t["metric"]: t for t in result["targets"]}
    rows = [["metric", *(s["label"] for s in systems), "target", "ours"]]
    for key, name in METRIC_ROWS:
        target = targets.get(key)
        rows.append(
            [
                name.split(" (")[0],
                *(fmt(s["metrics"].get(key)) for s in systems),
                target["target"] if target else "",
                fmt(target["met"]) if target else "",
            ]
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows)


def system_result(system: System, outcomes: list[Outcome]) -> dict[str, Any]:
    """Everything kept for one system: metrics, breakdowns, failures, per-item outcomes."""
    return {
        "label": system.label,
        "metrics": summarise(outcomes),
        "by_chapter": breakdown(outcomes, lambda o: o.chapter),
        "by_type": breakdown(outcomes, lambda o: o.type),
        "failures": failures(outcomes),
        "items": [asdict(o) for o in outcomes],
    }


def run_eval(
    settings: Settings,
    qa_path: Path,
    split: str,
    out_dir: Path,
    echo: Echo = print,
    assistant: Assistant | None = None,
    baselines: bool = True,
) -> dict[str, Any]:
    """Run ours (and the baselines) over one split, print the summary, write the reports.

    `assistant` reuses an Assistant already built from `settings` (tests, the app).
    """
    items = load_qa(qa_path, split)
    if not items:
        raise ValueError(f"no items in split {split!r} of {qa_path}")
    echo(f"Evaluating {len(items)} items ({split}) from {qa_path}")
    systems = build_systems(settings, assistant, baselines, echo)
    load_before = os.getloadavg()[0]
    result: dict[str, Any] = {
        "split": split,
        "qa_path": str(qa_path),
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "systems": {},
    }
    for system in systems:
        result["systems"][system.key] = system_result(system, evaluate_system(system, items, echo))
    result["machine"] = {"cpus": os.cpu_count(), "load_average": [load_before, os.getloadavg()[0]]}
    result["targets"] = check_targets(result["systems"]["ours"]["metrics"])
    paths = write_reports(result, out_dir)
    result["files"] = {k: str(p) for k, p in paths.items()}
    echo("")
    echo(console_summary(result))
    echo("")
    echo(f"{len(result['systems']['ours']['failures'])} failures (ours); reports: {paths['markdown']}, {paths['json']}")
    return result

