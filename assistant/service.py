"""The composition root: `build_assistant(settings)` wires report -> chunks -> index ->
retriever -> answerer -> conversation into one `Assistant`, which the CLI, the chat page,
the evaluation and the tests all call the same way.

Swap points are injected here: the embedding model, the retrieval mode, the rewriter.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Sequence

import numpy as np

from .answering import ExtractiveAnswerer, merge_answers, question_names, split_parts
from .chunking import chunk_report
from .config import Settings
from .conversation import RuleRewriter, Rewriter, main_name
from .corpus import Report, load_report
from .inputs import MAX_QUESTION_CHARS, UserError, check_question  # noqa: F401 - callers import them from here
from .records import Answer, Chunk
from .retrieval import Hit, Retriever

if TYPE_CHECKING:
    from llama_index.core.base.embeddings.base import BaseEmbedding


@dataclass
class Assistant:
    """Answers questions about the report, with citations."""

    settings: Settings
    report: Report
    chunks: list[Chunk]
    embed_model: BaseEmbedding
    retriever: Retriever
    answerer: ExtractiveAnswerer
    rewriter: Rewriter
    manifest: dict

    def _embed(self, text: str) -> list[float]:
        return self.embed_model.get_query_embedding(text)

    def retrieve(self, question: str) -> list[Hit]:
        q = check_question(question)
        return self.retriever.search(q, self._embed(q))

    def ask(self, question: str) -> Answer:
        return self.ask_turns([question])

    def ask_turns(self, turns: Sequence[str]) -> Answer:
        """Answer the last turn; earlier turns set the subject of follow-ups."""
        if not turns:
            raise UserError("no question given")
        history: list[tuple[str, Answer]] = []
        answer: Answer | None = None
        for turn in turns:
            q = check_question(turn)
            understood = self.rewriter.rewrite(q, history)
            answer = self._answer_parts(understood, history)
            answer.question, answer.understood_as = q, understood
            history.append((understood, answer))
        assert answer is not None
        return answer

    def _answer_parts(self, question: str, history: list[tuple[str, Answer]]) -> Answer:
        """A two-part question ("How many members…, and when did Torino join?") is answered
        part by part, the second read as a follow-up of the first, then merged."""
        parts = split_parts(question)
        answers: list[Answer] = []
        for i, part in enumerate(parts):
            understood = self.rewriter.rewrite(part, history + [(parts[0], answers[0])]) if i else part
            if not question_names(understood):
                # 'How many speakers and how many events did Biennale Tecnologia have?'
                named = next((p for p in parts if question_names(p)), "")
                subject = main_name(named)
                understood = f"{understood.rstrip('?')} ({subject})?" if subject else understood
            vector = self._embed(understood)
            answers.append(self.answerer.answer(understood, vector, self.retriever.search(understood, vector)))
        return answers[0] if len(answers) == 1 else merge_answers(question, answers)


def build_assistant(
    settings: Settings | None = None,
    *,
    retrieval: str = "hybrid",
    embed_model: BaseEmbedding | None = None,
    rewriter: Rewriter | None = None,
    progress: bool = False,
    echo: Callable[[str], None] = lambda s: None,
    rebuild: bool = False,
) -> Assistant:
    """Load the report and the index (building the index when missing or stale)."""
    from .embedding import load_embed_model
    from .index import IndexUnavailable, open_index

    settings = settings or Settings()
    try:
        report = load_report(settings.corpus_path, settings.structure_path)
    except FileNotFoundError as e:
        raise UserError(f"cannot read {e.filename}: the report or its structure file is missing") from e
    chunks = chunk_report(report, settings.chunk_max_chars)
    embed_model = embed_model or load_embed_model(settings)
    try:
        handle = open_index(settings, chunks, report.text, embed_model, progress=progress, echo=echo, rebuild=rebuild)
    except IndexUnavailable as e:
        raise UserError(str(e)) from e
    retriever = Retriever(handle, chunks, settings, mode=retrieval)
    answerer = ExtractiveAnswerer(chunks, handle.unit_keys, np.asarray(handle.unit_vectors), settings.abstain_below)
    return Assistant(settings, report, chunks, embed_model, retriever, answerer, rewriter or RuleRewriter(), handle.manifest)
