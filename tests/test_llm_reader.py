"""The LLM reader against a real OpenAI-compatible server on 127.0.0.1 (real sockets, real JSON,
streaming and not), over real report passages, with the real MiniLM and a real fallback reader."""

from __future__ import annotations

import logging
import socket
import time

import pytest

from assistant.claims import strip_citations
from assistant.llm_reader import LLMReader, build_messages, number_sentences
from assistant.llm_settings import LLMSettings
from assistant.reader import Conversation, Turn
from assistant.records import Answer
from llm_support import ChatServer, QuotingReader, Reply, embed, report_hits

CORRECT = (
    "In 2024, the City of Torino received 48 foreign delegations from 26 countries [S2]. "
    "On 15 April 2024 Torino and Gwangju signed a Collaboration Agreement for three years [S6]."
)
HALLUCINATED_FIGURE = (
    "In 2024, the City of Torino received 52 foreign delegations from 26 countries [S2]. "
    "On 15 April 2024 Torino and Gwangju signed a Collaboration Agreement for three years [S6]."
)
WRONG_SENTENCE = "The agreement seeks to intensify collaborations in the cultural, economic, tourist and academic sectors [S4]."
UNCITED = "Torino is one of the most welcoming cities in Europe."
UNKNOWN_ID = "In 2024, the City of Torino received 48 foreign delegations from 26 countries [S42]."
QUESTION = "How many foreign delegations visited Torino during 2024?"


def make_reader(base_url: str, timeout: float = 5.0) -> tuple[LLMReader, QuotingReader]:
    fallback = QuotingReader()
    settings = LLMSettings(base_url=base_url, model="test-model", timeout=timeout)
    return LLMReader(settings, fallback=fallback, embed=embed), fallback


def ask(reader: LLMReader, streaming: bool, conversation: Conversation | None = None) -> tuple[Answer, list[str]]:
    """The final answer and the drafts shown before it."""
    conversation = conversation or Conversation()
    if not streaming:
        return reader.answer(QUESTION, report_hits(), conversation), []
    drafts: list[str] = []
    final = None
    for kind, value in reader.stream(QUESTION, report_hits(), conversation):
        if kind == "draft":
            assert isinstance(value, str)
            drafts.append(value)
        else:
            assert final is None and kind == "final"
            final = value
    assert isinstance(final, Answer)
    return final, drafts


def assert_fell_back(answer: Answer, fallback: QuotingReader, caplog: pytest.LogCaptureFixture) -> None:
    assert answer.reader == "extractive" and answer.answer.startswith("QUOTED: ")
    assert fallback.calls == [QUESTION]
    assert "language model" in answer.notice
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1 and warnings[0].exc_info is None and "\n" not in warnings[0].getMessage()


@pytest.mark.parametrize("streaming", [False, True], ids=["whole", "streamed"])
def test_a_correct_answer_is_kept_with_structured_citations(server: ChatServer, streaming: bool) -> None:
    server.enqueue(Reply(CORRECT))
    reader, fallback = make_reader(server.base_url)
    answer, drafts = ask(reader, streaming)
    assert answer.reader == "llm" and not answer.abstained and answer.claims_dropped == 0
    assert fallback.calls == []
    assert "48 foreign delegations" in answer.answer and "[1]" in answer.answer and "[2]" in answer.answer
    assert "[S" not in answer.answer
    units = {u.text: u for hit in report_hits() for u in hit.chunk.units}
    assert [c.n for c in answer.citations] == [1, 2]
    assert [c.section for c in answer.citations] == ["3.2", "3.1"]
    for citation in answer.citations:
        unit = units[citation.quote]
        assert (citation.start, citation.end) == (unit.start, unit.end)
        assert citation.quote in citation.passage and citation.pages
    if streaming:
        assert len(drafts) > 3 and all("[S" not in d for d in drafts)
        assert drafts[-1] == strip_citations(CORRECT)


def test_the_prompt_holds_numbered_sentences_places_rules_and_the_conversation(server: ChatServer) -> None:
    server.enqueue(Reply(CORRECT))
    reader, _ = make_reader(server.base_url)
    earlier = Answer("Who visited?", "The Mayor of Gwangju visited Torino [1].", False, reader="extractive")
    conversation = Conversation([Turn("Who visited?", "Who visited Torino in 2024?", earlier)])
    ask(reader, streaming=False, conversation=conversation)
    (request,) = server.requests
    assert request["path"] == "/v1/chat/completions" and request["model"] == "test-model"
    assert request["temperature"] == 0 and not request.get("stream")
    system, user = request["messages"]
    assert "NOT_IN_REPORT" in system["content"] and "[S3]" in system["content"]
    text = user["content"]
    delegations = report_hits()[0].chunk
    assert f"[S2] {delegations.units[1].text}" in text
    assert f"§3.2 {delegations.section_title}" in text and f"(pages {delegations.pages})" in text
    assert "Who visited Torino in 2024?" in text and "The Mayor of Gwangju visited Torino." in text
    assert text.rstrip().endswith(f"Question: {QUESTION}")


