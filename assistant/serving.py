"""What it takes to serve the page to the public safely: who may log in, how often a
client may ask, how big a request may be, and how long the queue may grow.

Each piece is small and plain so it is tested without a server:
- `read_auth` turns `--auth user:password` or an ASSISTANT_AUTH_FILE into Gradio's auth list;
- `RateLimiter` is a per-client token bucket for the /ask API;
- `BodyLimit` is an ASGI middleware that refuses a request body over a size with 413
  before Gradio reads it, so a huge request costs nothing and delays nobody;
- `launch_options` / `queue_options` gather these for `gr.Blocks.launch()` / `.queue()`.
It does not build the page (see `app.py`).
"""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Awaitable, Callable

from .inputs import UserError

if TYPE_CHECKING:
    from .config import Settings

DRAIN_BYTES = 16 << 20  # a body over the limit but under this is read and dropped before the 413


def parse_auth(value: str) -> tuple[str, str]:
    """'user:password' -> ('user', 'password'); the password may itself hold ':'."""
    user, sep, password = value.strip().partition(":")
    if not sep or not user or not password:
        raise UserError("auth must be given as user:password, both non-empty")
    return user, password


def read_auth(auth: str | None, auth_file: Path | None) -> list[tuple[str, str]] | None:
    """The accounts allowed to log in: --auth, then each 'user:password' line of the file
    ('#' comments and blank lines skipped). None when neither is given: no login."""
    accounts = [parse_auth(auth)] if auth else []
    if auth_file:
        try:
            lines = Path(auth_file).read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as e:
            raise UserError(f"cannot read the auth file {auth_file}: {getattr(e, 'strerror', None) or e}") from e
        for n, line in enumerate(lines, 1):
            if line.strip() and not line.lstrip().startswith("#"):
                try:
                    accounts.append(parse_auth(line))
                except UserError as e:
                    raise UserError(f"{auth_file}, line {n}: {e}") from None
        if not accounts:
            raise UserError(f"the auth file {auth_file} holds no user:password line")
    return accounts or None


class RateLimiter:
    """At most `per_minute` calls per client, with bursts up to `burst`; 0 turns it off.

    A token bucket per client key (its address): a client that stops asking gets its
    allowance back at per_minute/60 a second. Keys idle for 10 minutes are forgotten.
    """

    def __init__(self, per_minute: int, burst: int | None = None, clock: Callable[[], float] = time.monotonic):
        self.rate = per_minute / 60.0
        self.burst = float(burst if burst is not None else max(1, per_minute // 3))
        self.clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def allow(self, key: str) -> bool:
        if self.rate <= 0:
            return True
        now = self.clock()
        with self._lock:
            tokens, last = self._buckets.get(key, (self.burst, now))
            tokens = min(self.burst, tokens + (now - last) * self.rate)
            allowed = tokens >= 1.0
            self._buckets[key] = (tokens - 1.0 if allowed else tokens, now)
            if len(self._buckets) > 10_000:
                self._buckets = {k: v for k, v in self._buckets.items() if now - v[1] < 600}
        return allowed

    def wait_seconds(self) -> int:
        return max(1, round(1 / self.rate)) if self.rate > 0 else 0


ASGIApp = Callable[[dict, Callable[[], Awaitable[dict]], Callable[[dict], Awaitable[None]]], Awaitable[None]]


class BodyLimit:
    """Refuse HTTP requests whose body is over `max_bytes` with 413, before the app reads it.

    The declared Content-Length is checked first; a body sent without one is counted as
    it arrives and cut off at the limit.
    """

    def __init__(self, app: ASGIApp, max_bytes: int):
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: dict, receive: Callable[[], Awaitable[dict]], send: Callable[[dict], Awaitable[None]]) -> None:
        if scope["type"] != "http" or self.max_bytes <= 0:
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            if int(declared) <= DRAIN_BYTES:  # read and drop it, so the client hears the 413
                message = {"more_body": True}
                while message.get("more_body"):
                    message = await receive()
            await self._refuse(send, int(declared))
            return
        seen = 0

        async def counted() -> dict:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise _TooLarge
            return message

        try:
            await self.app(scope, counted, send)
        except _TooLarge:
            await self._refuse(send, seen)

    async def _refuse(self, send: Callable[[dict], Awaitable[None]], size: int) -> None:
        body = json.dumps({"error": f"request too large ({size:,} bytes; at most {self.max_bytes:,})"}).encode()
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})


class _TooLarge(Exception):
    pass


def launch_options(settings: Settings) -> dict[str, Any]:
    """Keyword arguments for `gr.Blocks.launch()`: login, proxy path, body limit, no uploads."""
    from starlette.middleware import Middleware

    options: dict[str, Any] = {
        "max_file_size": 1,  # bytes: the page takes no uploads, so none are accepted
        "app_kwargs": {"middleware": [Middleware(BodyLimit, max_bytes=settings.max_body_bytes)]},
    }
    accounts = read_auth(settings.auth, settings.auth_file)
    if accounts:
        options["auth"] = accounts
    if settings.root_path:
        options["root_path"] = settings.root_path
    return options


def queue_options(settings: Settings) -> dict[str, Any]:
    """Keyword arguments for `gr.Blocks.queue()`: a bounded queue, so overload is refused fast."""
    return {"max_size": settings.queue_size, "default_concurrency_limit": 1}


def client_key(request: Any) -> str:
    """Who is asking, for the rate limit: the client's address (behind a proxy on this
    machine, uvicorn puts the X-Forwarded-For address here), else its session."""
    client = getattr(request, "client", None)
    host = getattr(client, "host", None)
    return str(host or getattr(request, "session_hash", None) or "unknown")
