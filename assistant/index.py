"""Store chunks (and their sentences) in a persistent Chroma collection, keep it fresh,
and never use one that is stale, damaged or half built.

`open_index` is the only entry point: it loads the index from `settings.home`, or builds
it when it is missing, stale or damaged, saying why in one line. The layout:

    home/manifest.json      what the live build was made from, and its folder (written last)
    home/build-<stamp>/     one build: chroma/ (both collections), plus any extra artefacts
    home/.build.lock        held while building and swapping (`filelock`)

A build writes into a new `build-*` folder that nothing points to; only when it is
complete is `manifest.json` replaced (`os.replace`, atomic) to point at it. A crash at
any moment (SIGKILL included) therefore leaves the old index or none, never a half one;
the next builder deletes the leftovers. The manifest records the format version, model
(name and a fingerprint of its files), chunking settings, corpus hash and a hash of the
chunks; opening checks all of them and that both collections hold as many rows as the
manifest says. One process builds at a time: another waits on the lock, then uses
the result.

Besides the chunks, every unit (sentence, list item, table row) is embedded into a second
collection: the answerer picks the sentence that answers from these vectors.
It does not retrieve or answer: see `retrieval.py` and `answering.py`.
"""

from __future__ import annotations

import atexit
import functools
import hashlib
import json
import os
import shutil
import tempfile
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

FORMAT_VERSION = 3  # 2: one folder per build, swapped in; 3: vectors from the ONNX export beside it
CHUNKS = "report_chunks"
UNITS = "report_units"
MANIFEST = "manifest.json"
LOCK = ".build.lock"
BUILD_PREFIX = "build-"
# A model file larger than this is fingerprinted by its size and its first and last MB.
WHOLE_FILE_BYTES = 1 << 20

Echo = Callable[[str], None]


class IndexUnavailable(RuntimeError):
    """The index cannot be used or built here (read-only and stale, say): one clear line."""


@dataclass
class IndexHandle:
    """An open index: the llama-index view of the chunks and the unit vectors."""

    vector_index: VectorStoreIndex
    unit_keys: list[tuple[str, int]]  # (chunk id, unit number) for each row of unit_vectors
    unit_vectors: np.ndarray
    manifest: dict[str, Any]
    folder: Path  # the live build's folder: where artefacts built with it are found


def unit_text(chunk: Chunk, k: int) -> str:
    """What a unit is embedded as: its words, placed by its chunk's heading."""
    prefix = chunk.text[: len(chunk.text) - len(chunk.body)].rstrip(" :—")
    return f"{prefix}: {chunk.units[k].text}"


def model_fingerprint(model_path: str | Path) -> str:
    """A hash of the model folder: every file's name and size, small files whole, large
    ones (the weights) by their first and last MB. Cheap enough to run on every open,
    and it changes when the weights, tokenizer or config change, not only the name."""
    root = Path(model_path)
    digest = hashlib.sha256()
    files = sorted(p for p in root.rglob("*") if p.is_file()) if root.is_dir() else []
    for path in files:
        size = path.stat().st_size
        digest.update(f"{path.relative_to(root).as_posix()}\x00{size}\x00".encode())
        with path.open("rb") as handle:
            if size <= WHOLE_FILE_BYTES:
                digest.update(handle.read())
            else:
                digest.update(handle.read(WHOLE_FILE_BYTES))
                handle.seek(size - WHOLE_FILE_BYTES)
                digest.update(handle.read())
    return digest.hexdigest() if files else "missing"


def expected_manifest(settings: Settings, chunks: list[Chunk], corpus_text: str) -> dict[str, Any]:
    digest = hashlib.sha256()
    for chunk in chunks:
        digest.update(f"{chunk.id}\x00{chunk.text}\x00{chunk.pages}\x00".encode())
        for unit in chunk.units:
            digest.update(f"{unit.start}:{unit.end}:{unit.text}\x00".encode())
    return {
        "format_version": FORMAT_VERSION,
        "model": settings.model_name,
        "model_sha256": model_fingerprint(settings.model_path),
        "chunk_max_chars": settings.chunk_max_chars,
        "corpus_sha256": hashlib.sha256(corpus_text.encode()).hexdigest(),
        "chunks_sha256": digest.hexdigest(),
        "chunks": len(chunks),
        "units": sum(len(c.units) for c in chunks),
    }


