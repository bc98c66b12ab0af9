"""Index faults, each met by a fresh `assistant ask` process as a user would meet it:
the Chroma folder deleted, a build SIGKILLed halfway, two builders at once, the sqlite
file truncated, the manifest corrupt, a read-only index folder (stale or fresh).

Each ends with the right answer (48 delegations, §3.2) or one clear line, never a
traceback, never duplicated entries, never a leftover build folder. Marked `slow`: three
of them rebuild the index (~1 min each on 2 cores); they run in CI with the rest.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from assistant.index import CHUNKS, UNITS, build_folder, open_client, read_manifest

pytestmark = pytest.mark.slow

QUESTION = "How many foreign delegations visited Torino during 2024?"
ROOT = Path(__file__).resolve().parent.parent


def env_for(home: Path) -> dict[str, str]:
    return {**os.environ, "ASSISTANT_HOME": str(home), "PYTHONPATH": str(ROOT)}


def start_ask(home: Path, prefix: list[str] | None = None) -> subprocess.Popen:
    command = (prefix or []) + [sys.executable, "-m", "assistant", "ask", "--json", QUESTION]
    return subprocess.Popen(command, env=env_for(home), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)


def finish(proc: subprocess.Popen, timeout: float = 1500) -> tuple[int, str, str]:
    out, err = proc.communicate(timeout=timeout)
    assert "Traceback" not in err, err[-3000:]
    return proc.returncode, out, err


def assert_answers(result: tuple[int, str, str]) -> None:
    code, out, err = result
    assert code == 0, err[-2000:]
    answer = json.loads(out)
    assert "48" in answer["answer"], answer["answer"]
    assert answer["citations"][0]["section"] == "3.2"


def assert_whole_and_single(home: Path) -> None:
    """The live build holds each chunk and sentence once, and is the only build folder."""
    manifest = read_manifest(home)
    assert manifest is not None
    client = open_client(home)
    assert client.get_collection(CHUNKS).count() == manifest["chunks"]
    assert client.get_collection(UNITS).count() == manifest["units"]
    assert [p.name for p in home.glob("build-*")] == [build_folder(home, manifest).name]
    assert not list(home.glob("*.tmp"))


def reason_lines(err: str) -> list[str]:
    return [line for line in err.splitlines() if line.startswith("The index in")]


@pytest.fixture
def home(settings, assistant, tmp_path: Path) -> Path:
    """A copy of the session's index, to damage."""
    copy = tmp_path / "index"
    shutil.copytree(settings.home, copy)
    return copy


def live_folder(home: Path) -> Path:
    folder = build_folder(home, read_manifest(home))
    assert folder is not None
    return folder


def test_chroma_deleted_then_build_killed_then_two_builders(home: Path) -> None:
    shutil.rmtree(live_folder(home) / "chroma")
    before = (home / "manifest.json").read_text()

    # 1. The damage is seen; the rebuild it starts is SIGKILLed while embedding.
    proc = start_ask(home)
    seen = []
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        seen.append(line)
        if line.startswith("Embedding") or not line:
            break
    proc.kill()
    proc.wait()
    assert any("damaged" in line and "chroma" in line for line in seen), seen
    assert any(line.startswith("Embedding") for line in seen), seen
    assert (home / "manifest.json").read_text() == before  # the old index or none, never half
    assert len(list(home.glob("build-*"))) == 2  # the killed build's folder, unused

    # 2. Two processes at once: one builds, the other waits for it and uses the result.
    first, second = start_ask(home), start_ask(home)
    results = [finish(first), finish(second)]
    for result in results:
        assert_answers(result)
    errs = [err for _, _, err in results]
    assert sum("building it" in err for err in errs) == 1, errs
    assert any("waiting for it" in err for err in errs) or all(len(reason_lines(e)) <= 1 for e in errs)
    assert_whole_and_single(home)


def test_truncated_sqlite_is_rebuilt(home: Path) -> None:
    sqlite = live_folder(home) / "chroma" / "chroma.sqlite3"
    size = sqlite.stat().st_size
    with sqlite.open("r+b") as handle:
        handle.truncate(size // 3)
    code, out, err = result = finish(start_ask(home))
    assert_answers(result)
    assert len(reason_lines(err)) == 1 and "damaged" in reason_lines(err)[0], err
    assert_whole_and_single(home)
    assert (live_folder(home) / "chroma" / "chroma.sqlite3").stat().st_size <= size * 1.05  # no growth


def test_corrupt_manifest_is_rebuilt(home: Path) -> None:
    (home / "manifest.json").write_text('{"format_version": 2, "folder": ')
    code, out, err = result = finish(start_ask(home))
    assert_answers(result)
    assert reason_lines(err) == [f"The index in {home} is damaged (its manifest cannot be read): building it."]
    assert_whole_and_single(home)


def read_only(home: Path) -> list[str] | None:
    """A command prefix that runs with `home` mounted read-only, or None where it cannot."""
    prefix = ["unshare", "-m", "sh", "-c", f'mount --bind "{home}" "{home}" && mount -o remount,ro,bind "{home}" "{home}" && exec "$0" "$@"']
    probe = subprocess.run(prefix + ["touch", str(home / "probe")], capture_output=True)
    return prefix if probe.returncode != 0 and b"Read-only" in probe.stderr else None


def test_read_only_index_fresh_answers_stale_says_so_in_one_line(home: Path) -> None:
    prefix = read_only(home)
    if prefix is None:
        pytest.skip("cannot mount a folder read-only here (needs root and unshare -m)")
    assert_answers(finish(start_ask(home, prefix)))

    manifest = json.loads((home / "manifest.json").read_text())
    (home / "manifest.json").write_text(json.dumps(manifest | {"corpus_sha256": "stale"}))
    code, out, err = finish(start_ask(home, prefix))
    assert code == 1 and out == ""
    message = [line for line in err.splitlines() if line.startswith("Error:")]
    assert len(message) == 1 and str(home) in message[0] and "ASSISTANT_HOME" in message[0], err
