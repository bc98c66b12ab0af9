"""The claim checker on hand-written answers over real report sentences, with the real MiniLM."""

from __future__ import annotations

import pytest

from assistant.claims import (
    DEFAULT_MIN_SIMILARITY,
    Claim,
    check_claims,
    fit_threshold,
    names,
    numbers,
    split_claims,
    strip_citations,
    unsupported_facts,
)
from assistant.llm_reader import number_sentences
from llm_support import embed, report_hits


@pytest.fixture(scope="module")
def sources():
    return {i: n.source for i, n in number_sentences(report_hits()).items()}


def test_the_numbered_sentences_are_the_ones_the_answers_below_cite(sources) -> None:
    assert "48 foreign delegations" in sources[2].text
    assert "Gwangju" in sources[6].text and "15 April 2024" in sources[6].text
    assert "technical delegations" in sources[4].text


def test_a_correct_answer_keeps_every_claim(sources) -> None:
    answer = (
        "In 2024, the City of Torino received 48 foreign delegations from 26 countries [S2]. "
        "On 15 April 2024 Torino and Gwangju signed a Collaboration Agreement for three years. [S6]"
    )
    result = check_claims(answer, sources, embed)
    assert result.dropped == 0
    assert [c.ids for c in result.kept] == [(2,), (6,)]
    assert all(v.similarity is not None and v.similarity >= DEFAULT_MIN_SIMILARITY for v in result.verdicts)


def test_a_number_the_passages_do_not_hold_is_dropped_and_the_rest_kept(sources) -> None:
    answer = (
        "In 2024 Torino received 52 foreign delegations from 26 countries [S2]. "
        "Torino and Gwangju signed a Collaboration Agreement [S6]."
    )
    result = check_claims(answer, sources, embed)
    assert result.dropped == 1
    assert result.verdicts[0].reason == "unsupported: 52"
    assert [c.ids for c in result.kept] == [(6,)]


def test_a_claim_citing_the_wrong_sentence_is_dropped(sources) -> None:
    # No number or name to give it away: only its meaning is far from S4 (technical delegations).
    answer = "The agreement seeks to intensify collaborations in the cultural, economic, tourist and academic sectors [S4]."
    result = check_claims(answer, sources, embed)
    assert result.dropped == 1 and result.verdicts[0].reason.startswith("off its citations")
    # The same claim with its right citation (S7) is kept.
    assert check_claims(answer.replace("[S4]", "[S7]"), sources, embed).dropped == 0


def test_a_name_from_the_wrong_sentence_is_dropped(sources) -> None:
    result = check_claims("Torino signed a Collaboration Agreement for three years with Gwangju [S2].", sources, embed)
    assert result.dropped == 1 and "gwangju" in result.verdicts[0].reason


def test_an_uncited_claim_is_dropped(sources) -> None:
    result = check_claims("Torino received 48 foreign delegations [S2]. Torino is a welcoming city.", sources, embed)
    assert [v.reason for v in result.verdicts] == ["", "uncited"]


def test_an_id_not_given_is_dropped_and_flagged(sources) -> None:
    result = check_claims("Torino received 48 foreign delegations [S42].", sources, embed)
    assert result.dropped == 1 and result.cites_unknown_ids
    assert result.verdicts[0].reason == "unknown id: S42"


def test_not_in_report_is_no_claim_the_checker_keeps(sources) -> None:
    result = check_claims("NOT_IN_REPORT", sources, embed)
    assert result.kept == [] and result.verdicts[0].reason == "uncited"


def test_splitting_moves_markers_written_after_the_full_stop_and_keeps_list_items() -> None:
    claims = split_claims("Lyon is twinned [S1]. Chambéry too. [S2, S3]\n- Cologne [S4][S4]\n- St. Jean, e.g. a town [S5].\n[S6]")
    assert claims == [
        Claim("Lyon is twinned.", (1,)),
        Claim("Chambéry too.", (2, 3)),
        Claim("Cologne", (4,), new_line=True, item=True),
        Claim("St. Jean, e.g. a town.", (5, 6), new_line=True, item=True),
    ]


