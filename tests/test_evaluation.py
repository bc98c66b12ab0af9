"""The evaluation: metrics on hand-worked cases, the eval set itself, and the harness end to end.

Metric tests need nothing; the eval-set test needs the parsed report; the harness test runs
the real pipeline (session fixtures from conftest.py) on six items. No timing is asserted.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest

from assistant.bench import answer_text, measure, ratio
from assistant.config import PROJECT_ROOT
from assistant.evaluation import (
    Outcome,
    QAItem,
    Reply,
    check_targets,
    chapter_of,
    first_gold_rank,
    hit_at,
    is_correct,
    load_qa,
    matched_groups,
    mean_reciprocal_rank,
    normalise,
    percentile,
    run_eval,
    score,
    section_at,
    sections_between,
    sentence_spans,
    summarise,
)
from assistant.records import Section

QA_PATH = PROJECT_ROOT / "evals" / "qa.jsonl"
FIXED_SECTION_IDS = {"1", "2", "3", "3.1", "3.2", "3.3", "3.4", "3.5", "3.6", "4", "5", "6", "7", "8", "colophon"}


def item(answers=(("Genoa",),), sections=("6",), answerable=True, qtype="fact", turns=("Q?",)) -> QAItem:
    return QAItem("x", tuple(turns), tuple(tuple(g) for g in answers), tuple(sections), answerable, qtype, "", "dev")


def reply(answer="", abstained=False, cited=("6",)) -> Reply:
    return Reply(answer, abstained, list(cited), "Q?")


def scored(it: QAItem, rp: Reply, retrieved=(("6",),)) -> Outcome:
    return score(it, rp, [list(p) for p in retrieved], 10.0)


# --------------------------------------------------------------------------- answer matching


@pytest.mark.parametrize(
    ("answer", "groups", "expected"),
    [
        ("The Finals ran 12 – 19 November.", [["12-19 November"]], True),  # en dash, spaces
        ("It ended 29\u201311 for New Zealand", [["29-11"]], True),
        ("more than 222\u00a0visitors", [["222 visitors"]], True),  # non-breaking space
        ("TAYLOR FRITZ", [["Taylor Fritz", "Fritz"]], True),  # case, second alternative
        ("more than 222000 visitors", [["222,000"]], False),  # thousands separators are literal
        ("Genoa and Porto", [["Genoa"], ["Brussels"], ["Porto"]], False),  # one group missing
        ("anything", [], False),  # no gold groups: nothing can be right
    ],
)
def test_is_correct(answer: str, groups: list[list[str]], expected: bool) -> None:
    assert is_correct(answer, groups) is expected


def test_matched_groups_marks_the_missing_group() -> None:
    assert matched_groups("Genoa and Porto", [["Genoa"], ["Brussels"], ["Porto"]]) == [True, False, True]


def test_normalise_folds_typography_only() -> None:
    assert normalise("Let\u2019s  Po \u2013 2024\u202f\\$") == "let's po-2024 $"


# --------------------------------------------------------------------------- scoring one item


def test_right_answer_right_citation_passes() -> None:
    outcome = scored(item(), reply("Genoa, Brussels"))
    assert outcome.correct and outcome.citation_ok and outcome.passed
    assert outcome.problems() == []


def test_citation_in_a_non_gold_section_fails() -> None:
    outcome = scored(item(sections=("3.1",)), reply("Genoa", cited=("4", "3.1")), retrieved=[("3.1",)])
    assert outcome.correct
    assert outcome.citation_ok is False  # the first citation decides
    assert outcome.any_citation_ok is True
    assert not outcome.passed
    assert outcome.problems() == ["wrong citation: cited 4, gold 3.1"]


def test_no_citation_is_a_wrong_citation() -> None:
    outcome = scored(item(), reply("Genoa", cited=()))
    assert outcome.citation_ok is False


def test_missing_group_is_a_wrong_answer() -> None:
    outcome = scored(item(answers=(("Genoa",), ("Porto",))), reply("Genoa only"))
    assert not outcome.correct
    assert outcome.missed == [1]
    assert outcome.problems() == ["wrong answer: missed group(s) Porto"]


def test_abstaining_on_an_answerable_item_fails() -> None:
    outcome = scored(item(), reply("The report does not say. Closest: Genoa", abstained=True))
    assert not outcome.correct  # even though the text happens to contain the answer
    assert outcome.citation_ok is None  # not scored
    assert outcome.problems() == ["abstained wrongly"]


def test_answering_an_unanswerable_item_fails() -> None:
    outcome = scored(item(answers=(), answerable=False, qtype="unanswerable"), reply("In 1958."))
    assert not outcome.passed
    assert outcome.problems() == ["answered an unanswerable"]
    assert outcome.rank is None


def test_abstaining_on_an_unanswerable_item_passes() -> None:
    outcome = scored(item(answers=(), answerable=False), reply("The report does not say.", abstained=True))
    assert outcome.passed and outcome.problems() == []


# --------------------------------------------------------------------------- retrieval ranks


def test_first_gold_rank() -> None:
    assert first_gold_rank(["4", "3.1", "3.1"], ["3.1"]) == 2
    assert first_gold_rank(["4", "5"], ["3.1"]) is None
    assert first_gold_rank([("2", "3"), "3.1"], ["3"]) == 1  # a passage spanning two sections
    assert first_gold_rank([], ["1"]) is None


def test_hit_at_k_and_mrr_on_a_hand_worked_list() -> None:
    ranks = [1, 2, None, 4]
    assert hit_at(ranks, 1) == 0.25
    assert hit_at(ranks, 3) == 0.5
    assert hit_at(ranks, 5) == 0.75
    assert mean_reciprocal_rank(ranks) == pytest.approx((1 + 0.5 + 0 + 0.25) / 4)
    assert hit_at([], 5) is None and mean_reciprocal_rank([]) is None


# --------------------------------------------------------------------------- percentiles


def test_percentile_on_a_known_list() -> None:
    values = [7, 1, 3, 10, 2, 9, 4, 8, 6, 5]
    assert percentile(values, 50) == 5.5
    assert percentile(values, 95) == pytest.approx(9.55)
    assert percentile([42.0], 95) == 42.0
    assert percentile([], 50) is None


@pytest.mark.parametrize("q", [0, 12.5, 50, 90, 95, 100])
def test_percentile_agrees_with_numpy(q: float) -> None:
    values = [3.2, 40.1, 5.5, 7.0, 12.9, 1.1, 33.3]
    assert percentile(values, q) == pytest.approx(float(np.percentile(values, q)))


# --------------------------------------------------------------------------- summary metrics


def test_summary_on_hand_made_outcomes() -> None:
    unanswerable = item(answers=(), answerable=False, qtype="unanswerable")
    conflict = item(answers=(("120",), ("121",)), qtype="conflict")
    outcomes = [
        scored(item(), reply("Genoa"), retrieved=[("6",)]),  # right, rank 1
        scored(item(), reply("Porto", cited=("4",)), retrieved=[("4",), ("6",)]),  # wrong, rank 2
        scored(item(), reply("", abstained=True), retrieved=[("4",)]),  # abstained wrongly, miss
        scored(conflict, reply("120 films, elsewhere 121"), retrieved=[("6",)]),  # both figures
        scored(unanswerable, reply("", abstained=True)),  # right abstention
        scored(unanswerable, reply("1958")),  # answered an unanswerable
    ]
    m = summarise(outcomes)
    assert (m["items"], m["answerable"], m["unanswerable"]) == (6, 4, 2)
    assert m["accuracy"] == 2 / 4
    assert m["citation_accuracy"] == 2 / 3  # over the three answered answerable items
    assert m["abstention_precision"] == 1 / 2  # two abstentions, one justified
    assert m["abstention_recall"] == 1 / 2
    assert m["conflict_coverage"] == 1.0
    assert m["hit@1"] == 2 / 4 and m["hit@5"] == 3 / 4
    assert m["mrr@5"] == pytest.approx((1 + 0.5 + 0 + 1) / 4)
    assert m["latency_p50_ms"] == 10.0


def test_no_abstentions_leaves_precision_undefined() -> None:
    m = summarise([scored(item(), reply("Genoa"))])
    assert m["abstention_precision"] is None and m["abstention_recall"] is None


def test_targets_are_reported_met_or_missed() -> None:
    rows = {r["metric"]: r for r in check_targets({"hit@5": 0.98, "accuracy": 0.5, "latency_p50_ms": 20.0})}
    assert rows["hit@5"]["met"] is True
    assert rows["accuracy"]["met"] is False
    assert rows["latency_p50_ms"]["met"] is True
    assert rows["conflict_coverage"]["met"] is None


def test_chapter_of() -> None:
    assert [chapter_of(s) for s in ("3.2", "3", "8", "colophon")] == ["3", "3", "8", "colophon"]


# --------------------------------------------------------------------------- baseline helpers


def test_sentence_spans() -> None:
    text = "A b. C d.\nE"
    assert sentence_spans(text) == [(0, 4), (5, 9), (10, 11)]
    assert [text[a:b] for a, b in sentence_spans(text)] == ["A b.", "C d.", "E"]


def test_sections_of_offsets() -> None:
    sections = [
        Section("1", "One", "4", 10, 100, "1", "One"),
        Section("2", "Two", "7", 110, 200, "2", "Two"),
    ]
    assert section_at(sections, 50) == "1"
    assert section_at(sections, 105) == "2"  # a heading line between two counts for the next
    assert section_at(sections, 0) == "1"
    assert section_at(sections, 500) == ""
    assert sections_between(sections, 90, 150) == ["1", "2"]


# --------------------------------------------------------------------------- bench helpers


def test_measure_reports_the_child_peak_memory_not_ours() -> None:
    ballast = bytearray(600_000_000)  # a big parent must not inflate the child's peak
    run = measure([sys.executable, "-c", "x = bytearray(120_000_000); print('done')"])
    del ballast
    assert run["stdout"].strip() == "done"
    assert 100 < run["peak_rss_mb"] < 400


def test_answer_text_and_ratio() -> None:
    assert answer_text('loading…\n{"answer": "In 1958.", "abstained": false}\n') == "In 1958."
    assert answer_text("no json") == "no json"
    assert ratio(2.0, 4.0) == 0.5 and ratio(1.0, 0.0) is None and ratio(None, 1.0) is None


# --------------------------------------------------------------------------- the eval set


@pytest.fixture(scope="module")
def qa_rows() -> list[dict]:
    return [json.loads(line) for line in QA_PATH.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_qa_ids_are_unique_and_splits_known(qa_rows: list[dict]) -> None:
    ids = [row["id"] for row in qa_rows]
    assert len(ids) == len(set(ids))
    assert {row["split"] for row in qa_rows} <= {"dev", "test"}
    assert all(("question" in row) != ("turns" in row) for row in qa_rows)


def test_qa_counts(qa_rows: list[dict]) -> None:
    assert len(qa_rows) >= 150
    assert sum(row["type"] == "follow-up" for row in qa_rows) >= 12
    assert sum(not row["answerable"] for row in qa_rows) >= 15
    assert sum(row["type"] == "conflict" for row in qa_rows) >= 4


def test_qa_is_grounded_in_the_report(qa_rows: list[dict], report) -> None:
    text = report.text.lower()
    known = {s.id for s in report.sections} | FIXED_SECTION_IDS
    for row in qa_rows:
        assert set(row["sections"]) <= known, row["id"]
        if row["answerable"]:
            assert row["evidence"] and row["evidence"] in report.text, row["id"]
            assert row["answers"], row["id"]
            for group in row["answers"]:
                assert any(alt.lower() in text for alt in group), (row["id"], group)
        else:
            assert row["answers"] == [], row["id"]


def test_load_qa_keeps_one_split() -> None:
    dev, test, every = (load_qa(QA_PATH, s) for s in ("dev", "test", "all"))
    assert len(dev) + len(test) == len(every)
    assert {i.split for i in dev} == {"dev"}
    with pytest.raises(ValueError):
        load_qa(QA_PATH, "train")


# --------------------------------------------------------------------------- the harness


SUBSET = ["ch1-01", "ch1-04", "ch1-03", "cf-02", "un-04", "fu-02"]


def test_run_eval_on_a_subset(settings, assistant, tmp_path: Path) -> None:
    rows = {json.loads(line)["id"]: line for line in QA_PATH.read_text(encoding="utf-8").splitlines() if line}
    qa = tmp_path / "qa.jsonl"
    qa.write_text("\n".join(rows[i] for i in SUBSET) + "\n", encoding="utf-8")
    printed: list[str] = []
    out = tmp_path / "results"

    result = run_eval(settings, qa, "all", out, echo=printed.append, assistant=assistant)

    assert set(result["systems"]) == {"ours", "bm25", "llamaindex_default"}
    for system in result["systems"].values():
        metrics = system["metrics"]
        assert (metrics["items"], metrics["answerable"], metrics["unanswerable"]) == (6, 5, 1)
        for key in ("hit@1", "hit@3", "hit@5", "mrr@5", "accuracy", "abstention_recall",
                    "conflict_coverage", "latency_p50_ms", "latency_p95_ms"):
            assert key in metrics
        assert 0 <= metrics["hit@5"] <= 1
        by_id = {o["id"]: o for o in system["items"]}
        assert by_id["un-04"]["retrieved"] == []  # no retrieval score for unanswerable items
        assert by_id["fu-02"]["understood_as"]
        assert set(system["by_type"]) == {"number", "who", "list", "conflict", "unanswerable", "follow-up"}
    assert result["systems"]["llamaindex_default"]["metrics"]["abstention_recall"] == 0.0  # never abstains
    for name in ("eval-all.json", "eval-all.md", "eval-all-accuracy-by-chapter.png", "eval-all-latency.png"):
        assert (out / name).stat().st_size > 0
    markdown = (out / "eval-all.md").read_text(encoding="utf-8")
    assert "| metric | ours (hybrid) | BM25 only | llama-index defaults | target | ours |" in markdown
    assert json.loads((out / "eval-all.json").read_text(encoding="utf-8"))["split"] == "all"
    assert any("hit@5" in line for line in printed)
