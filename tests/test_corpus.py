"""The section tree and the chunks, checked against the report as a person reads it."""

from __future__ import annotations

import re

import pytest

from assistant.chunking import chunk_report
from assistant.corpus import Para, clean, para_units, parse_report, split_sentences

CHAPTERS = [
    ("1", "Mayor's Foreword", "4–6"),
    ("2", "Highlights", "7–24"),
    ("3", "Cooperation and International Relations", "25–52"),
    ("3.1", "Twinnings and agreements", "26–33"),
    ("3.2", "Foreign delegations", "34"),
    ("3.3", "Missions abroad", "35–40"),
    ("3.4", "International cooperation", "41–49"),
    ("3.5", "Consulates", "50"),
    ("3.6", "Honorary citizens", "51–52"),
    ("4", "International networks", "53–66"),
    ("5", "International organisations", "67–74"),
    ("6", "Innovation and European projects", "75–100"),
    ("7", "Culture", "101–110"),
    ("8", "Sport", "111 ff."),
    ("colophon", "Colophon", "last page"),
]


def test_the_report_knows_its_own_year_from_its_text(report) -> None:
    # The year it names most is the one its title gives.
    assert report.year and f"ANNUAL REPORT {report.year}" in report.text


def test_every_chapter_and_section_in_order_with_pages(report) -> None:
    assert [(s.id, s.title, s.pages) for s in report.sections] == CHAPTERS
    starts = [s.start for s in report.sections]
    assert starts == sorted(starts)


@pytest.mark.parametrize(
    "section_id, heading",
    [
        ("2", "Nitto ATP Finals, 12 – 19 November"),
        ("2", "Bloomberg Harvard Summer Fellowship"),
        ("3.1", "Cologne"),
        ("3.1", "Focus on Gwangju"),
        ("3.1", "Glasgow, 5 and 24 January: Musical exchanges"),
        ("3.2", "Foreign delegations"),
        ("3.3", "Lisbon, 11 – 13 November"),
        ("3.4", "MENTOR 2"),
        ("3.5", "Peru"),
        ("3.6", "Malala YOUSAFZAI"),
        ("4", "ECCAR – European Coalition of Cities against Racism"),
        ("4", "World Union of Olympic Cities"),
        ("5", "UNSSC – United Nations System Staff College"),
        ("6", "CLIMABOROUGH, 2023 – 2026"),
        ("6", "Focus on European Capital of Smart Tourism"),
        ("7", "Egyptian Museum"),
        ("8", "Focus on Nitto ATP Finals, 10 – 17 November"),
        ("8", "Tour de France, 1 July"),
    ],
)
def test_known_entries_sit_under_their_section(report, section_id: str, heading: str) -> None:
    assert heading in [e.heading for e in report.section(section_id).entries]


def test_descriptions_in_3_4_reach_their_titles(report) -> None:
    entries = {e.heading: e.text for e in report.section("3.4").entries}
    assert "Daloa" in entries["TORINO – DALOA"]
    assert "Senegalese" in entries["NETWORKS AT WORK"]
    assert "Tunisia" in entries["MENTOR 2"]
    assert "Bethlehem" in entries["NUR 2"]
    assert "food policies" in entries["SABOR CABO VERDE"]


def test_conversion_damage_is_mended(report) -> None:
    """Stray page numbers go; a paragraph cut by a page break is whole again; `\\$` is `$`."""
    texts = [u.text for e in report.entries() for u in e.units]
    assert "114" not in texts and "115" not in texts
    assert any("the Piedmont Region, City of Torino, Fondazione" in t for t in texts)
    assert any("$ 50,000" in t for t in texts)
    assert not any("\\$" in t or "**" in t for t in texts)


def test_entries_after_stray_page_numbers_get_narrower_pages(report) -> None:
    pages = {e.heading: e.pages for e in report.section("8").entries}
    assert pages["Focus on Nitto ATP Finals, 10 – 17 November"] == "111–115"
    assert pages["Monet on Ice, 12 January"] == "116 ff."


def test_unit_offsets_point_at_the_report_text(report) -> None:
    for entry in report.entries():
        if entry.section_id == "colophon":  # its rows join a label to its values
            continue
        for unit in entry.units:
            raw = report.text[unit.start : unit.end]
            assert clean(re.sub(r"^\s*-\s*", "", raw)) == unit.text, (entry.heading, unit.text)


