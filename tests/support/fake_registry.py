"""A fake ClinicalTrials.gov API v2 on 127.0.0.1 that serves real study records and injects scripted faults.

Usage::

    with FakeRegistry(replicate_studies(load_real_studies(), 25)) as registry:
        registry.inject(Fault.status(429, retry_after=2), on=[1])   # 1st request: 429
        registry.inject(Fault.drop(), on=[3])                        # 3rd: socket closed, no reply
        registry.inject_from(5, Fault.status(503))                   # 5th and later: always 503
        client = RegistryClient(registry.base_url)
        ...
        registry.requests[0].params["query.cond"]                   # what the client sent

Requests are numbered from 1 in arrival order, retries included. Faults: `Fault.status(code,
retry_after=None)`, `Fault.drop()`, `Fault.malformed()` (truncated JSON), `Fault.missing_studies()`
(valid JSON without `studies`), `Fault.slow(seconds)` (normal reply after a delay).
"""

from __future__ import annotations

import copy
import json
import secrets
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal
from urllib.parse import parse_qs, urlsplit

from tests.support.paths import SHARED_DATA

STUDIES_PATH = "/api/v2/studies"
DEFAULT_PAGE_SIZE = 10
MAX_PAGE_SIZE = 1000

FaultKind = Literal["status", "drop", "malformed", "missing_studies", "slow"]


@dataclass(frozen=True)
class Fault:
    """One scripted misbehaviour for one request."""

    kind: FaultKind
    code: int = 500
    retry_after: str | None = None
    delay: float = 0.0

    @classmethod
    def status(cls, code: int, *, retry_after: float | str | None = None) -> Fault:
        return cls("status", code=code, retry_after=None if retry_after is None else str(retry_after))

    @classmethod
    def drop(cls) -> Fault:
        return cls("drop")

    @classmethod
    def malformed(cls) -> Fault:
        return cls("malformed")

    @classmethod
    def missing_studies(cls) -> Fault:
        return cls("missing_studies")

    @classmethod
    def slow(cls, seconds: float) -> Fault:
        return cls("slow", delay=seconds)


@dataclass
class RecordedRequest:
    """A request as the fake registry received it."""

    number: int
    path: str
    params: dict[str, str]
    fault: Fault | None
    received_at: float = field(default_factory=time.monotonic)