@pytest.mark.parametrize("streaming", [False, True], ids=["whole", "streamed"])
def test_a_hallucinated_figure_is_dropped_and_the_rest_kept(server: ChatServer, streaming: bool) -> None:
    server.enqueue(Reply(HALLUCINATED_FIGURE))
    reader, _ = make_reader(server.base_url)
    answer, drafts = ask(reader, streaming)
    assert answer.reader == "llm" and answer.claims_dropped == 1
    assert "52" not in answer.answer and "Gwangju" in answer.answer
    assert [c.section for c in answer.citations] == ["3.1"]
    if streaming:  # the draft showed the figure; the checked answer replaces it
        assert "52" in drafts[-1]


@pytest.mark.parametrize("written", [WRONG_SENTENCE, UNCITED, WRONG_SENTENCE + " " + UNCITED])
def test_when_no_claim_survives_the_fallback_answers_and_says_so(
    server: ChatServer, written: str, caplog: pytest.LogCaptureFixture
) -> None:
    server.enqueue(Reply(written))
    reader, fallback = make_reader(server.base_url)
    answer, _ = ask(reader, streaming=False)
    assert answer.reader == "extractive" and answer.answer.startswith("QUOTED: ")
    assert fallback.calls == [QUESTION]
    assert answer.claims_dropped == written.count(".")
    assert "not supported by the report" in answer.notice


@pytest.mark.parametrize("streaming", [False, True], ids=["whole", "streamed"])
def test_not_in_report_abstains(server: ChatServer, streaming: bool) -> None:
    server.enqueue(Reply("NOT_IN_REPORT"))
    reader, fallback = make_reader(server.base_url)
    answer, drafts = ask(reader, streaming)
    assert answer.abstained and answer.reader == "llm" and answer.citations == []
    assert answer.answer.startswith("The report does not say.")
    assert [s["section"] for s in answer.suggestions] == ["3.2", "3.1", "2"]
    assert fallback.calls == [] and drafts == []


def test_an_answer_citing_ids_not_given_falls_back(server: ChatServer, caplog: pytest.LogCaptureFixture) -> None:
    server.enqueue(Reply(UNKNOWN_ID))
    reader, fallback = make_reader(server.base_url)
    answer, _ = ask(reader, streaming=False)
    assert_fell_back(answer, fallback, caplog)
    assert "S42" in caplog.records[-1].getMessage()


@pytest.mark.parametrize("streaming", [False, True], ids=["whole", "streamed"])
def test_a_server_that_is_down_falls_back_at_once(streaming: bool, caplog: pytest.LogCaptureFixture) -> None:
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    reader, fallback = make_reader(f"http://127.0.0.1:{port}/v1", timeout=5.0)
    started = time.monotonic()
    answer, _ = ask(reader, streaming)
    assert time.monotonic() - started < 2.0
    assert_fell_back(answer, fallback, caplog)
    assert "Connection" in caplog.records[-1].getMessage()


@pytest.mark.parametrize(
    ("reply", "streaming"),
    [(Reply(CORRECT, delay=3.0), False), (Reply(CORRECT, delay=3.0), True), (Reply(CORRECT, token_pause=0.3), True)],
    ids=["silent-whole", "silent-streamed", "trickling-streamed"],
)
def test_a_slow_server_falls_back_within_the_timeout(
    server: ChatServer, reply: Reply, streaming: bool, caplog: pytest.LogCaptureFixture
) -> None:
    server.enqueue(reply)
    reader, fallback = make_reader(server.base_url, timeout=1.0)
    started = time.monotonic()
    answer, _ = ask(reader, streaming)
    assert time.monotonic() - started < 1.8
    assert_fell_back(answer, fallback, caplog)


@pytest.mark.parametrize("streaming", [False, True], ids=["whole", "streamed"])
def test_a_server_returning_garbage_falls_back(server: ChatServer, streaming: bool, caplog: pytest.LogCaptureFixture) -> None:
    server.enqueue(Reply(garbage=True))
    reader, fallback = make_reader(server.base_url)
    answer, _ = ask(reader, streaming)
    assert_fell_back(answer, fallback, caplog)


