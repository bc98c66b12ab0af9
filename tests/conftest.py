"""Session fixtures: the real report, the real model, a real Chroma index built once in a
temp folder. Every test that needs the index shares it; nothing touches ./index."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.config import Settings


@pytest.fixture(scope="session")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    home = tmp_path_factory.mktemp("assistant-home") / "index"
    return Settings(home=home, feedback_path=home.parent / "feedback.jsonl")


@pytest.fixture(scope="session")
def assistant(settings: Settings):
    from assistant.service import build_assistant

    return build_assistant(settings)


@pytest.fixture(scope="session")
def report(settings: Settings):
    from assistant.corpus import load_report

    return load_report(settings.corpus_path, settings.structure_path)


@pytest.fixture(autouse=True)
def _isolated_home(monkeypatch: pytest.MonkeyPatch, settings: Settings) -> None:
    """Commands run in tests use the session's index, never the project's ./index."""
    monkeypatch.setenv("ASSISTANT_HOME", str(settings.home))


@pytest.fixture()
def server():
    """A small OpenAI-compatible chat server on 127.0.0.1 for one test (see llm_support.py)."""
    from llm_support import ChatServer

    state = ChatServer()
    httpd = state.start()
    yield state
    httpd.shutdown()
    httpd.server_close()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Browser tests last: they need the index the others have already built.
    items.sort(key=lambda item: "test_browser" in str(Path(item.fspath).name))
