"""Settings of the optional language-model reader, from the environment (prefix `ASSISTANT_LLM_`).

The reader is chosen by `ASSISTANT_READER=llm` (the main `Settings.reader`); these settings
say which server and model it talks to. Any server that speaks the OpenAI chat-completions
API will do: Ollama, llama.cpp's server, vLLM, LM Studio, OpenAI itself.

    ASSISTANT_READER=llm ASSISTANT_LLM_BASE_URL=http://127.0.0.1:11434/v1 ASSISTANT_LLM_MODEL=llama3.1

Kept apart from `config.Settings` so that nothing here is read unless the LLM reader is on.
"""

from __future__ import annotations

from pydantic import Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from .claims import DEFAULT_MIN_SIMILARITY


class LLMSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ASSISTANT_LLM_", extra="ignore")

    base_url: str = Field(
        default="http://127.0.0.1:11434/v1",
        description="The server's OpenAI-compatible API root (Ollama: http://127.0.0.1:11434/v1).",
    )
    model: str = Field(default="llama3.1", description="The model name the server knows.")
    api_key: str = Field(
        default="",
        description="Bearer key, when the server wants one (OpenAI does; Ollama and llama.cpp do not).",
    )
    timeout: float = Field(
        default=30.0, gt=0, description="Seconds before the answer falls back to the extractive reader."
    )
    max_passages: int = Field(default=6, ge=1, description="Retrieved passages shown to the model, best first.")
    max_tokens: int = Field(default=400, ge=16, description="Longest written answer, in tokens.")
    temperature: float = Field(default=0.0, ge=0, le=2, description="Sampling temperature (0: the likeliest words).")
    min_similarity: float = Field(
        default=DEFAULT_MIN_SIMILARITY,
        description="Least embedding similarity between a claim and its cited sentences (see claims.py).",
    )


def load_llm_settings() -> LLMSettings:
    """The settings from the environment; a bad value is one clear line (ValueError), not a traceback."""
    try:
        return LLMSettings()
    except ValidationError as e:
        error = e.errors()[0]
        name = "ASSISTANT_LLM_" + "_".join(str(part) for part in error["loc"]).upper()
        raise ValueError(f"{name}: {error['msg']}") from None