def test_no_passages_means_the_fallback_answers(server: ChatServer) -> None:
    reader, fallback = make_reader(server.base_url)
    fallback_answer = Answer(QUESTION, "The report does not say.", True, reader="extractive")
    fallback.answer = lambda question, passages, conversation: fallback_answer  # type: ignore[method-assign]
    assert reader.answer(QUESTION, [], Conversation()) is fallback_answer
    assert server.requests == []


def test_build_messages_numbers_every_sentence_once() -> None:
    numbered = number_sentences(report_hits())
    assert list(numbered) == list(range(1, sum(len(h.chunk.units) for h in report_hits()) + 1))
    user = build_messages(QUESTION, numbered, Conversation())[1]["content"]
    assert all(f"[S{i}] " in user for i in numbered)


def test_report_sentences_are_embedded_once_across_questions(server: ChatServer) -> None:
    seen: list[str] = []

    def recording_embed(texts):
        seen.extend(texts)
        return embed(texts)

    reader = LLMReader(LLMSettings(base_url=server.base_url, model="m"), QuotingReader(), recording_embed)
    server.enqueue(Reply(CORRECT))
    server.enqueue(Reply(CORRECT.replace("In 2024, the City", "That year the City")))
    reader.answer(QUESTION, report_hits(), Conversation())
    first = len(seen)
    reader.answer(QUESTION, report_hits(), Conversation())
    assert len(seen) == first + 1 and seen[-1].startswith("That year")
    assert len(set(seen)) == len(seen)


def test_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSISTANT_LLM_BASE_URL", "http://127.0.0.1:8080/v1")
    monkeypatch.setenv("ASSISTANT_LLM_MODEL", "qwen2.5")
    monkeypatch.setenv("ASSISTANT_LLM_TIMEOUT", "7.5")
    settings = LLMSettings()
    assert (settings.base_url, settings.model, settings.timeout, settings.api_key) == ("http://127.0.0.1:8080/v1", "qwen2.5", 7.5, "")
    assert settings.temperature == 0


def test_the_model_sees_max_passages_and_the_fallback_all_of_them(server: ChatServer) -> None:
    fallback = QuotingReader()
    reader = LLMReader(LLMSettings(base_url=server.base_url, model="m", max_passages=2), fallback, embed)
    server.enqueue(Reply(garbage=True))
    reader.answer(QUESTION, report_hits(), Conversation())
    shown = sum(len(h.chunk.units) for h in report_hits()[:2])
    user = server.requests[0]["messages"][1]["content"]
    assert f"[S{shown}] " in user and f"[S{shown + 1}] " not in user
    assert fallback.passages == [len(report_hits())]


def test_a_list_answer_keeps_its_lines_and_its_lead_in(server: ChatServer) -> None:
    server.enqueue(Reply("The report names these visitors:\n- Gi Jung Kang, Mayor of Gwangju [S3]\n- Anton G. A. Salman, Mayor of Bethlehem [S3]"))
    reader, _ = make_reader(server.base_url)
    answer, _ = ask(reader, streaming=False)
    assert answer.reader == "llm" and answer.claims_dropped == 0
    lines = answer.answer.split("\n")
    assert lines[0] == "The report names these visitors:" and len(lines) == 3
    assert all(line.endswith("[1]") for line in lines[1:]) and len(answer.citations) == 1


@pytest.mark.parametrize("streaming", [False, True], ids=["whole", "streamed"])
def test_a_reasoning_models_notes_are_not_part_of_the_answer(server: ChatServer, streaming: bool) -> None:
    server.enqueue(Reply("<think>Maybe 99 delegations came from Mars?</think>\n" + CORRECT.replace("[S6]", "(S6)")))
    reader, _ = make_reader(server.base_url)
    answer, drafts = ask(reader, streaming)
    assert answer.reader == "llm" and answer.claims_dropped == 0 and len(answer.citations) == 2
    assert not any("Mars" in d or "think" in d for d in drafts + [answer.answer])


def test_a_bad_setting_is_one_clear_line(monkeypatch: pytest.MonkeyPatch) -> None:
    from assistant.llm_settings import load_llm_settings

    monkeypatch.setenv("ASSISTANT_LLM_TIMEOUT", "soon")
    with pytest.raises(ValueError, match=r"^ASSISTANT_LLM_TIMEOUT: .*number"):
        load_llm_settings()
    monkeypatch.setenv("ASSISTANT_LLM_TIMEOUT", "2")
    assert load_llm_settings().timeout == 2