def read_manifest(home: Path) -> dict[str, Any] | None:
    """The live build's manifest, or None when there is none or it cannot be read."""
    try:
        manifest = json.loads((Path(home) / MANIFEST).read_text())
    except (OSError, ValueError):
        return None
    return manifest if isinstance(manifest, dict) else None


def is_fresh(found: dict[str, Any] | None, expected: dict[str, Any]) -> bool:
    return found is not None and all(found.get(k) == v for k, v in expected.items())


def stale_reason(found: dict[str, Any] | None, expected: dict[str, Any]) -> str:
    """Why an index cannot be used as it is, in a few words ('' when it can)."""
    if found is None:
        return "missing"
    changed = [k for k, v in expected.items() if found.get(k) != v]
    return f"stale ({', '.join(changed)} changed)" if changed else ""


def build_folder(home: Path, manifest: dict[str, Any] | None) -> Path | None:
    """The folder of the build the manifest points to (None for a manifest of no build)."""
    name = (manifest or {}).get("folder")
    if not isinstance(name, str) or not name.startswith(BUILD_PREFIX) or "/" in name:
        return None
    return Path(home) / name


def _client(folder: Path) -> Any:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    return chromadb.PersistentClient(
        path=str(Path(folder) / "chroma"), settings=ChromaSettings(anonymized_telemetry=False)
    )


def open_client(home: Path) -> Any:
    """A Chroma client on the live build of `home` (for inspection and tests)."""
    folder = build_folder(Path(home), read_manifest(Path(home)))
    if folder is None:
        raise IndexUnavailable(f"there is no index in {home}")
    return _client(folder)


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


@functools.cache
def no_transformations() -> list[Any]:
    """What the llama-index view splits inserted documents with: nothing, as nothing is
    inserted through it (the chunks come from chunking.py). Left unset, llama-index makes
    its default SentenceSplitter, which loads tiktoken's vocabulary: ~0.1 s of every start."""
    from llama_index.core.schema import BaseNode, TransformComponent

    class Unused(TransformComponent):
        def __call__(self, nodes: list[BaseNode], **kwargs: Any) -> list[BaseNode]:
            return nodes

    return [Unused()]


# --- Building ---------------------------------------------------------------------


def _write_collections(folder: Path, onnx_home: Path, chunks: list[Chunk], embed_model: BaseEmbedding, progress: bool, echo: Echo) -> None:
    """Embed the chunks and the units (once each unique text, with the ONNX export in
    `onnx_home`) into a new Chroma store in `folder`."""
    from llama_index.core import StorageContext, VectorStoreIndex
    from llama_index.core.schema import MetadataMode
    from llama_index.vector_stores.chroma import ChromaVectorStore

    from .embedding import embed_for_build

    client = _client(folder)
    nodes = nodes_for(chunks)
    keys = [(c.id, k) for c in chunks for k in range(len(c.units))]
    by_id = {c.id: c for c in chunks}
    texts = [unit_text(by_id[cid], k) for cid, k in keys]
    echo(f"Embedding {len(nodes)} passages and {len(texts)} sentences…")
    passage_texts = [n.get_content(metadata_mode=MetadataMode.EMBED) for n in nodes]
    embedded = embed_for_build(onnx_home, passage_texts + texts, progress)
    for node, vector in zip(nodes, embedded):
        node.embedding = vector
    vectors = embedded[len(nodes):]
    store = ChromaVectorStore(chroma_collection=client.create_collection(CHUNKS))
    VectorStoreIndex(nodes, storage_context=StorageContext.from_defaults(vector_store=store), embed_model=embed_model,
                     transformations=no_transformations())
    units = client.create_collection(UNITS)
    step = 1000
    for i in range(0, len(keys), step):
        units.add(
            ids=[f"{cid}/{k}" for cid, k in keys[i : i + step]],
            embeddings=vectors[i : i + step],
            documents=texts[i : i + step],
        )


