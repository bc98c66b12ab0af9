"""The bench's measuring tools: a child's times and memory, the synthetic structure file."""

from __future__ import annotations

import sys
import tomllib

from assistant.bench import first_answer, measure, summary
from assistant.corpus import load_structure
from assistant.synthetic import _repeat_structure, to_toml


def test_measure_reports_time_to_first_output_exit_and_peak_memory():
    script = "import time, json; x = bytearray(60_000_000); print(json.dumps({'answer': 'yes'}), flush=True); time.sleep(0.5)"
    run = measure([sys.executable, "-c", script])
    assert run["first_output_seconds"] < run["seconds"]
    assert run["seconds"] - run["first_output_seconds"] >= 0.4
    assert run["peak_rss_mb"] >= 60
    summary_of = first_answer([run, run])
    assert summary_of["answer"] == "yes" and summary_of["seconds"] == run["first_output_seconds"]


def test_summary_percentiles():
    times = [float(t) for t in range(1, 101)]
    s = summary(times)
    assert s["n"] == 100 and s["p50_ms"] == 50.5 and 95 <= s["p95_ms"] <= 96 and 99 <= s["p99_ms"] <= 100


def test_structure_file_written_for_a_repeated_report_reads_back(settings):
    structure = _repeat_structure(load_structure(settings.structure_path), 3)
    assert tomllib.loads(to_toml(structure)) == structure
    assert structure["layouts"]["203.4"] == structure["layouts"]["3.4"]
    assert {a["section"] for a in structure["anchor"]} >= {"4", "104", "204"}
