"""Italian questions glossed word by word into English: answered when every word is
understood, the bilingual notice otherwise; never a guess at a word it does not know."""

from __future__ import annotations

from hypothesis import given, settings as hsettings, strategies as st

from assistant.config import Settings
from assistant.question import Vocabulary, language
from assistant.translating import Glossary

GLOSSARY = Glossary.load(Settings().glossary_path)
REPORT = Vocabulary(["Delegations came to Torino. The Terra Madre Salone del Gusto opened."])


def test_the_glossary_covers_the_question_and_function_words_of_italian() -> None:
    for italian in ("chi", "quando", "dove", "quante", "quanti", "perché", "perche", "della", "nel", "dell'"):
        assert italian in GLOSSARY.entries, italian
    assert len(GLOSSARY.entries) > 2000


def test_an_italian_question_of_known_words_becomes_english_and_keeps_names_and_numbers() -> None:
    gloss = GLOSSARY.translate("Quante delegazioni straniere sono arrivate a Torino nel 2024?", REPORT)
    assert gloss is not None and language(gloss) == "en"
    assert gloss.lower().startswith("how many") and "delegations" in gloss
    assert "Torino" in gloss and "2024" in gloss and gloss.endswith("?")


def test_one_unknown_word_and_nothing_is_translated() -> None:
    assert GLOSSARY.translate("Quante zorblattine straniere sono arrivate a Torino?", REPORT) is None


def test_a_name_the_report_writes_is_kept_whole() -> None:
    gloss = GLOSSARY.translate("Quanti espositori c'erano al Terra Madre Salone del Gusto?", REPORT)
    assert gloss is not None and "Terra Madre Salone del Gusto" in gloss


def test_a_missing_glossary_translates_nothing(tmp_path) -> None:
    empty = Glossary.load(tmp_path / "none.tsv")
    assert empty.translate("Chi ha vinto?", REPORT) is None


@hsettings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_any_text_gives_a_gloss_of_glossary_words_or_none(text: str) -> None:
    gloss = GLOSSARY.translate(text, REPORT)
    if gloss is not None:
        assert gloss.strip() and "\n" not in gloss


def test_an_italian_question_is_answered_in_english_with_a_notice_in_both_languages(assistant) -> None:
    answer = assistant.ask("Quante delegazioni straniere sono arrivate a Torino nel 2024?")
    assert language(answer.understood_as) == "en"
    assert not answer.abstained and "48" in answer.short_answer
    assert answer.citations[0].section == "3.2"
    assert "italiano" in answer.notice and "Italian" in answer.notice


def test_an_italian_question_it_cannot_read_gets_the_bilingual_notice(assistant) -> None:
    answer = assistant.ask("Quante zorblattine straniere sono arrivate a Torino nel 2024?")
    assert answer.abstained and not answer.citations
    assert "inglese" in answer.notice and "English" in answer.notice