def _swap_in(home: Path, folder: Path, manifest: dict[str, Any]) -> None:
    """Point `home/manifest.json` at `folder`, atomically: a reader sees the old or the new."""
    record = {**manifest, "folder": folder.name}
    tmp = home / f"{MANIFEST}.{os.getpid()}.tmp"
    with tmp.open("w") as handle:
        handle.write(json.dumps(record, indent=2))
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, home / MANIFEST)


def _remove_leftovers(home: Path, live: Path) -> None:
    """Delete builds nothing points to (killed builds, replaced ones) and the old layout
    (`home/chroma`). Called with the lock held, so no other build is in progress."""
    for path in home.iterdir():
        leftover = (path.name.startswith(BUILD_PREFIX) and path != live) or path.name == "chroma"
        if leftover and path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        elif path.name.startswith(f"{MANIFEST}.") and path.name.endswith(".tmp"):
            path.unlink(missing_ok=True)


def build_index(
    settings: Settings,
    chunks: list[Chunk],
    embed_model: BaseEmbedding,
    manifest: dict[str, Any],
    progress: bool = False,
    echo: Echo = lambda s: None,
) -> Path:
    """Build a new index in a fresh folder and swap it in; return that folder.

    The caller holds the build lock. Everything a build produces goes into `folder`
    before the swap, so it becomes live (or is thrown away) as one.
    """
    home = Path(settings.home)
    folder = Path(tempfile.mkdtemp(prefix=f"{BUILD_PREFIX}{time.strftime('%Y%m%dT%H%M%S')}-", dir=home))
    folder.chmod(0o755)  # mkdtemp makes it private; the index is as readable as its home
    started = time.perf_counter()
    from .embedding import export_onnx

    echo("Exporting the embedding model to ONNX…")
    onnx_info = export_onnx(settings, home)
    _write_collections(folder, home, chunks, embed_model, progress, echo)
    manifest = {**manifest, "embedding": onnx_info, "built_seconds": round(time.perf_counter() - started, 1)}
    _swap_in(home, folder, manifest)
    _remove_leftovers(home, folder)
    return folder


# --- Opening ----------------------------------------------------------------------


def _load(folder: Path, chunks: list[Chunk], manifest: dict[str, Any], embed_model: BaseEmbedding) -> tuple[Any, list[tuple[str, int]], np.ndarray]:
    """Open a build and check it holds what its manifest says; raise if it does not."""
    from llama_index.core import VectorStoreIndex
    from llama_index.vector_stores.chroma import ChromaVectorStore

    if not (folder / "chroma").is_dir():
        raise LookupError(f"its Chroma folder {folder / 'chroma'} is missing")
    client = _client(folder)
    names = {c.name if hasattr(c, "name") else c for c in client.list_collections()}
    missing = [name for name in (CHUNKS, UNITS) if name not in names]
    if missing:
        raise LookupError(f"collection {', '.join(missing)} is missing")
    chunk_collection = client.get_collection(CHUNKS)
    if chunk_collection.count() != manifest.get("chunks"):
        raise LookupError(f"{CHUNKS} holds {chunk_collection.count()} rows, the manifest says {manifest.get('chunks')}")
    stored = client.get_collection(UNITS).get(include=["embeddings"])
    if len(stored["ids"]) != manifest.get("units"):
        raise LookupError(f"{UNITS} holds {len(stored['ids'])} rows, the manifest says {manifest.get('units')}")
    position = {uid: i for i, uid in enumerate(stored["ids"])}
    keys = [(c.id, k) for c in chunks for k in range(len(c.units))]
    rows = [position.get(f"{cid}/{k}") for cid, k in keys]
    if None in rows:
        raise LookupError(f"{UNITS} lacks some of the report's sentences")
    vectors = np.asarray(stored["embeddings"], dtype=np.float32)[rows]
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True) + 1e-12
    store = ChromaVectorStore(chroma_collection=chunk_collection)
    return VectorStoreIndex.from_vector_store(store, embed_model=embed_model, transformations=no_transformations()), keys, vectors


