"""The composition root: `build_assistant(settings)` wires report -> chunks -> index ->
retriever -> reader -> conversation into one `Assistant`, which the CLI, the chat page,
the evaluation and the tests all call the same way.

Swap points are injected here: the embedding model, the retrieval mode, the reader
(`settings.reader`), the rewriter. A turn of a conversation looks only at the turns just
before it (`CONTEXT_TURNS`), so its cost does not grow with the conversation.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable, Iterable, Iterator, Sequence

import numpy as np

from .config import Settings, offline_environment
from .conversation import Rewrite, RuleRewriter, Rewriter, main_name
from .corpus import Report
from .question import Vocabulary, correct, english_words, language, question_names
from .reader import Conversation, Reader, Turn, merge_answers, split_parts
from .inputs import MAX_QUESTION_CHARS, UserError, check_question  # noqa: F401 - callers import them from here
from .records import Answer, Chunk
from .retrieval import Hit, Retriever
from .text import fold
from .translating import NOTICE_TRANSLATED, Glossary

if TYPE_CHECKING:
    from llama_index.core.base.embeddings.base import BaseEmbedding


CONTEXT_TURNS = 3  # earlier turns a follow-up is read against
VECTORS_KEPT = 1024  # query vectors cached, and as many text vectors (384 floats each)


@dataclass
class Assistant:
    """Answers questions about the report, with citations."""

    settings: Settings
    report: Report
    chunks: list[Chunk]
    embed_model: BaseEmbedding
    retriever: Retriever
    reader: Reader
    rewriter: Rewriter
    vocab: Vocabulary
    manifest: dict
    glossary: Glossary = field(default_factory=lambda: Glossary({}))
    _vectors: OrderedDict = field(default_factory=OrderedDict, repr=False)
    _text_vectors: OrderedDict = field(default_factory=OrderedDict, repr=False)

    def embed(self, text: str) -> list[float]:
        """The query vector, computed once per text (retrieval and reader share it).

        Safe from several threads (the page API answers calls in parallel): the vector is
        returned from a local, never re-read after another call may have evicted it."""
        vector = self._vectors.get(text)
        if vector is None:
            vector = self.embed_model.get_query_embedding(text)
            self._vectors[text] = vector
            if len(self._vectors) > VECTORS_KEPT:
                self._vectors.popitem(last=False)
        return vector

    def embed_texts(self, texts: Sequence[str]) -> np.ndarray:
        """Vectors of several texts (the short answer's candidates, a written answer's
        claims), those not cached computed in one batch. Cached apart from the query vectors:
        a model may embed a query and a passage of the same words differently."""
        found = {t: self._text_vectors.get(t) for t in texts}
        missing = [t for t, v in found.items() if v is None]
        if missing:
            for text, vector in zip(missing, self.embed_model.get_text_embedding_batch(missing)):
                found[text] = self._text_vectors[text] = vector
            while len(self._text_vectors) > VECTORS_KEPT:
                self._text_vectors.popitem(last=False)
        return np.asarray([found[t] for t in texts])

    def retrieve(self, question: str) -> list[Hit]:
        q = check_question(question)
        return self.retriever.search(q, self.embed(q))

    def ask(self, question: str) -> Answer:
        return self.ask_turns([question])

    def ask_turns(self, turns: Sequence[str]) -> Answer:
        """Answer the last turn; the few turns before it set the subject of follow-ups."""
        if not turns:
            raise UserError("no question given")
        questions = [check_question(t) for t in turns]
        conversation = Conversation()
        answer: Answer | None = None
        for q in questions[-(CONTEXT_TURNS + 1):]:
            answer = self.answer_turn(q, conversation)
        assert answer is not None
        return answer

    def understand(self, question: str, conversation: Conversation) -> Rewrite:
        """The question as understood: an Italian one glossed into English when every word
        of it is known, typos corrected against the report's words, then read in the light
        of the conversation."""
        q = check_question(question)
        if language(q) == "it":
            q = self.glossary.translate(q, self.vocab) or q
        if language(q) == "en":
            q, _ = correct(q, self.vocab)
        return self.rewriter.rewrite(q, conversation)

    def answer_turn(self, question: str, conversation: Conversation) -> Answer:
        """Answer one turn and append it to `conversation` (a page keeps one per session)."""
        for kind, value in self.stream_turn(question, conversation):
            if kind == "final":
                return value  # type: ignore[return-value]
        raise AssertionError("stream_turn ends with a final answer")

    def stream_turn(self, question: str, conversation: Conversation) -> Iterator[tuple[str, str | Answer]]:
        """As `answer_turn`, for a page that shows the text while a language model writes it:
        ("draft", the text so far)… then one ("final", Answer), which replaces the draft.
        A reader that does not stream (the extractive one) gives the final answer alone."""
        q = check_question(question)
        rewrite = self.understand(q, conversation)
        understood = rewrite.question
        stream = getattr(self.reader, "stream", None)
        answer: Answer | None = None
        if rewrite.choices:
            listed = ", ".join(rewrite.choices[:-1]) + f" or {rewrite.choices[-1]}"
            answer = Answer(q, f"Which one do you mean: {listed}? Ask again naming it.", True,
                            qtype="clarify", reader="conversation")
        elif stream is None or len(split_parts(understood)) > 1:
            answer = self._answer_parts(understood, conversation)
            # In a conversation, a question that names nothing of its own and finds no answer
            # is read again with the previous subject: it most likely continues it.
            again = getattr(self.rewriter, "in_context", None)
            second = again(understood, conversation) if again and answer.abstained else None
            if second:
                retried = self._answer_parts(second, conversation)
                if not retried.abstained:
                    answer, understood = retried, second
        else:
            hits = self.retriever.search(understood, self.embed(understood))
            for kind, value in stream(understood, hits, conversation):
                if kind == "draft":
                    yield kind, value
                else:
                    answer = value
        assert answer is not None
        answer.question = q
        answer.understood_as = understood
        if language(q) == "it" and language(understood) == "en":
            answer.notice = NOTICE_TRANSLATED
        conversation.turns.append(Turn(q, understood, answer))
        yield "final", answer

    def _answer_parts(self, question: str, conversation: Conversation) -> Answer:
        """A two-part question ("How many members…, and when did Torino join?") is answered
        part by part, the second read as a follow-up of the first, then merged."""
        parts = split_parts(question)
        answers: list[Answer] = []
        for i, part in enumerate(parts):
            understood = part
            if i:
                context = Conversation([Turn(parts[0], parts[0], answers[0])])
                understood = self.rewriter.rewrite(part, context).question
                if not question_names(understood):
                    # The first part's subject, as named, else the entry that answered it.
                    cited = answers[0].citations[0].heading if answers[0].citations else ""
                    own = frozenset(fold(s) for s in self.report.subject)
                    subject = main_name(parts[0], own) or main_name(cited, own)
                    understood = f"{understood.rstrip('?')} ({subject})?" if subject else understood
            answers.append(self.reader.answer(understood, self.retriever.search(understood, self.embed(understood)), conversation))
        return answers[0] if len(answers) == 1 else merge_answers(question, answers)


def make_reader(settings: Settings, chunks: list[Chunk], handle, embed: Callable[[str], list[float]], vocab: Vocabulary,
                subject: Sequence[str] = (), embed_texts: Callable[[Sequence[str]], np.ndarray] | None = None,
                year: str = "", cover: Iterable[str] = ()) -> Reader:
    """The reader named by `settings.reader`: "extractive" (the rule reader's answers, kept
    when a guard fitted on dev judges them likely right; the default), "fitted" (the
    fitted reader alone), "rules" (the rule reader alone) or "llm" (a language model,
    its claims checked)."""
    from .answering import ExtractiveAnswerer, RuleReader
    from .extractive import ExtractiveReader, GuardedReader, ReaderWeights
    from .spans import SpanModel

    if settings.reader not in ("extractive", "rules", "fitted", "llm"):
        raise UserError(f"unknown reader {settings.reader!r}: use 'extractive', 'rules', 'fitted' or 'llm'")
    vectors = np.asarray(handle.unit_vectors)
    weights = ReaderWeights.load()
    if settings.reader == "fitted":
        return ExtractiveReader(chunks, handle.unit_keys, vectors, embed, vocab, weights, embed_texts)
    spans = SpanModel(weights.span_coef, vocab.lower, embed_texts)
    answerer = ExtractiveAnswerer(chunks, handle.unit_keys, vectors, **weights.rule_params, common=vocab.lower, subject=subject,
                                  year=year, embed_words=embed_texts, cover=cover)
    rules = RuleReader(answerer, embed, spans)
    if settings.reader == "rules":
        return rules
    extractive = GuardedReader(rules, ExtractiveReader(chunks, handle.unit_keys, vectors, embed, vocab, weights, embed_texts))
    if settings.reader == "llm":
        from .llm_reader import LLMReader
        from .llm_settings import load_llm_settings

        try:
            llm_settings = load_llm_settings()
        except ValueError as e:
            raise UserError(str(e)) from None

        batch = embed_texts or (lambda texts: np.asarray([embed(t) for t in texts]))
        return LLMReader(llm_settings, fallback=extractive, embed=batch, subject=subject, year=year)
    return extractive


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
    from .parsed import load_or_parse, save_parsed

    offline_environment()
    settings = settings or Settings()
    try:
        report, chunks, stored = load_or_parse(settings)
    except FileNotFoundError as e:
        raise UserError(f"cannot read {e.filename}: the report or its structure file is missing") from e
    embed_model = embed_model or load_embed_model(settings)
    try:
        handle = open_index(settings, chunks, report.text, embed_model, progress=progress, echo=echo, rebuild=rebuild)
    except IndexUnavailable as e:
        raise UserError(str(e)) from e
    if not stored:
        save_parsed(settings, report, chunks)
    retriever = Retriever(handle, chunks, settings, mode=retrieval)
    vocab = Vocabulary([report.text], english_words(settings.model_path))
    assistant = Assistant(settings, report, chunks, embed_model, retriever, None, rewriter, vocab,  # type: ignore[arg-type]
                          handle.manifest, Glossary.load(settings.glossary_path))
    assistant.rewriter = rewriter or RuleRewriter(vocab.lower, assistant.embed_texts, report.subject)
    assistant.reader = make_reader(settings, chunks, handle, assistant.embed, vocab, report.subject, assistant.embed_texts,
                                   report.year, report.cover_words)
    return assistant
