"""Store chunks (and their sentences) in a persistent Chroma collection, and keep it fresh.

`open_index` is the only entry point: it loads the index from `settings.home`, or builds
it when it is missing or stale. A manifest records what the index was built from (format
version, model, chunking settings, corpus hash, a hash of the chunks); any difference
means a rebuild, from empty collections, so chunks are never duplicated.

Besides the chunks, every unit (sentence, list item, table row) is embedded into a second
collection: the answerer picks the sentence that answers from these vectors.
It does not retrieve or answer: see `retrieval.py` and `answering.py`.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

import numpy as np

from .records import Chunk

if TYPE_CHECKING:
    from llama_index.core import VectorStoreIndex
    from llama_index.core.base.embeddings.base import BaseEmbedding

    from .config import Settings

FORMAT_VERSION = 2  # 2: vectors from the ONNX export kept in the index folder
CHUNKS = "report_chunks"
UNITS = "report_units"


@dataclass
class IndexHandle:
    """An open index: the llama-index view of the chunks and the unit vectors."""

    vector_index: VectorStoreIndex
    unit_keys: list[tuple[str, int]]  # (chunk id, unit number) for each row of unit_vectors
    unit_vectors: np.ndarray
    manifest: dict[str, Any]
    built_now: bool


def unit_text(chunk: Chunk, k: int) -> str:
    """What a unit is embedded as: its words, placed by its chunk's heading."""
    prefix = chunk.text[: len(chunk.text) - len(chunk.body)].rstrip(" :—")
    return f"{prefix}: {chunk.units[k].text}"


def expected_manifest(settings: Settings, chunks: list[Chunk], corpus_text: str) -> dict[str, Any]:
    digest = hashlib.sha256()
    for chunk in chunks:
        digest.update(f"{chunk.id}\x00{chunk.text}\x00{chunk.pages}\x00".encode())
        for unit in chunk.units:
            digest.update(f"{unit.start}:{unit.end}:{unit.text}\x00".encode())
    return {
        "format_version": FORMAT_VERSION,
        "model": settings.model_name,
        "chunk_max_chars": settings.chunk_max_chars,
        "corpus_sha256": hashlib.sha256(corpus_text.encode()).hexdigest(),
        "chunks_sha256": digest.hexdigest(),
        "chunks": len(chunks),
        "units": sum(len(c.units) for c in chunks),
    }


def read_manifest(home: Path) -> dict[str, Any] | None:
    try:
        return json.loads((home / "manifest.json").read_text())
    except (OSError, ValueError):
        return None


def is_fresh(found: dict[str, Any] | None, expected: dict[str, Any]) -> bool:
    return found is not None and all(found.get(k) == v for k, v in expected.items())


def _client(home: Path) -> Any:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    return chromadb.PersistentClient(
        path=str(home / "chroma"), settings=ChromaSettings(anonymized_telemetry=False)
    )


def nodes_for(chunks: list[Chunk]) -> list[Any]:
    """The llama-index nodes of the chunks, as stored (BM25 runs over the same nodes).

    Metadata rides along for display but is kept out of what is embedded: the chunk's
    text already carries its context.
    """
    from llama_index.core.schema import TextNode

    nodes = []
    for chunk in chunks:
        meta = chunk.metadata()
        nodes.append(
            TextNode(
                id_=chunk.id,
                text=chunk.text,
                metadata=meta,
                excluded_embed_metadata_keys=list(meta),
                excluded_llm_metadata_keys=list(meta),
            )
        )
    return nodes


def build_index(
    settings: Settings,
    chunks: list[Chunk],
    embed_model: BaseEmbedding,
    manifest: dict[str, Any],
    progress: bool = False,
    echo: Callable[[str], None] = lambda s: None,
) -> None:
    """Build both collections from empty, then write the manifest (last, so a crash means stale)."""
    from llama_index.core import StorageContext, VectorStoreIndex
    from llama_index.core.schema import MetadataMode
    from llama_index.vector_stores.chroma import ChromaVectorStore

    from .embedding import embed_for_build, export_onnx

    home = Path(settings.home)
    home.mkdir(parents=True, exist_ok=True)
    (home / "manifest.json").unlink(missing_ok=True)
    client = _client(home)
    for name in (CHUNKS, UNITS):
        if name in {c.name if hasattr(c, "name") else c for c in client.list_collections()}:
            client.delete_collection(name)
    started = time.perf_counter()
    echo("Exporting the embedding model to ONNX…")
    onnx_info = export_onnx(settings, home)
    nodes = nodes_for(chunks)
    keys = [(c.id, k) for c in chunks for k in range(len(c.units))]
    by_id = {c.id: c for c in chunks}
    texts = [unit_text(by_id[cid], k) for cid, k in keys]
    echo(f"Embedding {len(nodes)} passages and {len(texts)} sentences…")
    passage_texts = [n.get_content(metadata_mode=MetadataMode.EMBED) for n in nodes]
    embedded = embed_for_build(home, passage_texts + texts, progress)
    for node, vector in zip(nodes, embedded):
        node.embedding = vector
    vectors = embedded[len(nodes) :]
    store = ChromaVectorStore(chroma_collection=client.create_collection(CHUNKS))
    VectorStoreIndex(nodes, storage_context=StorageContext.from_defaults(vector_store=store), embed_model=embed_model)
    units = client.create_collection(UNITS)
    step = 1000
    for i in range(0, len(keys), step):
        units.add(
            ids=[f"{cid}/{k}" for cid, k in keys[i : i + step]],
            embeddings=vectors[i : i + step],
            documents=texts[i : i + step],
        )
    manifest = {**manifest, "embedding": onnx_info, "built_seconds": round(time.perf_counter() - started, 1)}
    tmp = home / "manifest.json.tmp"
    tmp.write_text(json.dumps(manifest, indent=2))
    tmp.replace(home / "manifest.json")


def open_index(
    settings: Settings,
    chunks: list[Chunk],
    corpus_text: str,
    embed_model: BaseEmbedding,
    progress: bool = False,
    echo: Callable[[str], None] = lambda s: None,
) -> IndexHandle:
    """Load the index, building it first when it is missing or stale."""
    from llama_index.core import VectorStoreIndex
    from llama_index.vector_stores.chroma import ChromaVectorStore

    home = Path(settings.home)
    expected = expected_manifest(settings, chunks, corpus_text)
    built_now = False
    from .embedding import onnx_ready

    if not (is_fresh(read_manifest(home), expected) and onnx_ready(home)):
        reason = "missing" if read_manifest(home) is None else "stale"
        echo(f"The index in {home} is {reason}: building it.")
        build_index(settings, chunks, embed_model, expected, progress, echo)
        built_now = True
    client = _client(home)
    store = ChromaVectorStore(chroma_collection=client.get_collection(CHUNKS))
    vector_index = VectorStoreIndex.from_vector_store(store, embed_model=embed_model)
    stored = client.get_collection(UNITS).get(include=["embeddings"])
    position = {uid: i for i, uid in enumerate(stored["ids"])}
    keys = [(c.id, k) for c in chunks for k in range(len(c.units))]
    matrix = np.asarray(stored["embeddings"], dtype=np.float32)
    vectors = matrix[[position[f"{cid}/{k}"] for cid, k in keys]]
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True) + 1e-12
    return IndexHandle(vector_index, keys, vectors, read_manifest(home) or expected, built_now)