def test_split_sentences_by_hand() -> None:
    text = "Anton G. A. Salman came. The player ranked no. 1 won! Then s.a.s. di Daniela left. B.M.A. Teatro sang."
    assert [u.text for u in split_sentences(text, 100)] == [
        "Anton G. A. Salman came.",
        "The player ranked no. 1 won!",
        "Then s.a.s. di Daniela left.",
        "B.M.A. Teatro sang.",
    ]
    # Initials run together ('by Alba, B.M.A. Teatro and Bra') do not end a sentence.
    assert len(split_sentences("Sung by Alba, B.M.A. Teatro and Bra. It rained.", 0)) == 2
    assert split_sentences(text, 100)[1].start == 100 + text.index("The player")
    titled = 'It opened with "Rivers and cities. Projects." Then *Ayrton Senna. Forever* came.'
    assert [u.text for u in split_sentences(titled, 0)] == [
        'It opened with "Rivers and cities. Projects."',
        "Then Ayrton Senna. Forever came.",
    ]


def test_a_line_ending_in_a_comma_goes_on_in_the_next() -> None:
    text = "Maria Rossi,\nMayor of Alba\n- Boats,\n- oars"
    lines, at = [], 0
    for line in text.split("\n"):
        lines.append((line, at))
        at += len(line) + 1
    units = para_units(Para(lines, 0))
    # A signature is one unit; list items stay apart even when one ends in a comma.
    assert [u.text for u in units] == ["Maria Rossi, Mayor of Alba", "Boats,", "oars"]
    assert (units[0].start, units[0].end) == (0, text.index("\n- "))


def test_a_small_report_parses_by_hand() -> None:
    text = (
        "CONTENTS\n\n1. Foreword\t4\n2. Highlights\t7\n\n\nWe begin.\n\n\n\nHIGHLIGHTS\n\n"
        "12 – 19 November\n\nNitto ATP Finals\n\nThe fourth edition met with success. It was big.\n\n"
        "**Mayor**\n\nStefano Lo Russo\n"
    )
    structure = {
        "headingless": ["1"],
        "layouts": {"1": "prose", "2": "events", "colophon": "colophon"},
        "colophon": {"title": "Colophon", "pages": "last page", "starts_at": "**Mayor**", "labels": ["Mayor"]},
    }
    report = parse_report(text, structure)
    assert [(s.id, s.pages) for s in report.sections] == [("1", "4–6"), ("2", "7 ff."), ("colophon", "last page")]
    (event,) = report.section("2").entries
    assert event.heading == "Nitto ATP Finals, 12 – 19 November"
    assert [u.text for u in event.units] == ["The fourth edition met with success.", "It was big."]
    assert report.section("colophon").entries[0].units[0].text == "Mayor: Stefano Lo Russo"


def test_a_colophon_keeps_an_announced_list_and_each_address_line_in_its_row() -> None:
    text = (
        "CONTENTS\n\n1. Foreword\t4\n\n\nWe begin.\n\n"
        "**Mayor**\n\nMarta Bruni\n\nFor the boats we thank:\n\n"
        + "; ".join(f"Rowing Club of Town {n}" for n in range(6)) + ".\n\n"
        "Harbour Office\n\nVia Roma 1 – 12051 Alba\n\nTel. +39 0173 123456\n\n"
        "harbour.office@alba.example.it\n\nwww.alba.example.it/harbour\n"
    )
    structure = {
        "headingless": ["1"],
        "layouts": {"1": "prose", "colophon": "colophon"},
        "colophon": {"title": "Colophon", "pages": "last page", "starts_at": "**Mayor**",
                     "labels": ["Mayor", "For the boats we thank:", "Harbour Office"]},
    }
    rows = [u.text for u in parse_report(text, structure).section("colophon").entries[0].units]
    # A label ending in a colon takes the long list it announces; an address line is no
    # broken sentence to mend into the line before it.
    assert rows[1].startswith("For the boats we thank: Rowing Club of Town 0;")
    assert rows[2] == ("Harbour Office: Via Roma 1 – 12051 Alba; Tel. +39 0173 123456; "
                       "harbour.office@alba.example.it; www.alba.example.it/harbour")


def test_chunks_keep_their_context_and_metadata(report) -> None:
    chunks = chunk_report(report, 700)
    by_text = {c.text: c for c in chunks}
    row = by_text["Twinnings and agreements — Ekaterinburg | Russia | Agreement (1998)"]
    assert (row.section_id, row.section_title, row.chapter_title, row.heading, row.pages) == (
        "3.1", "Twinnings and agreements", "Cooperation and International Relations", "Ekaterinburg", "26–33",
    )
    assert report.text[row.start : row.end] == "Ekaterinburg | Russia | Agreement (1998)"
    assert any(t.startswith("International networks — Social Issues — ECCAR") for t in by_text)
    assert any(t.startswith("Consulates — Consulates General — Peru") for t in by_text)


def test_chunks_never_cross_entries_and_respect_the_size(report) -> None:
    chunks = chunk_report(report, 700)
    entries = {e.id: e for e in report.entries()}
    for chunk in chunks:
        entry = entries[chunk.entry_id]
        assert entry.start <= chunk.start < chunk.end <= entry.end
        assert len(chunk.body) <= 700 or len(chunk.units) == 1
    assert len({c.id for c in chunks}) == len(chunks)
