"""A real, scripted OpenAI-compatible HTTP server on 127.0.0.1 for tests and benchmarks.

Usage::

    with FakeOpenAI() as fake:                      # or the `fake_openai` pytest fixture
        settings = LLMSettings(base_url=fake.base_url, api_key=fake.api_key, model=fake.model)
        fake.script(ok({"title": "x"}), rate_limited(retry_after=1), server_error(503))
        ...
        assert fake.requests[0].body["response_format"]["type"] == "json_schema"

Endpoints: ``POST /v1/chat/completions`` (plain JSON or ``stream: true`` server-sent events) and
``GET /v1/models``.

Which reply a chat request gets, first match wins:

1. wrong API key (``api_key`` is checked unless None) -> 401; unknown model -> 404;
2. ``reject_json_schema = True`` and ``response_format.type == "json_schema"`` -> 400, the way
   llama.cpp / vLLM builds without grammar support answer (``json_object`` keeps working);
3. the next scripted reply (``script(...)`` queues them, consumed in order);
4. the responder (``respond_with(fn)``: ``fn(body) -> str | dict | Reply``), for tests that answer
   structured requests dynamically;
5. ``default`` (a Reply; success with content "OK").

Replies are built with the helpers ``ok``, ``json_schema_rejected``, ``rate_limited``,
``server_error``, ``slow``, ``malformed``, ``truncated``, ``refusal``, ``unauthorized``,
``unknown_model``; a bare ``str`` or ``dict`` in ``script`` means ``ok(that)``. ``latency_s`` on
the server delays every reply (on top of a reply's own ``latency_s``).

Every request is recorded in ``requests`` (method, path, query, headers without the credential
headers, whether a key was sent, and the decoded JSON body; ``chat_requests`` keeps only the chat
calls), so tests assert exactly what went over the wire. ``reset()`` forgets requests, script and
modes. In tests, ``tests.support.fixtures_llm.llm_settings_for(fake)`` gives matching settings.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

_CREDENTIAL_HEADERS = {"authorization", "api-key"}


@dataclass
class Reply:
    """One scripted answer: a completion (status 200) or an error (any other status)."""

    content: str | dict | list | None = "OK"
    status: int = 200
    finish_reason: str = "stop"
    refusal: str | None = None
    usage: tuple[int, int] = (20, 10)
    latency_s: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)
    error: dict[str, Any] | None = None
    chunk_size: int = 8

    def content_text(self) -> str | None:
        if self.content is None or isinstance(self.content, str):
            return self.content
        return json.dumps(self.content)


@dataclass
class RecordedRequest:
    """What the server received: credential headers are dropped, only their presence is kept."""

    method: str
    path: str
    query: str
    headers: dict[str, str]
    api_key_sent: bool
    body: dict[str, Any] | None


Responder = Callable[[dict[str, Any]], "str | dict | Reply"]


def ok(
    content: str | dict | list = "OK", *, usage: tuple[int, int] = (20, 10), latency_s: float = 0.0
) -> Reply:
    """Build a successful completion whose content is text, or JSON when given a dict or list."""
    return Reply(content=content, usage=usage, latency_s=latency_s)


def _error(status: int, message: str, err_type: str, code: str | int | None, **kw: Any) -> Reply:
    return Reply(
        content=None, status=status, error={"message": message, "type": err_type, "code": code}, **kw
    )


def json_schema_rejected() -> Reply:
    """Build the 400 a server without json_schema support gives (llama.cpp / vLLM wording)."""
    return _error(
        400,
        "response_format type 'json_schema' is not supported by this server; "
        "supported types: 'text', 'json_object'",
        "invalid_request_error",
        400,
    )


def rate_limited(retry_after: float | None = 1) -> Reply:
    """Build a 429, with a Retry-After header in seconds unless None."""
    headers = {} if retry_after is None else {"Retry-After": f"{retry_after:g}"}
    return _error(
        429,
        "Rate limit reached, please slow down.",
        "rate_limit_error",
        "rate_limit_exceeded",
        headers=headers,
    )


def server_error(status: int = 500) -> Reply:
    """Build a 5xx server error (500, 502, 503 ...)."""
    return _error(status, f"The server had an error ({status}).", "server_error", None)


def slow(seconds: float, content: str | dict = "OK") -> Reply:
    """Build a success that arrives only after `seconds` (to outlast a client timeout)."""
    return Reply(content=content, latency_s=seconds)


def malformed(text: str = '{"summary": "unterminated') -> Reply:
    """Build a success whose content is not valid JSON."""
    return Reply(content=text)


def truncated(content: str = '{"summary": "cut o') -> Reply:
    """Build a success that stopped at the token limit (finish_reason "length")."""
    return Reply(content=content, finish_reason="length")


def refusal(text: str = "I can't help with that.") -> Reply:
    """Build a completion where the model refused (message.refusal set, no content)."""
    return Reply(content=None, refusal=text)


def unauthorized() -> Reply:
    """Build a 401 bad API key."""
    return _error(401, "Incorrect API key provided.", "invalid_request_error", "invalid_api_key")


def unknown_model(model: str = "no-such-model") -> Reply:
    """Build a 404 for a model the server does not serve."""
    return _error(404, f"The model `{model}` does not exist.", "invalid_request_error", "model_not_found")


class FakeOpenAI:
    """A threaded HTTP server speaking enough of the OpenAI API for tests; see the module docstring."""

    def __init__(
        self,
        *,
        api_key: str | None = "test-key",
        models: tuple[str, ...] = ("fake-model",),
        latency_s: float = 0.0,
        port: int = 0,
    ) -> None:
        """`port` 0 picks a free port; give the port of a stopped server to bring "the same endpoint" back."""
        self.api_key = api_key
        self.models = models
        self.model = models[0]
        self.latency_s = latency_s
        self.reject_json_schema = False
        self.default = Reply()
        self.requests: list[RecordedRequest] = []
        self._queue: deque[Reply] = deque()
        self._responder: Responder | None = None
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", port), self._make_handler())
        self._server.daemon_threads = True
        # Handlers may be mid-sleep in a slow reply; closing must not wait for them.
        self._server.block_on_close = False
        # A short poll interval keeps shutdown (once per test) quick.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, name="fake-openai", daemon=True
        )

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/v1"

    def start(self) -> FakeOpenAI:
        """Start serving in a background thread."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and release the port."""
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> FakeOpenAI:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def script(self, *replies: Reply | str | dict) -> FakeOpenAI:
        """Queue replies for the next chat requests, in order."""
        with self._lock:
            self._queue.extend(r if isinstance(r, Reply) else ok(r) for r in replies)
        return self

    def respond_with(self, responder: Responder | None) -> FakeOpenAI:
        """Answer unscripted chat requests with `responder(body)` (None turns it off)."""
        self._responder = responder
        return self

    def reset(self) -> None:
        """Forget recorded requests, scripted replies, the responder and modes."""
        with self._lock:
            self._queue.clear()
            self.requests.clear()
        self._responder = None
        self.reject_json_schema = False
        self.default = Reply()
        self.latency_s = 0.0

    @property
    def chat_requests(self) -> list[RecordedRequest]:
        return [r for r in self.requests if r.path.endswith("/chat/completions")]

    def _record(self, handler: BaseHTTPRequestHandler, body: dict[str, Any] | None) -> bool:
        headers = {k.lower(): v for k, v in handler.headers.items() if k.lower() not in _CREDENTIAL_HEADERS}
        key = handler.headers.get("api-key") or handler.headers.get("authorization", "").removeprefix(
            "Bearer "
        )
        path, _, query = handler.path.partition("?")
        with self._lock:
            self.requests.append(RecordedRequest(handler.command, path, query, headers, bool(key), body))
        return self.api_key is None or key == self.api_key

    def _choose_reply(self, body: dict[str, Any], key_ok: bool) -> Reply:
        if not key_ok:
            return unauthorized()
        if body.get("model") not in self.models:
            return unknown_model(str(body.get("model")))
        fmt = body.get("response_format") or {}
        if self.reject_json_schema and fmt.get("type") == "json_schema":
            return json_schema_rejected()
        with self._lock:
            if self._queue:
                return self._queue.popleft()
        if self._responder is not None:
            answer = self._responder(body)
            return answer if isinstance(answer, Reply) else ok(answer)
        return self.default

    def _make_handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body go out in separate writes; with Nagle on, each reply stalls ~40 ms.
            disable_nagle_algorithm = True

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
                pass

            def do_GET(self) -> None:
                key_ok = fake._record(self, None)
                if not key_ok:
                    return self._send_error(unauthorized())
                if self.path.partition("?")[0].rstrip("/").endswith("/models"):
                    data = [
                        {"id": m, "object": "model", "created": 0, "owned_by": "fake"} for m in fake.models
                    ]
                    return self._send_json(200, {"object": "list", "data": data})
                self._send_json(404, {"error": {"message": "Not found", "type": "not_found", "code": 404}})

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(length) if length else b""
                try:
                    body = json.loads(raw or b"{}")
                except json.JSONDecodeError:
                    body = None
                key_ok = fake._record(self, body)
                if not self.path.partition("?")[0].rstrip("/").endswith(
                    "/chat/completions"
                ) or not isinstance(body, dict):
                    return self._send_json(
                        404 if body is not None else 400,
                        {"error": {"message": "Unsupported request", "type": "invalid_request_error"}},
                    )
                reply = fake._choose_reply(body, key_ok)
                delay = fake.latency_s + reply.latency_s
                if delay > 0 and fake._stopping.wait(delay):
                    return
                try:
                    if reply.status != 200:
                        self._send_error(reply)
                    elif body.get("stream"):
                        self._send_stream(reply, body)
                    else:
                        self._send_json(200, _completion(reply, body))
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout); nothing to deliver

            def _send_json(
                self, status: int, payload: dict[str, Any], headers: dict[str, str] | None = None
            ) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)

            def _send_error(self, reply: Reply) -> None:
                self._send_json(reply.status, {"error": reply.error or {"message": "error"}}, reply.headers)

            def _send_stream(self, reply: Reply, body: dict[str, Any]) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Cache-Control", "no-cache")
                self.send_header("Connection", "close")
                self.end_headers()
                self.close_connection = True
                for chunk in _stream_chunks(reply, body):
                    self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
                    self.wfile.flush()
                self.wfile.write(b"data: [DONE]\n\n")
                self.wfile.flush()

        return Handler


