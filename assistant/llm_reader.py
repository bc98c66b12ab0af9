"""The optional generative reader: a language model writes the answer, and every claim is checked.

Any server speaking the OpenAI chat-completions API will do (Ollama, llama.cpp's server,
vLLM, LM Studio, OpenAI), through the `openai` client. The model is shown the retrieved
passages as numbered sentences ([S1], [S2], … with section and pages) and the
conversation so far, and told to answer only from them, cite sentence ids after each
claim, and answer exactly NOT_IN_REPORT when they do not hold the answer.

Its answer is then checked claim by claim (`claims.py`): claims that fail are dropped and
counted in `Answer.claims_dropped`; the citations of the kept ones become structured
`Citation`s. When nothing can be trusted the fallback reader (the extractive one) answers
instead, and the reason is logged in one line:
- no claim survives the check           -> fallback answer, with a notice saying so;
- server down, timeout, malformed output,
  or ids cited that were not given      -> fallback answer, `reader` "extractive".
The whole exchange is bounded by `LLMSettings.timeout`: a slow server cannot hang a turn.
"""

from __future__ import annotations

import logging
import queue
import re
import threading
import time
from dataclasses import dataclass, replace
from typing import Any, Iterator, Sequence

import numpy as np

from .claims import Claim, Embed, Source, check, split_claims, strip_citations
from .llm_settings import LLMSettings
from .reader import Conversation, Reader, abstain
from .records import Answer, Citation, Chunk, Unit
from .retrieval import Hit
from .text import name_words

log = logging.getLogger(__name__)

NOT_IN_REPORT = "NOT_IN_REPORT"
THINKING = re.compile(r"<think>.*?(?:</think>|$)", re.S)  # reasoning models' notes (qwen3, deepseek-r1): not the answer
HISTORY_TURNS = 3  # earlier turns shown to the model: enough for "and what about Lyon?"

SYSTEM_PROMPT = f"""You answer questions about one document: the City of Torino's International Activities Annual Report 2024.
Rules:
- Use only the numbered report sentences you are given, never your own knowledge.
- After each sentence of your answer, cite the ids of the report sentences it comes from, like [S3] or [S3][S7].
- Every number, date and name you write must appear in the sentences you cite.
- Be brief: one to four sentences, or a short list with one item per line.
- If the sentences do not hold the answer, answer exactly {NOT_IN_REPORT} and nothing else."""


class LLMFailed(RuntimeError):
    """The language model gave no usable answer (unreachable, too slow, malformed, invented ids)."""


class NothingSupported(Exception):
    """The model answered, but the check dropped every claim."""

    def __init__(self, reasons: list[str]) -> None:
        super().__init__(f"{len(reasons)} claims dropped")
        self.reasons = reasons

    @property
    def notice(self) -> str:
        n = len(self.reasons)
        return (
            f"The language model's answer was not supported by the report ({n} statement{'s' if n != 1 else ''} "
            "removed); this answer is quoted from the report."
        )


@dataclass(frozen=True)
class Numbered:
    """A report sentence as shown to the model, with the passage it came from."""

    id: int
    unit: Unit
    chunk: Chunk

    @property
    def source(self) -> Source:
        c = self.chunk
        return Source(self.unit.text, c.heading, f"§{c.section_id} {c.section_title}, pages {c.pages}")


def number_sentences(passages: Sequence[Hit]) -> dict[int, Numbered]:
    """Every unit of every passage, numbered from 1 in passage order (best passage first)."""
    numbered: dict[int, Numbered] = {}
    for hit in passages:
        for unit in hit.chunk.units:
            numbered[len(numbered) + 1] = Numbered(len(numbered) + 1, unit, hit.chunk)
    return numbered


def _plain_answer(answer: Answer) -> str:
    text = re.sub(r"\s*\[\d+\]", "", answer.answer)
    return text if len(text) <= 500 else text[:500].rsplit(" ", 1)[0] + " …"


