"""Serving the page to the public: login, per-client rate limit, body and turn limits,
no uploads, load from concurrent sessions with follow-ups, and no network egress.

A real server is started on 127.0.0.1 with the session's assistant and driven over
HTTP with gradio_client, as a deployment would be.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from assistant.inputs import UserError
from assistant.serving import RateLimiter, parse_auth, read_auth

LOGIN = ("editor", "s3cret:with:colons")
QUESTION = "How many foreign delegations visited Torino during 2024?"
CONVERSATIONS = [
    ["Who won the Nitto ATP Finals?", "How many spectators were there?", "And who won it?", "When were they held?", "What about the Book Fair?"],
    ["In which year did Torino become a member of ECCAR?", "Who founded it?", "What does it do?", "And Eurocities?", "When did the city join it?"],
    [QUESTION, "From how many countries?", "Which ones?", "And in 2023?", "Who received them?"],
    ["Which French cities are twinned with Torino?", "When did it twin with Lyon?", "And Chambéry?", "What about Gwangju?", "When was it signed?"],
    ["How much does the EU contribute to CLIMABOROUGH?", "Who leads it?", "How long does it run?", "And its partners?", "What about Terra Madre?"],
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- Pure parts -------------------------------------------------------------------------


def test_auth_from_option_and_file(tmp_path: Path) -> None:
    assert parse_auth("editor:s3cret:with:colons") == LOGIN
    path = tmp_path / "auth"
    path.write_text("# staff\nanna:one\n\nbruno:two\n")
    assert read_auth("editor:x", path) == [("editor", "x"), ("anna", "one"), ("bruno", "two")]
    assert read_auth(None, None) is None
    path.write_text("no-colon\n")
    with pytest.raises(UserError, match="line 1"):
        read_auth(None, path)
    with pytest.raises(UserError, match="cannot read"):
        read_auth(None, tmp_path / "missing")


def test_rate_limiter_allows_a_burst_then_the_rate_per_client() -> None:
    now = [0.0]
    limiter = RateLimiter(per_minute=60, burst=3, clock=lambda: now[0])
    assert [limiter.allow("a") for _ in range(4)] == [True, True, True, False]
    assert limiter.allow("b")  # another client is not held back
    now[0] += 1.0
    assert limiter.allow("a") and not limiter.allow("a")
    assert all(RateLimiter(0).allow("a") for _ in range(1000))


def test_serve_refuses_a_bad_login_option_in_one_line() -> None:
    from click.testing import CliRunner

    from assistant.cli import main

    result = CliRunner().invoke(main, ["serve", "--auth", "nopassword"])
    assert result.exit_code == 1 and "user:password" in result.output and "Traceback" not in result.output


# --- A real server ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def server(assistant, settings):
    """The page with a login, on loopback; rate limit off so the load test is not throttled."""
    from assistant.app import create_app, launch

    served = settings.model_copy(update={"auth": ":".join(LOGIN), "rate_limit": 0})
    app = create_app(assistant, served)
    url = launch(app, "127.0.0.1", free_port(), block=False, settings=served)
    yield url
    app.close()


@pytest.fixture(scope="module")
def client(server):
    from gradio_client import Client

    return Client(server, auth=LOGIN, verbose=False)


def post(url: str, body: bytes, timeout: float = 10) -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=body, headers={"content-type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def test_the_page_needs_a_login(server) -> None:
    status, _ = post(server + "gradio_api/call/ask", json.dumps({"data": [QUESTION, ""]}).encode())
    assert status in (401, 403)


def test_api_answers_with_citation(client) -> None:
    answer = client.predict(QUESTION, "", api_name="/ask")
    assert "48" in answer["answer"] and answer["citations"][0]["section"] == "3.2"


@pytest.mark.parametrize(
    "question, turns, reason",
    [(None, "", "not null"), (7, "", "not a number"), ("\u200b", "", "empty"),
     ("And who?", json.dumps(["Who won?"] * 500), "too many turns"), ("Who?", "[1, 2]", "turn 1")],
)
def test_api_refuses_bad_calls_in_one_line(client, question, turns, reason) -> None:
    out = client.predict(question, turns, api_name="/ask")
    assert reason in out["error"] and "\n" not in out["error"] and "Traceback" not in out["error"]


def test_a_huge_request_is_refused_at_once_without_delaying_others(server, client) -> None:
    results: dict[str, object] = {}

    def ask_normally() -> None:
        started = time.perf_counter()
        results["answer"] = client.predict(QUESTION, "", api_name="/ask")
        results["seconds"] = time.perf_counter() - started

    normal = threading.Thread(target=ask_normally)
    normal.start()
    timings = []
    for body in (json.dumps({"data": ["x" * 1_000_000, ""]}), json.dumps({"data": ["q", json.dumps(["Who won?"] * 50_000)]})):
        started = time.perf_counter()
        status, text = post(server + "gradio_api/call/ask", body.encode())
        timings.append(time.perf_counter() - started)
        assert status == 413 and b"too large" in text
    normal.join(60)
    assert max(timings) < 0.1, timings
    assert "48" in results["answer"]["answer"]


def test_uploads_are_off(server) -> None:
    import base64

    boundary = "x" * 16
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"a.txt\"\r\n"
            f"Content-Type: text/plain\r\n\r\n{'a' * 2000}\r\n--{boundary}--\r\n").encode()
    token = base64.b64encode(":".join(LOGIN).encode()).decode()
    request = urllib.request.Request(server + "gradio_api/upload", data=body,
                                     headers={"content-type": f"multipart/form-data; boundary={boundary}", "authorization": f"Basic {token}"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    assert refused.value.code in (401, 403, 413)


def test_load_20_sessions_with_follow_ups_no_errors_no_leakage(assistant, server) -> None:
    """20 sessions x 5 questions at once; each answer equals what the same conversation
    gets alone, so no session's follow-up resolved against another's history."""
    from gradio_client import Client

    sessions = [CONVERSATIONS[i % len(CONVERSATIONS)][i // len(CONVERSATIONS) % 2:] + CONVERSATIONS[(i + 1) % len(CONVERSATIONS)][:1]
                for i in range(20)]
    sessions = [s[:5] for s in sessions]
    expected = [[assistant.ask_turns(s[: k + 1]).as_json() for k in range(5)] for s in sessions]

    def run(turns: list[str]) -> list[dict]:
        client = Client(server, auth=LOGIN, verbose=False)
        return [client.predict(q, json.dumps(turns[:k]), api_name="/ask") for k, q in enumerate(turns)]

    with ThreadPoolExecutor(max_workers=20) as pool:
        got = list(pool.map(run, sessions))
    errors = [a for answers in got for a in answers if "error" in a]
    assert not errors
    assert sum(len(a) for a in got) == 100
    for answers, wanted in zip(got, expected):
        assert [a["understood_as"] for a in answers] == [w["understood_as"] for w in wanted]
        assert [a["answer"] for a in answers] == [w["answer"] for w in wanted]


def test_ask_works_without_network(settings) -> None:
    """`ask` in a network namespace with no interface up: the answer needs nothing outside."""
    if subprocess.run(["unshare", "-n", "true"], capture_output=True).returncode != 0:
        pytest.skip("unshare -n is not available here (needs root or user namespaces)")
    root = Path(__file__).resolve().parent.parent
    env = {**os.environ, "ASSISTANT_HOME": str(settings.home), "PYTHONPATH": str(root)}
    proc = subprocess.run(["unshare", "-n", sys.executable, "-m", "assistant", "ask", "--json", QUESTION],
                          capture_output=True, text=True, env=env, timeout=300, cwd=root)
    assert proc.returncode == 0, proc.stderr[-2000:]
    answer = json.loads(proc.stdout)
    assert "48" in answer["answer"] and answer["citations"][0]["section"] == "3.2"


def test_oversized_calls_are_refused_in_under_a_tenth_of_a_second(assistant, settings) -> None:
    """The /ask function itself: 500 turns or a 1 MB question cost nothing to refuse."""
    from assistant.app import create_app

    app = create_app(assistant, settings.model_copy(update={"rate_limit": 0}))
    ask_api = next(f.fn for f in app.fns.values() if f.api_name == "ask")
    for question, turns in (("And who?", json.dumps(["Who won the Nitto ATP Finals?"] * 500)), ("x" * 1_000_000, "")):
        started = time.perf_counter()
        out = ask_api(question, turns, None)
        assert time.perf_counter() - started < 0.1
        assert "too many turns" in out["error"] or "too long" in out["error"]
        assert len(out["question"]) <= 1000


def test_overload_is_told_to_try_again_at_once(assistant, settings) -> None:
    """With 2 places in the queue and 30 callers at once, the rest hear "try again" quickly."""
    from gradio_client import Client

    from assistant.app import create_app, launch

    served = settings.model_copy(update={"rate_limit": 0, "queue_size": 2})
    app = create_app(assistant, served)
    url = launch(app, "127.0.0.1", free_port(), block=False, settings=served)
    turns = json.dumps(["In which year did Torino become a member of ECCAR?"] * 10)

    def call(_: int) -> tuple[str, float]:
        started = time.perf_counter()
        try:
            Client(url, verbose=False).predict("Who won the Nitto ATP Finals?", turns, api_name="/ask")
            return "answered", time.perf_counter() - started
        except Exception as e:  # noqa: BLE001 - gradio_client's QueueError is what a caller sees
            return str(e), time.perf_counter() - started

    try:
        with ThreadPoolExecutor(max_workers=30) as pool:
            results = list(pool.map(call, range(30)))
    finally:
        app.close()
    refused = [r for r in results if r[0] != "answered"]
    assert refused and len(refused) < 30
    assert all("try again" in message for message, _ in refused)


def test_the_bench_calls_the_api_over_http_as_curl_would(assistant, settings) -> None:
    """`bench.api_call` (what the page API figures come from) gets the answer the service gives."""
    import httpx

    from assistant.app import create_app, launch
    from assistant.bench import api_call

    served = settings.model_copy(update={"rate_limit": 0})
    app = create_app(assistant, served)
    url = launch(app, "127.0.0.1", free_port(), block=False, settings=served)
    try:
        with httpx.Client(timeout=60) as client:
            got = api_call(client, url, QUESTION)
            refused = api_call(client, url, "\u200b")
    finally:
        app.close()
    assert got["answer"] == assistant.ask(QUESTION).as_json()["answer"]
    assert "empty" in refused["error"]
