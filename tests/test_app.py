"""The chat page's pure parts: answers, citations and reply text as the page shows them,
escaping of anything a user or the report says, feedback lines, and browsing.

These run without a browser or a server; tests/test_browser.py drives the real page.
"""

import json
from datetime import datetime, timezone

import pytest

from assistant.app import (
    Conversation,
    Target,
    answer_html,
    answer_markdown,
    answer_targets,
    append_feedback,
    check_question,
    closest_sections,
    feedback_record,
    highlight,
    pages_label,
    parse_turns,
    question_html,
    section_choices,
    section_html,
    source_line,
)
from assistant.records import Answer, Citation

PASSAGE = (
    "The City's numerous international relationships encourage frequent visits.\n"
    "In 2024, the City of Torino carried out an intense welcoming activity, receiving 48 "
    "foreign delegations coming from 26 countries. As a confirmation of its relations..."
)
QUOTE = (
    "In 2024, the City of Torino carried out an intense welcoming activity, receiving 48 "
    "foreign delegations coming from 26 countries."
)
XSS = "<img src=x onerror=alert(1)>"


def citation(n: int = 1, **changes) -> Citation:
    fields = dict(
        n=n, section="3.2", section_title="Foreign delegations", heading="Foreign delegations",
        pages="34", quote=QUOTE, start=100, end=200, passage=PASSAGE,
    )
    return Citation(**{**fields, **changes})


def delegations_answer() -> Answer:
    return Answer(
        question="How many foreign delegations came?",
        answer=f"{QUOTE} [1]",
        abstained=False,
        citations=[citation()],
        understood_as="How many foreign delegations came?",
    )


def abstention() -> Answer:
    return Answer(
        question="What is the population of Mars?",
        answer="The report does not say. The closest sections are §3.5 Consulates; §2 Highlights.",
        abstained=True,
        suggestions=[
            {"section": "3.5", "section_title": "Consulates", "heading": "Ecuador"},
            {"section": "3.5", "section_title": "Consulates", "heading": "Peru"},
            {"section": "2", "section_title": "Highlights", "heading": "Terra Madre"},
        ],
    )


@pytest.mark.parametrize(
    "pages, label",
    [("34", "p. 34"), ("26–33", "pp. 26–33"), ("116 ff.", "pp. 116 ff."), ("last page", "last page"), ("", "")],
)
def test_pages_label_uses_pp_for_ranges(pages: str, label: str) -> None:
    assert pages_label(pages) == label


def test_source_line_names_report_section_and_page() -> None:
    assert source_line(citation()) == "Source: Annual Report 2024, §3.2 Foreign delegations, p. 34"


def test_source_line_adds_the_entry_heading_when_it_says_more() -> None:
    line = source_line(citation(section="3.3", section_title="Missions abroad", heading="Lille, 24 – 26 January", pages="35–40"))
    assert line == "Source: Annual Report 2024, §3.3 Missions abroad: Lille, 24 – 26 January, pp. 35–40"


def test_answer_markdown_is_answer_then_one_source_per_line() -> None:
    two = Answer("q", "First [1]. Second [2].", False, [citation(1), citation(2, section="8", section_title="Sport", heading="Sport", pages="111–114")])
    assert answer_markdown(two) == (
        "First [1]. Second [2].\n\n"
        "[1] Source: Annual Report 2024, §3.2 Foreign delegations, p. 34  \n"
        "[2] Source: Annual Report 2024, §8 Sport, pp. 111–114"
    )


def test_answer_markdown_of_an_abstention_is_the_plain_refusal() -> None:
    assert answer_markdown(abstention()) == abstention().answer


def test_highlight_marks_the_quote_across_a_line_break() -> None:
    marked = highlight("Before.\nIn 2024, the City\nof Torino came. After.", "In 2024, the City of Torino came.")
    assert marked == "Before.<br><mark>In 2024, the City<br>of Torino came.</mark> After."


def test_highlight_shows_a_quote_it_cannot_find_on_its_own() -> None:
    assert highlight("Some passage.", "Missing quote.") == "Some passage.<br><mark>Missing quote.</mark>"


def test_answer_html_links_markers_to_openable_sources() -> None:
    page = answer_html(delegations_answer(), turn=1)
    assert '<a class="cite-ref" href="#src-1-1">[1]</a>' in page
    assert '<details class="source" id="src-1-1">' in page
    assert "<summary><b>[1]</b> §3.2 Foreign delegations · p. 34</summary>" in page
    assert f"<mark>{QUOTE}</mark>" in page
    assert "Understood as" not in page
    assert "\n\n" not in page  # one HTML block: the chat's Markdown must not touch it


