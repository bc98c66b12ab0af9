"""The chat page's pure parts: answers, citations and actions as the page shows them,
escaping of anything a user or the report says, the API's input check, browsing,
search and suggested next questions.

These run without a browser or a server; tests/test_browser.py drives the real page.
"""

import html
import re

import pytest

from assistant.app import (
    Item,
    Session,
    answer_html,
    api_input,
    check_question,
    highlight,
    log_html,
    question_html,
)
from assistant.browsing import Target, entry_at, search_entries, search_html, section_choices, section_html
from assistant.records import Answer, Citation
from assistant.suggesting import Suggester, neighbours

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
        answer="The report does not say. The closest sections are §3.5 Consulates; §colophon Colophon.",
        abstained=True,
        suggestions=[
            {"section": "3.5", "section_title": "Consulates", "heading": "Ecuador"},
            {"section": "3.5", "section_title": "Consulates", "heading": "Peru"},
            {"section": "colophon", "section_title": "Colophon", "heading": "Colophon"},
        ],
    )


def test_highlight_marks_the_quote_across_a_line_break() -> None:
    marked = highlight("Before.\nIn 2024, the City\nof Torino came. After.", "In 2024, the City of Torino came.")
    assert marked == "Before.<br><mark>In 2024, the City<br>of Torino came.</mark> After."


def test_highlight_shows_a_quote_it_cannot_find_on_its_own() -> None:
    assert highlight("Some passage.", "Missing quote.") == "Some passage.<br><mark>Missing quote.</mark>"


def test_an_answer_carries_its_own_sources_and_actions() -> None:
    page = answer_html(delegations_answer(), key="k1")
    assert 'href="#src-k1-1" aria-label="Source 1: §3.2 Foreign delegations, p. 34"' in page
    assert f'role="tooltip" id="tip-k1-1">{QUOTE}</span>' in page
    assert '<details class="source" id="src-k1-1">' in page
    assert 'data-action="jump|k1|1"' in page and "Show in report" in page
    assert "Copy this answer" in page and "Copy as Markdown" in page
    assert 'data-action="down|k1"' in page and "Understood as" not in page
    assert "\n" not in page


def test_an_answer_shows_its_short_answer_notice_and_dropped_claims() -> None:
    answer = delegations_answer()
    answer.short_answer, answer.notice, answer.claims_dropped = "48 foreign delegations", "Asked in Italian.", 2
    page = answer_html(answer, key="k1")
    assert '<p class="short"><strong>48 foreign delegations</strong></p>' in page
    assert "Asked in Italian." in page and "2 statements removed: not supported by the report" in page
    assert page.index("48 foreign delegations</strong>") < page.index('<p class="text">')


def test_a_short_answer_the_text_opens_with_is_shown_once() -> None:
    answer = delegations_answer()
    answer.short_answer = QUOTE
    page = answer_html(answer, key="k1")
    assert '<p class="short">' not in page and page.count(QUOTE[:40]) >= 1
    copied = re.search(r'data-copy="([^"]*)">Copy this answer', page).group(1)
    assert html.unescape(copied).count(QUOTE) == 1


def test_the_copy_buttons_hold_the_reply_without_markup() -> None:
    page = answer_html(delegations_answer(), key="k1")
    copied = re.search(r'data-copy="([^"]*)">Copy this answer', page).group(1)
    assert copied.endswith("Source: City of Torino, International Activities Annual Report 2024, §3.2 Foreign delegations, p. 34")


def test_answer_html_shows_a_rewritten_follow_up() -> None:
    answer = delegations_answer()
    answer.question, answer.understood_as = "And how many came?", "How many foreign delegations came?"
    assert "Understood as: “How many foreign delegations came?”" in answer_html(answer, key="k3")


def test_answer_html_leaves_unknown_markers_as_text() -> None:
    answer = delegations_answer()
    answer.answer = "See [1] and [7]."
    page = answer_html(answer, key="k1")
    assert "[7]" in page and 'href="#src-k1-7"' not in page