class FakeRegistry:
    """A threaded HTTP server speaking enough of `/api/v2/studies` to test a sync client."""

    def __init__(self, studies: list[dict[str, Any]] | None = None) -> None:
        self.studies = studies if studies is not None else load_real_studies()
        self.requests: list[RecordedRequest] = []
        self._faults: dict[int, Fault] = {}
        self._fault_from: tuple[int, Fault] | None = None
        self._tokens: dict[str, int] = {}
        self._lock = threading.Lock()
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.registry = self
        self._thread = threading.Thread(
            # A short poll interval keeps stop() quick; the default half second adds up over many tests.
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.02},
            name="fake-registry",
            daemon=True,
        )

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/api/v2"

    def start(self) -> FakeRegistry:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> FakeRegistry:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def inject(self, fault: Fault, *, on: list[int]) -> None:
        """Misbehave with `fault` on the given request numbers (1-based, retries counted)."""
        with self._lock:
            for number in on:
                self._faults[number] = fault

    def inject_from(self, number: int, fault: Fault) -> None:
        """Misbehave with `fault` on request `number` and every request after it."""
        with self._lock:
            self._fault_from = (number, fault)

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()
            self._fault_from = None

    def expire_page_tokens(self) -> None:
        """Forget every page token handed out, as if they had expired: using one now gets HTTP 400."""
        with self._lock:
            self._tokens.clear()

    def page_tokens(self) -> list[str | None]:
        """The pageToken sent with each recorded request, in order."""
        return [request.params.get("pageToken") for request in self.requests]

    def _record(self, path: str, params: dict[str, str]) -> RecordedRequest:
        with self._lock:
            number = len(self.requests) + 1
            fault = self._faults.get(number)
            if fault is None and self._fault_from is not None and number >= self._fault_from[0]:
                fault = self._fault_from[1]
            request = RecordedRequest(number=number, path=path, params=params, fault=fault)
            self.requests.append(request)
            return request

    def _build_page(self, params: dict[str, str]) -> tuple[int, dict[str, Any]]:
        token = params.get("pageToken")
        with self._lock:
            if token is None:
                offset = 0
            elif token in self._tokens:
                offset = self._tokens[token]
            else:
                return 400, {"message": f"Invalid pageToken: {token}"}
        try:
            size = int(params.get("pageSize", "0") or 0)
        except ValueError:
            return 400, {"message": "pageSize must be an integer"}
        if size < 0:
            return 400, {"message": "pageSize must not be negative"}
        size = min(size or DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)
        body: dict[str, Any] = {"studies": self.studies[offset : offset + size]}
        if offset + size < len(self.studies):
            next_token = secrets.token_urlsafe(12)
            with self._lock:
                self._tokens[next_token] = offset + size
            body["nextPageToken"] = next_token
        if token is None and params.get("countTotal") == "true":
            body["totalCount"] = len(self.studies)
        return 200, body


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    registry: FakeRegistry

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Clients that time out leave broken pipes behind; that is the point of the slow fault.
        pass


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        registry = self.server.registry
        url = urlsplit(self.path)
        params = {name: values[-1] for name, values in parse_qs(url.query, keep_blank_values=True).items()}
        request = registry._record(url.path, params)
        fault = request.fault
        if url.path != STUDIES_PATH:
            self._send_json(404, {"message": f"no route {url.path}"})
            return
        if fault is not None and fault.kind == "drop":
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        if fault is not None and fault.kind == "status":
            headers = {"Retry-After": fault.retry_after} if fault.retry_after is not None else {}
            self._send_json(fault.code, {"message": f"scripted HTTP {fault.code}"}, headers)
            return
        if fault is not None and fault.kind == "slow":
            time.sleep(fault.delay)
        status, body = registry._build_page(params)
        if fault is not None and fault.kind == "missing_studies":
            body.pop("studies", None)
        payload = json.dumps(body).encode()
        if fault is not None and fault.kind == "malformed":
            payload = payload[: max(1, len(payload) // 2)]
        self._send_bytes(status, payload)

    def _send_json(self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> None:
        self._send_bytes(status, json.dumps(body).encode(), headers)

    def _send_bytes(self, status: int, payload: bytes, headers: dict[str, str] | None = None) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass


def load_real_studies() -> list[dict[str, Any]]:
    """Load the real API v2 study records from the shared data, each with a distinct NCT id."""
    folder = SHARED_DATA
    paths = sorted((folder / "ctgov" / "api-v2" / "aact-fixtures").glob("*.json"))
    paths += sorted((folder / "ctgov" / "api-v2" / "mcode").glob("*.json"))
    paths += sorted((folder / "records" / "api-v2-json").glob("*.json"))
    studies: list[dict[str, Any]] = []
    seen: set[str] = set()
    for number, path in enumerate(paths):
        study = json.loads(path.read_text(encoding="utf-8"))
        nct_id = study_id(study)
        if nct_id is None or nct_id in seen or len(nct_id) != 11:
            # Several fixtures share the placeholder NCT000001 or have no id at all.
            nct_id = f"NCT8{number:07d}"
            _set_study_id(study, nct_id)
        seen.add(nct_id)
        studies.append(study)
    return studies


def replicate_studies(studies: list[dict[str, Any]], count: int) -> list[dict[str, Any]]:
    """Return `count` deep copies cycling through `studies`, each given a distinct NCT9xxxxxxx id."""
    copies = []
    for index in range(count):
        study = copy.deepcopy(studies[index % len(studies)])
        _set_study_id(study, f"NCT9{index:07d}")
        copies.append(study)
    return copies


def study_id(study: dict[str, Any]) -> str | None:
    """The NCT id of a raw API v2 study, if it has one."""
    return study.get("protocolSection", {}).get("identificationModule", {}).get("nctId")


def free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (bound, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _set_study_id(study: dict[str, Any], nct_id: str) -> None:
    study.setdefault("protocolSection", {}).setdefault("identificationModule", {})["nctId"] = nct_id