def _completion(reply: Reply, body: dict[str, Any]) -> dict[str, Any]:
    prompt_tokens, completion_tokens = reply.usage
    return {
        "id": f"chatcmpl-fake-{time.monotonic_ns()}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": body.get("model", ""),
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": reply.content_text(), "refusal": reply.refusal},
                "finish_reason": reply.finish_reason,
                "logprobs": None,
            }
        ],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        },
    }


def _stream_chunks(reply: Reply, body: dict[str, Any]) -> list[dict[str, Any]]:
    def chunk(delta: dict[str, Any], finish: str | None) -> dict[str, Any]:
        return {
            "id": "chatcmpl-fake-stream",
            "object": "chat.completion.chunk",
            "created": int(time.time()),
            "model": body.get("model", ""),
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish, "logprobs": None}],
        }

    text = reply.content_text() or ""
    size = max(1, reply.chunk_size)
    chunks = [chunk({"role": "assistant", "content": ""}, None)]
    chunks += [chunk({"content": text[i : i + size]}, None) for i in range(0, len(text), size)]
    if reply.refusal:
        chunks.append(chunk({"refusal": reply.refusal}, None))
    chunks.append(chunk({}, reply.finish_reason))
    if (body.get("stream_options") or {}).get("include_usage"):
        prompt_tokens, completion_tokens = reply.usage
        usage = {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        }
        chunks.append({**chunk({}, None), "choices": [], "usage": usage})
    return chunks
