"""The Chroma index: built once, reused while fresh, rebuilt (never duplicated) when stale."""

from __future__ import annotations

import json
import shutil

from assistant.index import CHUNKS, UNITS, expected_manifest, is_fresh, open_client, read_manifest


def test_manifest_records_what_the_index_was_built_from(assistant, settings) -> None:
    manifest = read_manifest(settings.home)
    assert manifest is not None
    assert manifest["model"] == "all-MiniLM-L6-v2"
    assert manifest["chunk_max_chars"] == settings.chunk_max_chars
    assert manifest["chunks"] == len(assistant.chunks)
    assert is_fresh(manifest, expected_manifest(settings, assistant.chunks, assistant.report.text))


def test_collections_hold_each_chunk_and_sentence_once(assistant, settings) -> None:
    client = open_client(settings.home)
    assert client.get_collection(CHUNKS).count() == len(assistant.chunks)
    assert client.get_collection(UNITS).count() == sum(len(c.units) for c in assistant.chunks)


def test_a_changed_corpus_or_setting_makes_the_index_stale(assistant, settings) -> None:
    expected = expected_manifest(settings, assistant.chunks, assistant.report.text)
    assert not is_fresh(read_manifest(settings.home) | {"corpus_sha256": "0" * 64}, expected)
    other = settings.model_copy(update={"chunk_max_chars": 300})
    assert not is_fresh(read_manifest(settings.home), expected_manifest(other, assistant.chunks, assistant.report.text))
    assert not is_fresh(None, expected)


def test_stale_index_is_rebuilt_without_duplicates(assistant, settings, tmp_path) -> None:
    from assistant.service import build_assistant

    # A copy of the session's index, so the session's open collections stay valid.
    shutil.copytree(settings.home, tmp_path / "index")
    settings = settings.model_copy(update={"home": tmp_path / "index"})
    path = settings.home / "manifest.json"
    manifest = json.loads(path.read_text())
    path.write_text(json.dumps(manifest | {"corpus_sha256": "stale"}))
    rebuilt = build_assistant(settings, embed_model=assistant.embed_model)
    client = open_client(settings.home)
    assert client.get_collection(CHUNKS).count() == len(rebuilt.chunks)
    assert client.get_collection(UNITS).count() == sum(len(c.units) for c in rebuilt.chunks)
    assert read_manifest(settings.home)["corpus_sha256"] != "stale"
    reopened = build_assistant(settings, embed_model=assistant.embed_model)
    assert reopened.manifest["built_seconds"] == read_manifest(settings.home)["built_seconds"]


def test_model_fingerprint_follows_the_files_not_the_name(assistant, settings, tmp_path) -> None:
    from assistant.index import model_fingerprint

    model = tmp_path / "model"
    shutil.copytree(settings.model_path, model, ignore=shutil.ignore_patterns("*.safetensors", "*.bin", "*.onnx"))
    (model / "weights.bin").write_bytes(b"\0" * (3 << 20))
    first = model_fingerprint(model)
    assert first == model_fingerprint(model) != "missing"
    with (model / "weights.bin").open("r+b") as handle:  # one byte of the last MB
        handle.seek((3 << 20) - 10)
        handle.write(b"\1")
    assert model_fingerprint(model) != first
    assert model_fingerprint(tmp_path / "nowhere") == "missing"
    manifest = read_manifest(settings.home)
    assert manifest["model_sha256"] == model_fingerprint(settings.model_path)