def build_messages(question: str, numbered: dict[int, Numbered], conversation: Conversation) -> list[dict[str, str]]:
    """The chat messages: rules as the system message; sentences, earlier turns and question as the user's."""
    lines = ["Report sentences:"]
    chunk_id = None
    for n in numbered.values():
        if n.chunk.id != chunk_id:
            chunk_id, c = n.chunk.id, n.chunk
            lines.append(f"\n§{c.section_id} {c.section_title} — {c.heading} (pages {c.pages})")
        lines.append(f"[S{n.id}] {n.unit.text}")
    turns = conversation.turns[-HISTORY_TURNS:]
    if turns:
        lines.append("\nThe conversation so far (only to understand the question; not a source):")
        for turn in turns:
            lines += [f"Question: {turn.understood or turn.question}", f"Answer: {_plain_answer(turn.answer)}"]
    lines.append(f"\nQuestion: {question}")
    return [{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": "\n".join(lines)}]


def _reason(error: BaseException) -> str:
    """One line for the log: the error's kind and the first line of its message."""
    first = (str(error).strip().splitlines() or [""])[0][:200]
    return f"{type(error).__name__}: {first}" if first else type(error).__name__


class LLMReader:
    """Writes the answer with a language model; keeps only the claims its citations support."""

    name = "llm"

    def __init__(self, settings: LLMSettings, fallback: Reader, embed: Embed, subject: Sequence[str] = (),
                 year: str = "") -> None:
        self.settings = settings
        # The report's own subject ('subject' in corpus/structure.toml): any claim may name it;
        # and its own year (`Report.year`), which a claim may give a sentence naming none.
        self.subject = name_words(subject)
        self.year = year
        self.fallback = fallback
        self._embed = embed
        self._vectors: dict[str, np.ndarray] = {}
        self._client: Any = None

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """`embed`, remembering vectors: the report's sentences come back question after question."""
        found = {t: self._vectors.get(t) for t in texts}
        missing = [t for t, v in found.items() if v is None]
        if missing:
            computed = dict(zip(missing, np.asarray(self._embed(missing))))
            found.update(computed)
            if len(self._vectors) > 20_000:
                self._vectors = {}
            self._vectors.update(computed)
        return np.stack([found[t] for t in texts])

    # ------------------------------------------------------------------ the Reader protocol

    def answer(self, question: str, passages: Sequence[Hit], conversation: Conversation) -> Answer:
        """The checked answer, asked for in one piece (no streaming)."""
        final: Answer | None = None
        for kind, value in self._events(question, passages, conversation, streaming=False):
            if kind == "final":
                assert isinstance(value, Answer)
                final = value
        assert final is not None
        return final

    def stream(self, question: str, passages: Sequence[Hit], conversation: Conversation) -> Iterator[tuple[str, str | Answer]]:
        """For the page: ("draft", the text so far, markers stripped) … then ("final", the checked Answer).

        The final answer replaces the draft: claims may have been dropped, or the fallback
        may have answered. Exactly one "final" comes, also when the server fails.
        """
        return self._events(question, passages, conversation, streaming=True)

    # ------------------------------------------------------------------ steps

    def _events(
        self, question: str, passages: Sequence[Hit], conversation: Conversation, streaming: bool
    ) -> Iterator[tuple[str, str | Answer]]:
        shown = list(passages)[: self.settings.max_passages]
        numbered = number_sentences(shown)
        if not numbered:  # no sentence to ground an answer on: the fallback says so its own way
            yield "final", self.fallback.answer(question, passages, conversation)
            return
        text = ""
        try:
            for piece in self._complete(build_messages(question, numbered, conversation), streaming):
                text += piece
                draft = THINKING.sub("", text).strip()
                if streaming and not NOT_IN_REPORT.startswith(draft[: len(NOT_IN_REPORT)]):
                    yield "draft", strip_citations(draft)
            answer = self._checked(question, shown, numbered, THINKING.sub("", text))
        except NothingSupported as nothing:
            log.info("llm reader: every claim dropped: %s", "; ".join(nothing.reasons))
            answer = self._fallback(question, passages, conversation, nothing.notice)
            answer = replace(answer, claims_dropped=len(nothing.reasons))
        except Exception as error:  # the server is an external edge: any failure means "answer without it"
            why = error if isinstance(error, LLMFailed) else LLMFailed(_reason(error))
            log.warning(
                "llm reader (%s at %s): %s; the %s reader answers instead",
                self.settings.model, self.settings.base_url, why, self.fallback.name,
            )
            notice = "The language model gave no usable answer; this answer is quoted from the report."
            answer = self._fallback(question, passages, conversation, notice)
        yield "final", answer

    def _checked(self, question: str, passages: Sequence[Hit], numbered: dict[int, Numbered], text: str) -> Answer:
        """The written answer, its unsupported claims dropped; raises when it cannot be used at all."""
        if not text.strip():
            raise LLMFailed("empty answer")
        claims = split_claims(text)
        said_absent = [c for c in claims if NOT_IN_REPORT in c.text]
        claims = [c for c in claims if NOT_IN_REPORT not in c.text]
        if not claims and said_absent:
            return abstain(question, "", passages, 0.0, reader=self.name)
        result = check(claims, {i: n.source for i, n in numbered.items()}, self.embed, self.settings.min_similarity,
                       self.subject, self.year)
        if result.cites_unknown_ids:
            unknown = "; ".join(v.reason for v in result.verdicts if v.reason.startswith("unknown id"))
            raise LLMFailed(f"cited sentences that were not given ({unknown})")
        kept = [v for v in result.verdicts if v.kept]
        if not kept:
            raise NothingSupported([v.reason for v in result.verdicts])
        text, citations = self._cite([v.claim for v in kept], numbered)
        return Answer(
            question, text, False, citations,
            short_answer=kept[0].claim.text if len(kept) == 1 else "",
            support=min(v.similarity or 0.0 for v in kept),
            reader=self.name,
            claims_dropped=result.dropped,
        )

    @staticmethod
    def _cite(claims: Sequence[Claim], numbered: dict[int, Numbered]) -> tuple[str, list[Citation]]:
        """The answer text with [n] markers, and one Citation per cited sentence in order of first citation."""
        order: dict[int, int] = {}
        citations: list[Citation] = []
        parts: list[str] = []
        for claim in claims:
            for i in claim.ids:
                if i not in order:
                    order[i] = len(order) + 1
                    u, c = numbered[i].unit, numbered[i].chunk
                    citations.append(Citation(order[i], c.section_id, c.section_title, c.heading, c.pages, u.text, u.start, u.end, c.body))
            marked = claim.text if claim.lead_in else f"{claim.text} {''.join(f'[{order[i]}]' for i in claim.ids)}"
            parts.append(("\n" if claim.new_line and parts else " " if parts else "") + marked)
        return "".join(parts), citations

    def _fallback(self, question: str, passages: Sequence[Hit], conversation: Conversation, notice: str) -> Answer:
        """The fallback reader's answer to the same passages (all of them), with a notice why."""
        answer = self.fallback.answer(question, passages, conversation)
        notices = " ".join(n for n in (answer.notice, notice) if n)
        return replace(answer, reader=self.fallback.name, notice=notices)

    # ------------------------------------------------------------------ the server

    def _client_or_raise(self) -> Any:
        if self._client is None:
            try:
                from openai import OpenAI
            except ImportError as e:  # pragma: no cover - openai is a dependency
                raise LLMFailed("the 'openai' package is not installed (pip install openai)") from e
            self._client = OpenAI(
                base_url=self.settings.base_url,
                api_key=self.settings.api_key or "not-needed",  # local servers want none, the client wants one
                timeout=self.settings.timeout,
                max_retries=0,
            )
        return self._client

    def _complete(self, messages: list[dict[str, str]], streaming: bool) -> Iterator[str]:
        """The answer's text in pieces as the server sends them, all within the timeout.

        The request runs in a worker thread so that the deadline holds however the
        server misbehaves (slow headers, a trickle of tokens); an abandoned worker stops
        at its next token or at the client's own timeout.
        """
        client = self._client_or_raise()
        pieces: queue.Queue[tuple[str, Any]] = queue.Queue()
        stop = threading.Event()
        timeout = self.settings.timeout

        def work() -> None:
            try:
                response = client.chat.completions.create(
                    model=self.settings.model,
                    messages=messages,
                    temperature=self.settings.temperature,
                    max_tokens=self.settings.max_tokens,
                    stream=streaming,
                )
                if streaming:
                    with response:
                        for event in response:
                            if stop.is_set():
                                return
                            if event.choices and event.choices[0].delta.content:
                                pieces.put(("text", event.choices[0].delta.content))
                else:
                    content = response.choices[0].message.content
                    if not isinstance(content, str):
                        raise LLMFailed("the reply holds no message text")
                    pieces.put(("text", content))
                pieces.put(("end", None))
            except Exception as error:  # handed to the caller's thread, which decides
                pieces.put(("error", error))

        threading.Thread(target=work, name="llm-reader", daemon=True).start()
        deadline = time.monotonic() + timeout
        try:
            while True:
                left = deadline - time.monotonic()
                try:
                    if left <= 0:
                        raise queue.Empty
                    kind, value = pieces.get(timeout=left)
                except queue.Empty:
                    raise LLMFailed(f"no complete answer within {timeout:g} s") from None
                if kind == "end":
                    return
                if kind == "error":
                    raise value if isinstance(value, LLMFailed) else LLMFailed(_reason(value))
                yield value
        finally:
            stop.set()
