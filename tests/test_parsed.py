"""The parse is stored beside the index and reused while nothing it depends on changes;
the parser reads a ten-times-longer report in about ten times the time."""

from __future__ import annotations

import time
from pathlib import Path

from assistant.chunking import chunk_report
from assistant.corpus import load_report
from assistant.parsed import PARSED_FILE, load_or_parse
from assistant.synthetic import synthetic_settings


def test_the_built_index_keeps_the_parse_and_starts_from_it(assistant, settings, report):
    assert (Path(settings.home) / PARSED_FILE).exists()
    stored_report, stored_chunks, reused = load_or_parse(settings)
    assert reused
    assert stored_report.sections == report.sections
    assert stored_report.page_markers == report.page_markers
    assert stored_chunks == assistant.chunks == chunk_report(report, settings.chunk_max_chars)


def test_a_changed_setting_or_report_means_a_fresh_parse(assistant, settings, tmp_path):
    assert not load_or_parse(settings.model_copy(update={"chunk_max_chars": 500}))[2]
    edited = tmp_path / "report.txt"
    edited.write_text(Path(settings.corpus_path).read_text(encoding="utf-8") + "\n", encoding="utf-8")
    report, _, reused = load_or_parse(settings.model_copy(update={"corpus_path": edited}))
    assert not reused and report.text.endswith("\n\n")


def test_a_damaged_stored_parse_is_parsed_again(settings, tmp_path):
    home = tmp_path / "index"
    home.mkdir()
    (home / PARSED_FILE).write_bytes(b"not a pickle")
    report, chunks, reused = load_or_parse(settings.model_copy(update={"home": home}))
    assert not reused and chunks and report.sections


def _parse_seconds(settings) -> tuple[float, int, int]:
    started = time.perf_counter()
    report = load_report(settings.corpus_path, settings.structure_path)
    chunks = chunk_report(report, settings.chunk_max_chars)
    return time.perf_counter() - started, len(report.sections), len(chunks)


def test_the_report_repeated_parses_as_distinct_volumes_in_linear_time(settings, tmp_path):
    one = synthetic_settings(settings, 1, tmp_path / "x1")
    ten = synthetic_settings(settings, 10, tmp_path / "x10")
    assert Path(one.corpus_path).read_text(encoding="utf-8") == Path(settings.corpus_path).read_text(encoding="utf-8")
    base = min(_parse_seconds(one)[0] for _ in range(3))
    seconds, sections, chunks = _parse_seconds(ten)
    _, sections_1, chunks_1 = _parse_seconds(one)
    assert sections == 10 * (sections_1 - 1) + 1  # the colophon once
    assert 0.98 * 10 * chunks_1 <= chunks <= 10 * chunks_1
    texts = [c.text for c in chunk_report(load_report(ten.corpus_path, ten.structure_path), 700)]
    assert len(set(texts)) == len(texts)
    assert seconds < 25 * base  # quadratic would be ~100×; the machine is shared, so room is left
