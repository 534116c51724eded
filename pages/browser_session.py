"""The browser's side of a session: the routes that set and clear the HttpOnly cookie (mounted on st.App by
serve.py), and what the router needs to read the cookie and send the browser to those routes."""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit

import streamlit as st
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route
from streamlit import config
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.runtime.scriptrunner import get_script_run_ctx

from core.auth import exchange_session_code
from core.config import get_settings
from core.errors import WorkbenchError

COOKIE_NAME = "workbench_session"
START_PATH = "/session/start"
END_PATH = "/session/end"
_mounted = {"routes": False}


def _base() -> str:
    """The app's URL prefix (server.baseUrlPath), '' at the root."""
    base = (config.get_option("server.baseUrlPath") or "").strip("/")
    return f"/{base}" if base else ""


def safe_next(target: str | None) -> str:
    """A path on this app (under its prefix) to go to after login; anything else (another site, a scheme, another
    app on the host, a session route) is the app's root."""
    root = _base() + "/"
    if not target or not target.startswith(root) or target.startswith(("//", "/\\")):
        return root
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or parts.path.startswith((_base() + START_PATH, _base() + END_PATH)):
        return root
    return target


def _is_https(request: Request) -> bool:
    """True when the browser's connection is HTTPS, directly or through a proxy that ends TLS (X-Forwarded-Proto
    or Forwarded: proto=https). Believing a client that claims HTTPS only makes its own cookie stricter."""
    if request.url.scheme == "https":
        return True
    forwarded_proto = request.headers.get("x-forwarded-proto", "").split(",")[0].strip().lower()
    forwarded = request.headers.get("forwarded", "").split(",")[0].lower()
    return forwarded_proto == "https" or "proto=https" in forwarded.replace(" ", "")


async def _start(request: Request) -> Response:
    # Only our own page sends the browser here (a same-origin navigation): a link on another site that
    # carries someone else's code must not log this browser into that account.
    if request.headers.get("sec-fetch-site") in ("cross-site", "same-site"):
        return PlainTextResponse("Log in from the workbench's own login page.", status_code=403)
    try:
        token = await run_in_threadpool(exchange_session_code, request.query_params.get("code", ""))
    except WorkbenchError as exc:  # e.g. the database is unreachable: say so, the user logs in again later
        return PlainTextResponse(str(exc), status_code=503)
    if token is None:  # used, stale or unknown: back to the login page
        return RedirectResponse(_base() + "/", status_code=303)
    response = RedirectResponse(safe_next(request.query_params.get("next")), status_code=303)
    response.set_cookie(
        COOKIE_NAME, token, max_age=int(get_settings().session_max_hours * 3600), path=_base() or "/",
        httponly=True, samesite="lax", secure=_is_https(request),
    )
    return response


async def _end(request: Request) -> Response:
    # The session itself was revoked on the server before the browser was sent here; this only clears the cookie.
    response = RedirectResponse(_base() + "/", status_code=303)
    response.delete_cookie(COOKIE_NAME, path=_base() or "/", httponly=True, samesite="lax", secure=_is_https(request))
    return response


def session_routes() -> list[Route]:
    """The cookie routes for st.App(routes=...); from then on logins in this process go through them."""
    _mounted["routes"] = True
    return [Route(_base() + START_PATH, _start, methods=["GET"]), Route(_base() + END_PATH, _end, methods=["GET"])]


def routes_mounted() -> bool:
    """False when the router runs without serve.py (`streamlit run app.py`, AppTest): sessions then live in the tab."""
    return _mounted["routes"]


def cookie_token() -> str | None:
    """The session token the browser sent when this tab connected (HttpOnly: no script of the page can read it)."""
    value = st.context.cookies.get(COOKIE_NAME)
    return value if isinstance(value, str) and value else None  # AppTest has no real request behind it


def login_url(code: str, next_path: str) -> str:
    """The cookie route's URL; `next_path` is the page asked for, relative to the app ('/review?draft=1'), and
    the browser lands on it under the app's prefix (server.baseUrlPath)."""
    return f"{_base()}{START_PATH}?{urlencode({'code': code, 'next': safe_next(_base() + next_path)})}"


def logout_url() -> str:
    return _base() + END_PATH


def send_browser_to(url: str) -> None:
    """Make the browser load `url` (a full page load, so the cookie routes can answer).

    Streamlit has no public call for this; st.login and st.logout send this same message.
    """
    ctx = get_script_run_ctx()
    if ctx is None:
        return
    msg = ForwardMsg()
    msg.auth_redirect.url = url
    ctx.enqueue(msg)