@pytest.mark.parametrize(
    ("claim", "source", "expected"),
    [
        ("Torino received € 1 million [S1].", "Torino received 1 million euros.", set()),
        ("It was 1,000,000 euros.", "Torino received € 1 million.", set()),
        ("From 2024 to 2025.", "The 2024–2025 title.", set()),
        ("There were 220,000 visitors.", "220 thousand visitors came.", set()),
        ("Twelve clubs and 8 pairs.", "the eight best pairs", set()),
        ("It cost € 66,618.75.", "EU contribution: € 66,618.75", set()),
        ("It cost € 66,618.", "EU contribution: € 66,618.75", {"66,618"}),
        ("The visit was in March.", "The visit was in April.", {"march"}),
        ("Mayor Lo Russo went to Torino.", "The Mayor Stefano Lo Russo went.", set()),
        ("Mayor Lo Russo went to Alba.", "The Mayor Stefano Lo Russo went.", {"alba"}),
        # A sentence of the 2024 report naming no year speaks of 2024; one naming a year is taken at its word.
        ("In 2024 it met Cordoba.", "The City met Cordoba.", set()),
        ("In 2023 it met Cordoba.", "The City met Cordoba.", {"2023"}),
        ("In 2024 it met Cordoba.", "In 2022 the City met Cordoba.", {"2024"}),
    ],
)
def test_numbers_and_names_are_compared_as_values(claim: str, source: str, expected: set[str]) -> None:
    from assistant.claims import Source

    assert set(unsupported_facts(claim, [Source(source)], subject={"torino", "turin", "city"}, year="2024")) == expected


def test_a_year_is_given_to_a_sentence_naming_none_only_when_the_report_has_one() -> None:
    from assistant.claims import Source

    assert unsupported_facts("In 2024 it met Cordoba.", [Source("The City met Cordoba.")]) == ["2024"]
    assert unsupported_facts("In 2031 it met Cordoba.", [Source("The City met Cordoba.")], year="2031") == []


def test_number_and_name_extraction() -> None:
    assert numbers("€ 1 million, 2,000 and 2024–2025") == {"1000000", "2000", "2024", "2025"}
    assert numbers("forty-eight", words=True) == {"48"}
    assert names("In 2024 Torino met the EU's COP29 team") == {"torino", "eu", "cop29"}


def test_a_streamed_draft_shows_no_markers() -> None:
    assert strip_citations("Torino received 48 delegations [S2]. They came [S") == "Torino received 48 delegations. They came"


def test_fit_threshold_picks_the_middle_of_the_gap() -> None:
    assert fit_threshold([0.9, 0.8, 0.7], [0.2, 0.3]) == (0.5, 1.0)
    threshold, accuracy = fit_threshold([0.9, 0.6, 0.25], [0.2, 0.3, 0.1])
    assert accuracy == pytest.approx(5 / 6) and 0.3 < threshold < 0.6
    with pytest.raises(ValueError):
        fit_threshold([], [0.1])


def test_a_list_lead_in_cites_what_its_items_cite() -> None:
    claims = split_claims("The twin cities in France are:\n- Lyon [S1]\n- Lille [S2]\nThat is all. [S3]")
    assert claims[0] == Claim("The twin cities in France are:", (1, 2), lead_in=True)
    assert [(c.ids, c.item) for c in claims[1:]] == [((1,), True), ((2,), True), ((3,), False)]


def test_a_lead_in_naming_what_its_items_do_not_say_is_dropped(sources) -> None:
    answer = "Visitors from Spain included:\n- Gi Jung Kang, Mayor of Gwangju [S3]"
    result = check_claims(answer, sources, embed)
    assert [v.reason for v in result.verdicts] == ["unsupported: spain", ""]


def test_fitting_pairs_put_each_claim_against_its_evidence_sentence_and_another_sections() -> None:
    from assistant.chunking import chunk_report
    from assistant.claim_fit import fitting_pairs, statement
    from assistant.config import PROJECT_ROOT, Settings
    from assistant.corpus import load_report
    from assistant.evaluation import load_qa

    settings = Settings()
    chunks = chunk_report(load_report(settings.corpus_path, settings.structure_path), settings.chunk_max_chars)
    items = [i for i in load_qa(PROJECT_ROOT / "evals" / "qa.jsonl", "dev") if i.answerable and i.evidence][:12]
    pairs = fitting_pairs(items, chunks)
    assert len(pairs.supported) == len(pairs.unsupported) == 2 * (len(items) - len(pairs.skipped))
    for claim, source in pairs.supported[::2]:  # the evidence, inside its sentence
        assert " ".join(claim.split()).lower().rstrip(",.") in " ".join(source.text.split()).lower()
    for (claim, right), (same, wrong) in zip(pairs.supported, pairs.unsupported):
        assert claim == same and right.text != wrong.text
    assert pairs.supported[1][0] == statement(next(i for i in items if i.id not in pairs.skipped))