def _problem(error: BaseException) -> str:
    """An exception as a few words for the one line that says why the index is rebuilt."""
    text = " ".join(str(error).split()) or type(error).__name__
    return text if isinstance(error, LookupError) else f"it cannot be read ({text[:160]})"


def _writable(home: Path) -> bool:
    try:
        home.mkdir(parents=True, exist_ok=True)
    except OSError:
        return False
    return os.access(home, os.W_OK)


def _read_only_copy(folder: Path, echo: Echo) -> Path:
    """Chroma writes to its sqlite file even to read; a read-only index is read from a copy."""
    copy = Path(tempfile.mkdtemp(prefix="assistant-index-"))
    atexit.register(shutil.rmtree, copy, ignore_errors=True)
    shutil.copytree(folder, copy / folder.name)
    echo(f"The index folder {folder.parent} is read-only: reading a copy in {copy}.")
    return copy / folder.name


def open_index(
    settings: Settings,
    chunks: list[Chunk],
    corpus_text: str,
    embed_model: BaseEmbedding,
    progress: bool = False,
    echo: Echo = lambda s: None,
    rebuild: bool = False,
) -> IndexHandle:
    """Load the index, (re)building it first when missing, stale, damaged, or `rebuild`."""
    from filelock import FileLock, Timeout

    home = Path(settings.home)
    expected = expected_manifest(settings, chunks, corpus_text)
    from .embedding import onnx_ready

    reason = "to be rebuilt" if rebuild else ("without its ONNX model" if not onnx_ready(home) else "")
    if not reason:
        handle, reason = _try_open(home, chunks, expected, embed_model, echo)
        if handle is not None:
            return handle
    if not _writable(home):
        raise IndexUnavailable(
            f"the index in {home} is {reason} and that folder is read-only: make it writable, "
            "or set ASSISTANT_HOME to a writable folder"
        )
    lock = FileLock(str(home / LOCK))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        echo(f"Another process is building the index in {home}: waiting for it…")
        lock.acquire()
    try:
        if not rebuild:
            # Whoever held the lock may have just built what we need.
            handle, reason = _try_open(home, chunks, expected, embed_model, echo)
            if handle is not None:
                return handle
        echo(f"Rebuilding the index in {home}, as asked." if rebuild else f"The index in {home} is {reason}: building it.")
        folder = build_index(settings, chunks, embed_model, expected, progress, echo)
    finally:
        lock.release()
    manifest = read_manifest(home) or expected
    try:
        vector_index, keys, vectors = _load(folder, chunks, manifest, embed_model)
    except Exception as error:  # noqa: BLE001 - a new build that cannot be read is the end of the road
        raise IndexUnavailable(f"the index just built in {folder} cannot be read: {_problem(error)}") from error
    return IndexHandle(vector_index, keys, vectors, manifest, folder)


def _try_open(
    home: Path, chunks: list[Chunk], expected: dict[str, Any], embed_model: BaseEmbedding, echo: Echo
) -> tuple[IndexHandle | None, str]:
    """The open index if the live build is fresh and whole, else None and why not."""
    manifest = read_manifest(home)
    if (home / MANIFEST).exists() and manifest is None:
        return None, "damaged (its manifest cannot be read)"
    reason = stale_reason(manifest, expected)
    folder = build_folder(home, manifest)
    if reason or folder is None:
        return None, reason or "missing"
    assert manifest is not None
    sqlite = folder / "chroma" / "chroma.sqlite3"
    if sqlite.exists() and not (os.access(sqlite, os.W_OK) and os.access(sqlite.parent, os.W_OK)):
        folder = _read_only_copy(folder, echo)
    try:
        vector_index, keys, vectors = _load(folder, chunks, manifest, embed_model)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as error:  # noqa: BLE001 - any failure to read the store (a Rust panic in Chroma included) means: rebuild it
        return None, f"damaged ({_problem(error)})"
    return IndexHandle(vector_index, keys, vectors, manifest, folder), ""
