"""Browser tests: a real `streamlit run` on a free port and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.support.paths import REPO_ROOT

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
# Flags that keep Chromium off the network it cannot reach here, and working as root in a container.
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = REPO_ROOT / "tests" / "e2e" / "screenshots"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def launch_app(data_dir: Path, *, env: dict[str, str] | None = None, clean_env: dict[str, str] | None = None
               ) -> tuple[subprocess.Popen, str]:
    """Start `streamlit run serve.py` on a free port without waiting; `clean_env` replaces our environment."""
    port = _free_port()
    if clean_env is not None:
        environment = {"DATA_DIR": str(data_dir), **clean_env}
    else:
        environment = {**os.environ, "DATA_DIR": str(data_dir), "DEMO_MODE": "true", **(env or {})}
        environment.pop("DATABASE_URL", None) if "DATABASE_URL" not in (env or {}) else None
    data_dir.mkdir(parents=True, exist_ok=True)
    # The server's output goes to a file: a pipe nobody reads fills up and then blocks every thread that logs.
    log = open(data_dir / f"streamlit-{port}.log", "wb")  # noqa: SIM115 (closed with the process)
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "serve.py", "--server.port", str(port), "--server.headless", "true",
         "--server.address", "127.0.0.1"],
        cwd=REPO_ROOT, env=environment, stdout=log, stderr=subprocess.STDOUT,
    )
    proc.log_path = log.name  # type: ignore[attr-defined]
    log.close()  # the child holds its own copy of the descriptor
    return proc, f"http://127.0.0.1:{port}"


def wait_for_app(proc: subprocess.Popen, url: str) -> None:
    """Wait until the app answers its health check (60 s), killing it if it never does."""
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise RuntimeError("streamlit did not start: " + Path(proc.log_path).read_text(errors="replace")[-4000:])


def start_app(data_dir: Path, *, env: dict[str, str] | None = None) -> tuple[subprocess.Popen, str]:
    """Start `streamlit run serve.py` with its own data directory; returns the process and its URL."""
    proc, url = launch_app(data_dir, env=env)
    wait_for_app(proc, url)
    return proc, url


@contextmanager
def app_database(data_dir: Path) -> Iterator[None]:
    """Point core at a running app's own SQLite file for a while (to prepare data or check what it stored)."""
    from core import db
    from core.config import get_settings

    saved = {k: os.environ.get(k) for k in ("DATABASE_URL", "DATA_DIR")}
    os.environ["DATABASE_URL"] = f"sqlite:///{data_dir / 'workbench.sqlite'}"
    os.environ["DATA_DIR"] = str(data_dir)
    get_settings.cache_clear()
    db.dispose_engines()
    try:
        yield
    finally:
        db.dispose_engines()
        for k, v in saved.items():
            os.environ.pop(k, None) if v is None else os.environ.__setitem__(k, v)
        get_settings.cache_clear()


@pytest.fixture
def app_server(tmp_path) -> Iterator[str]:
    proc, url = start_app(tmp_path / "data")
    try:
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: install the Debian packages chromium and chromium-driver")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


def shoot(page, name: str) -> None:  # noqa: ANN001
    """Save a screenshot of the page for the README and for looking at failures."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.wait_for_timeout(400)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=False)


def wait_idle(page, timeout: float = 30_000) -> None:  # noqa: ANN001
    """Wait until Streamlit has finished the current rerun and cleared the elements the rerun replaced."""
    page.wait_for_timeout(300)
    page.wait_for_function(
        "() => (!document.querySelector('[data-testid=\"stStatusWidget\"]')"
        " || !document.querySelector('[data-testid=\"stStatusWidget\"]').innerText.includes('Running'))"
        " && !document.querySelector('[data-stale=\"true\"]')",
        timeout=timeout,
    )
    page.wait_for_timeout(300)


def login(page, url: str, username: str, password: str) -> None:  # noqa: ANN001
    page.goto(url)
    submit_login(page, username, password)
    wait_logged_in(page)


def submit_login(page, username: str, password: str) -> None:  # noqa: ANN001
    """Fill and send the login form of the page already open (so several browsers can log in at once)."""
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Log in").click()


def wait_logged_in(page) -> None:  # noqa: ANN001
    page.get_by_text("Logged in as").wait_for(timeout=30_000)
    wait_idle(page)


def go(page, title: str) -> None:  # noqa: ANN001
    page.get_by_role("link", name=title).first.click()
    page.get_by_role("heading", name=title).first.wait_for(timeout=30_000)
    wait_idle(page)


def fill_case_form(page, *, contact_name: str, email: str = "") -> None:  # noqa: ANN001
    """Fill the new-case form on the Cases page with a relapsed T-ALL case that the demo catalogue matches."""
    page.get_by_label("Age (years)").fill("16")
    page.get_by_label("Diagnosis *").fill("relapsed T-cell acute lymphoblastic leukaemia")
    page.get_by_label("Clinical summary (free text, no names)").fill(
        "A 16-year-old boy with T-cell acute lymphoblastic leukaemia, second relapse after nelarabine. Lansky 80. He denies fever."
    )
    page.get_by_label("Location (city, region or country)", exact=True).fill("Manchester, United Kingdom")
    page.get_by_label("Travel radius (km)").fill("1500")
    page.get_by_label("Contact name *").fill(contact_name)
    if email:
        page.get_by_label("E-mail").fill(email)


def choose(page, box, option: str) -> None:  # noqa: ANN001
    """Choose an option of a select box, opening it again if a rerun closed it under the click."""
    for _ in range(3):
        box.click()
        choice = page.get_by_role("option").filter(has_text=option).first
        try:
            choice.wait_for(timeout=5_000)
            choice.click()
            wait_idle(page)
            return
        except Exception:  # noqa: BLE001 - the list closed in a rerun; open it again
            page.keyboard.press("Escape")
            wait_idle(page)
    raise AssertionError(f"no option {option!r}")