def test_an_abstention_links_each_closest_section_once_by_its_label() -> None:
    page = answer_html(abstention(), key="k1")
    assert page.count(f'data-action="{Target("3.5").action()}">§3.5 Consulates</a>') == 1
    assert f'data-action="{Target("colophon").action()}">Colophon</a>' in page
    assert "§colophon" not in page


@pytest.mark.parametrize("where", ["question", "answer", "heading", "quote", "passage", "short"])
def test_text_from_users_and_the_report_is_escaped(where: str) -> None:
    answer = delegations_answer()
    if where == "question":
        page = question_html(XSS)
    elif where in {"answer", "short"}:
        setattr(answer, {"answer": "answer", "short": "short_answer"}[where], f"{XSS} [1]")
        page = answer_html(answer, key="k1")
    else:
        value = {"heading": XSS, "quote": XSS, "passage": f"Before {XSS} after"}[where]
        answer.citations = [citation(**{where: value})]
        page = answer_html(answer, key="k1")
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


def test_the_log_shows_questions_answers_and_topic_breaks_in_order() -> None:
    session = Session(items=[Item("a", "Q1?", delegations_answer()), Item("b", topic_break=True), Item("c", "Q2?")])
    page = log_html(session)
    assert page.index("Q1?") < page.index("New topic") < page.index("Q2?") < page.index("Looking in the report")
    assert session.find("a") is not None and session.find("c") is None
    assert [e.question for e in session.exchanges()] == ["Q1?", ""]


@pytest.mark.parametrize("turns, expected", [("", ["q"]), ('["a", "b"]', ["a", "b", "q"])])
def test_api_input_gives_the_turns_to_answer(turns: str, expected: list[str]) -> None:
    assert api_input(" q ", turns) == expected


@pytest.mark.parametrize("question, turns", [("", ""), ("q", '{"a": 1}'), ("q", "[1, 2]"), ("q", "not json")])
def test_api_input_refuses_bad_input_with_a_message(question: str, turns: str) -> None:
    with pytest.raises(ValueError):
        api_input(question, turns)


def test_contents_lists_every_part_of_the_report(report) -> None:
    values = [value for _, value in section_choices(report)]
    assert values[0] == "" and "3.2" in values and "colophon" in values
    contents = section_html(report, Target(""))
    assert "§3.2 Foreign delegations · p. 34" in contents and "§8 Sport" in contents


def test_a_citation_opens_its_entry_with_the_quote_marked(report) -> None:
    unit = report.section("3.2").entries[0].units[1]
    entry = entry_at(report.section("3.2"), unit.start)
    page = section_html(report, Target("3.2", entry.id, unit.start, unit.end))
    assert '<h2 tabindex="-1">§3.2 Foreign delegations</h2>' in page
    assert "<mark>In 2024, the City of Torino carried out an intense welcoming activity" in page


def test_a_target_survives_the_round_trip_through_the_page() -> None:
    target = Target("3.1", "3.1-004", 10, 20)
    assert Target.from_action(target.action()) == target
    with pytest.raises(ValueError):
        Target.from_action("jump|3.1|x|1|2")


def test_search_lists_matching_entries_with_their_section(report) -> None:
    found = search_entries(report, "lyon")
    assert found and all("lyon" in f"{e.heading} {e.text}".lower() for _, e in found)
    page = search_html(report, "Lyon")
    assert "§3.1 Twinnings and agreements — Lyon" in page and "<mark>Lyon</mark>" in page
    assert "No entry contains" in search_html(report, "zzzqqq")
    assert "<img" not in search_html(report, XSS)


def test_suggested_questions_are_about_neighbours_and_never_abstain(assistant) -> None:
    answer = assistant.ask("Which French cities are twinned with Torino?")
    cited = {c.start for c in answer.citations}
    assert all(not (e.start in cited) for e in neighbours(assistant, answer))
    suggester = Suggester(assistant, want=3, max_checks=5, budget_s=30)
    offered = suggester.suggest(answer, asked={answer.question})
    assert 1 <= len(offered) <= 3
    for question in offered:
        assert not assistant.ask(question).abstained
    assert suggester.suggest(abstention(), asked=set()) == []