def test_answer_html_shows_a_rewritten_follow_up() -> None:
    answer = delegations_answer()
    answer.question, answer.understood_as = "And how many came?", "How many foreign delegations came?"
    assert "Understood as: “How many foreign delegations came?”" in answer_html(answer, turn=3)


def test_answer_html_leaves_unknown_markers_as_text() -> None:
    answer = delegations_answer()
    answer.answer = "See [1] and [7]."
    page = answer_html(answer, turn=1)
    assert "[7]" in page and 'href="#src-1-7"' not in page


def test_abstention_offers_each_closest_section_once() -> None:
    assert closest_sections(abstention()) == [("3.5", "§3.5 Consulates"), ("2", "§2 Highlights")]
    page = answer_html(abstention(), turn=1)
    assert "Closest sections to browse" in page and page.count("§3.5 Consulates</li>") == 1


@pytest.mark.parametrize("where", ["question", "answer", "heading", "quote", "passage"])
def test_text_from_users_and_the_report_is_escaped(where: str) -> None:
    answer = delegations_answer()
    if where == "question":
        page = question_html(XSS)
    elif where == "answer":
        answer.answer = f"{XSS} [1]"
        page = answer_html(answer, turn=1)
    else:
        value = {"heading": XSS, "quote": XSS, "passage": f"Before {XSS} after"}[where]
        answer.citations = [citation(**{where: value})]
        page = answer_html(answer, turn=1)
    assert "<img" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page


@pytest.mark.parametrize(
    "question, message",
    [("", "Please type a question"), ("   \n ", "Please type a question"), ("x" * 1001, "1,001 characters long")],
)
def test_check_question_explains_empty_and_long_input(question: str, message: str) -> None:
    assert message in (check_question(question) or "")


def test_check_question_accepts_a_question_of_the_longest_length() -> None:
    assert check_question("x" * 1000) is None


def test_conversation_keeps_turns_and_answers_by_message_index() -> None:
    conversation = Conversation()
    conversation.add_notice("Please type a question")
    conversation.add_question("How many foreign delegations came?")
    conversation.add_answer("How many foreign delegations came?", delegations_answer())
    assert conversation.turns == ["How many foreign delegations came?"]
    assert [m["role"] for m in conversation.messages] == ["assistant", "user", "assistant"]
    assert conversation.answers[2]["citations"][0]["section"] == "3.2"
    assert 'id="src-2-1"' in conversation.messages[2]["content"]


def test_feedback_is_appended_as_jsonl(tmp_path) -> None:
    path = tmp_path / "new-folder" / "feedback.jsonl"
    when = datetime(2025, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
    append_feedback(path, feedback_record(delegations_answer().as_json(), True, when))
    append_feedback(path, feedback_record(abstention().as_json(), False, when))
    first, second = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert first["time"] == "2025-01-02T03:04:05+00:00"
    assert (first["verdict"], second["verdict"]) == ("up", "down")
    assert first["question"] == "How many foreign delegations came?"
    assert first["citations"] == [
        {"n": 1, "section": "3.2", "section_title": "Foreign delegations", "heading": "Foreign delegations", "pages": "34", "quote": QUOTE}
    ]
    assert second["abstained"] is True and second["citations"] == []


@pytest.mark.parametrize("turns, expected", [("", []), ('["a", "b"]', ["a", "b"])])
def test_parse_turns(turns: str, expected: list[str]) -> None:
    assert parse_turns(turns) == expected


@pytest.mark.parametrize("turns", ['{"a": 1}', "[1, 2]", "not json"])
def test_parse_turns_rejects_anything_but_a_list_of_strings(turns: str) -> None:
    with pytest.raises(ValueError):
        parse_turns(turns)


def test_contents_lists_every_part_of_the_report(report) -> None:
    values = [value for _, value in section_choices(report)]
    assert values[0] == "" and "3.2" in values and "colophon" in values
    contents = section_html(report, "")
    assert "§3.2 Foreign delegations · p. 34" in contents and "§8 Sport" in contents


def test_a_citation_opens_its_entry_with_the_quote_marked(report) -> None:
    unit = report.section("3.2").entries[0].units[1]
    cited = citation(start=unit.start, end=unit.end, quote=unit.text)
    (target,) = answer_targets(report, Answer("q", "a [1]", False, [cited]))
    assert Target.from_key(target.key()) == Target("", "3.2", target.entry, unit.start, unit.end)
    page = section_html(report, target.section, target.entry, (target.start, target.end))
    assert "<h2>§3.2 Foreign delegations</h2>" in page
    assert "<mark>In 2024, the City of Torino carried out an intense welcoming activity" in page


def test_an_abstention_opens_the_closest_sections(report) -> None:
    targets = answer_targets(report, abstention())
    assert [(t.section, t.entry, t.label) for t in targets] == [("3.5", "", "§3.5 Consulates"), ("2", "", "§2 Highlights")]
