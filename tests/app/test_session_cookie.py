"""The cookie routes (pages/browser_session.py): a deep link after login keeps the app's URL prefix
(server.baseUrlPath), and the session cookie is Secure exactly when the request is HTTPS, behind a proxy too."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient
from streamlit import config

from core.auth import start_session
from pages import browser_session
from pages.browser_session import COOKIE_NAME, login_url, safe_next


@pytest.fixture
def base_path() -> Iterator[None]:
    before = config.get_option("server.baseUrlPath")
    config.set_option("server.baseUrlPath", "workbench")
    yield
    config.set_option("server.baseUrlPath", before)


def _client(base_url: str = "http://127.0.0.1:8501") -> TestClient:
    mounted = browser_session._mounted["routes"]
    app = Starlette(routes=browser_session.session_routes())
    browser_session._mounted["routes"] = mounted  # building the test app does not change how this process logs in
    return TestClient(app, base_url=base_url, follow_redirects=False)


def test_a_deep_link_after_login_keeps_the_base_url_path(base_path, team):  # noqa: ANN001
    url = login_url("CODE", "/review?draft=7")
    assert url.startswith("/workbench/session/start?")
    assert "next=%2Fworkbench%2Freview%3Fdraft%3D7" in url
    response = _client().get(login_url(start_session(team.reviewer), "/review?draft=7"))
    assert response.status_code == 303 and response.headers["location"] == "/workbench/review?draft=7"


def test_a_next_outside_the_app_goes_to_the_app_root(base_path):  # noqa: ANN001
    assert safe_next("https://evil.example/") == "/workbench/"
    assert safe_next("//evil.example/") == "/workbench/"
    assert safe_next("/other-app/page") == "/workbench/"
    assert safe_next("/workbench/review?draft=1") == "/workbench/review?draft=1"


def _cookie_header(client: TestClient, team, **headers: str) -> str:  # noqa: ANN001
    response = client.get(login_url(start_session(team.reviewer), "/"), headers=headers)
    assert response.status_code == 303
    return next(v for k, v in response.headers.multi_items() if k == "set-cookie" and v.startswith(COOKIE_NAME))


def test_the_cookie_is_not_secure_over_plain_http_on_localhost(team):  # noqa: ANN001
    cookie = _cookie_header(_client("http://localhost:8501"), team).lower()
    assert "httponly" in cookie and "secure" not in cookie


def test_the_cookie_is_secure_over_https_and_behind_a_tls_proxy(team):  # noqa: ANN001
    assert "secure" in _cookie_header(_client("https://workbench.example"), team).lower()
    proxied = _cookie_header(_client("http://127.0.0.1:8501"), team, **{"X-Forwarded-Proto": "https"})
    assert "secure" in proxied.lower()
    forwarded = _cookie_header(_client("http://127.0.0.1:8501"), team, Forwarded="for=1.2.3.4;proto=https")
    assert "secure" in forwarded.lower()
