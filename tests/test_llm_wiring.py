"""The language-model reader wired into the assistant (ASSISTANT_READER=llm), against a
small OpenAI-compatible server on 127.0.0.1: the real retrieval, index and claim check."""

from __future__ import annotations

import re


from assistant.reader import Conversation
from assistant.service import build_assistant

from llm_support import Reply

QUESTION = "How many delegations from abroad came to Torino over 2024?"


def llm_assistant(assistant, settings, monkeypatch, base_url: str):
    monkeypatch.setenv("ASSISTANT_LLM_BASE_URL", base_url)
    monkeypatch.setenv("ASSISTANT_LLM_MODEL", "test-model")
    monkeypatch.setenv("ASSISTANT_LLM_TIMEOUT", "5")
    return build_assistant(settings.model_copy(update={"reader": "llm"}), embed_model=assistant.embed_model)


def sentence_id(prompt: str, words: str) -> str:
    """The id the prompt gave the sentence holding `words`."""
    line = next(line for line in prompt.splitlines() if words in line)
    return re.search(r"\[(S\d+)\]", line).group(1)


def test_a_made_up_figure_is_dropped_and_the_rest_kept(assistant, settings, monkeypatch, server) -> None:
    llm = llm_assistant(assistant, settings, monkeypatch, server.base_url)
    server.enqueue(Reply("NOT_IN_REPORT"))
    first = llm.ask(QUESTION)
    assert first.abstained and first.reader == "llm"
    prompt = "\n".join(m["content"] for m in server.requests[-1]["messages"])
    sid = sentence_id(prompt, "48 foreign delegations")
    server.enqueue(Reply(f"Torino received 48 foreign delegations from 26 countries [{sid}]. "
                         f"It also hosted 300 ambassadors [{sid}]."))
    answer = llm.ask(QUESTION).as_json()
    assert answer["reader"] == "llm" and answer["claims_dropped"] == 1
    assert "48" in answer["answer"] and "300" not in answer["answer"]
    assert answer["citations"][0]["section"] == "3.2"


def test_a_server_that_is_down_gives_the_extractive_answer(assistant, settings, monkeypatch) -> None:
    llm = llm_assistant(assistant, settings, monkeypatch, "http://127.0.0.1:9/v1")
    answer = llm.ask(QUESTION)
    assert answer.reader == "extractive" and not answer.abstained
    assert "48" in answer.answer and answer.citations[0].section == "3.2"


def test_the_page_stream_shows_drafts_then_the_checked_answer(assistant, settings, monkeypatch, server) -> None:
    llm = llm_assistant(assistant, settings, monkeypatch, server.base_url)
    server.enqueue(Reply("Torino welcomed many visitors, and this sentence cites nothing at all.", token_pause=0.01))
    conversation = Conversation()
    events = list(llm.stream_turn(QUESTION, conversation))
    kinds = [kind for kind, _ in events]
    assert kinds[-1] == "final" and kinds.count("final") == 1 and "draft" in kinds
    final = events[-1][1]
    assert final.reader == "extractive" and "48" in final.answer  # nothing held up: the extractive answer
    assert conversation.turns[-1].answer is final
