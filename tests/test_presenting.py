"""Reply text as a person pastes it: table rows as sentences, sources once each, full report name."""

from datetime import datetime, timezone

import pytest

from assistant.presenting import (
    Exchange,
    conversation_markdown,
    marker_name,
    pages_label,
    readable_text,
    reply_markdown,
    reply_text,
    row_sentence,
    section_label,
    source_label,
)
from assistant.records import Answer, Citation


def row(n: int, quote: str, heading: str) -> Citation:
    return Citation(n, "3.1", "Twinnings and agreements", heading, "26–33", quote, 100 * n, 100 * n + 30, quote)


TABLE_ANSWER = Answer(
    question="Which French cities are twinned with Torino?",
    answer="Menton | France | Agreement (2000) [1]; Annecy | France | Twinning (1957) [2]; "
    "Nantes | France | Letter of intent (2013) [3]",
    abstained=False,
    citations=[
        row(1, "Menton | France | Agreement (2000)", "Menton"),
        row(2, "Annecy | France | Twinning (1957)", "Annecy"),
        row(3, "Nantes | France | Letter of intent (2013)", "Nantes"),
    ],
)
DELEGATIONS = Citation(1, "3.2", "Foreign delegations", "Foreign delegations", "34", "48 delegations came.", 1, 20)
LILLE = Citation(2, "3.3", "Missions abroad", "Lille, 24 – 26 January", "35–40", "A mission to Lille.", 30, 50)


@pytest.mark.parametrize(
    "pages, label",
    [("34", "p. 34"), ("26–33", "pp. 26–33"), ("116 ff.", "pp. 116 ff."), ("last page", "last page"), ("", "")],
)
def test_pages_label_uses_pp_for_ranges(pages: str, label: str) -> None:
    assert pages_label(pages) == label


def test_unnumbered_sections_show_their_title_not_their_id() -> None:
    assert section_label("3.1", "Twinnings and agreements") == "§3.1 Twinnings and agreements"
    assert section_label("colophon", "Colophon") == "Colophon"


@pytest.mark.parametrize(
    "cells, sentence",
    [
        (["Menton", "France", "Agreement (2000)"], "Menton (France): agreement, 2000"),
        (["Nantes", "France", "Letter of intent (2013)"], "Nantes (France): letter of intent, 2013"),
        (["ENVELOPE", "Horizon Europe"], "ENVELOPE: Horizon Europe"),
        (["Chile"], "Chile"),
    ],
)
def test_a_table_row_reads_as_a_sentence(cells: list[str], sentence: str) -> None:
    assert row_sentence(cells) == sentence


def test_a_table_answer_pastes_without_pipes_or_repeated_sources() -> None:
    text = reply_text(TABLE_ANSWER)
    assert "|" not in text
    assert text == (
        "Menton (France): agreement, 2000; Annecy (France): twinning, 1957; Nantes (France): letter of intent, 2013\n\n"
        "Source: City of Torino, International Activities Annual Report 2024, §3.1 Twinnings and agreements, pp. 26–33"
    )


def test_several_sources_are_numbered_once_each_and_markers_follow() -> None:
    answer = Answer("q", "One [1]. Two [2]. Again [3].", False, [DELEGATIONS, LILLE, Citation(**{**DELEGATIONS.as_json(), "n": 3})])
    text = reply_text(answer)
    assert text.splitlines() == [
        "One [1]. Two [2]. Again [1].",
        "",
        "Sources:",
        "[1] City of Torino, International Activities Annual Report 2024, §3.2 Foreign delegations, p. 34",
        "[2] City of Torino, International Activities Annual Report 2024, §3.3 Missions abroad: Lille, 24 – 26 January, pp. 35–40",
    ]
    assert not any(line.endswith(" ") for line in text.splitlines())


def test_markdown_reply_puts_the_short_answer_in_bold_and_numbers_the_sources() -> None:
    answer = Answer("q", "48 delegations came. [1]", False, [DELEGATIONS], short_answer="48 foreign delegations")
    assert reply_markdown(answer) == (
        "**48 foreign delegations**\n\n48 delegations came.\n\nSource:\n\n"
        "1. City of Torino, *International Activities Annual Report 2024*, §3.2 Foreign delegations, p. 34"
    )
    assert reply_text(answer).startswith("48 foreign delegations\n\n48 delegations came.")


def test_an_abstention_names_unnumbered_sections_by_title() -> None:
    answer = Answer(
        "q", "The report does not say. The closest sections are §3.5 Consulates; §colophon Colophon.", True,
        suggestions=[{"section": "3.5", "section_title": "Consulates"}, {"section": "colophon", "section_title": "Colophon"}],
    )
    assert readable_text(answer) == "The report does not say. The closest sections are §3.5 Consulates; Colophon."


def test_a_marker_is_named_for_screen_readers() -> None:
    assert marker_name(DELEGATIONS) == "Source 1: §3.2 Foreign delegations, p. 34"
    assert source_label(LILLE).startswith("City of Torino, International Activities Annual Report 2024, §3.3")


def test_a_conversation_exports_as_markdown_with_its_sources() -> None:
    when = datetime(2026, 11, 25, 20, 0, tzinfo=timezone.utc)
    text = conversation_markdown(
        [Exchange("Which French cities are twinned with Torino?", TABLE_ANSWER), Exchange(""), Exchange("How many came?", Answer("q", "48 delegations came. [1]", False, [DELEGATIONS]))],
        when,
    )
    assert text.startswith("# Questions to the Torino report assistant\n\nExported 2026-11-25 20:00 UTC.")
    assert "## Which French cities are twinned with Torino?" in text and "*New topic*" in text
    assert text.count("§3.1 Twinnings and agreements") == 1 and "|" not in text
