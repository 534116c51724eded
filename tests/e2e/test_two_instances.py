"""Two app instances and a worker on one PostgreSQL, two browsers: each sees the other's work, the worker drafts."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import uuid

import pytest
from sqlalchemy import create_engine, text

from tests.e2e.conftest import (
    fill_case_form,
    go,
    launch_app,
    shoot,
    submit_login,
    wait_for_app,
    wait_idle,
    wait_logged_in,
)
from tests.support.database import _pg_url_with_schema
from tests.support.paths import REPO_ROOT
from tests.support.processes import clean_env, start_worker, stop_process

pytestmark = pytest.mark.e2e


@pytest.fixture
def team_database():
    """A fresh schema on the test PostgreSQL, migrated with the demo data; dropped afterwards."""
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        pytest.skip("needs TEST_DATABASE_URL (PostgreSQL)")
    schema = f"e2e_{uuid.uuid4().hex[:12]}"
    admin = create_engine(_pg_url_with_schema(base, "public"))
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    url = _pg_url_with_schema(base, schema)
    try:
        yield url
    finally:
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


def test_two_instances_and_a_worker_share_one_database(team_database, browser, tmp_path):
    env = clean_env(DATABASE_URL=team_database, DATA_DIR=str(tmp_path / "data"), DEMO_MODE="true", JOB_RUNNER="worker",
                    WORKER_HEARTBEAT_SECONDS="1")
    # The instances boot meanwhile (they touch the database only when a browser connects); the schema and
    # demo data are created once, so the instances and the worker do not race to create them.
    (proc_a, url_a), (proc_b, url_b) = launch_app(tmp_path / "a", clean_env=env), launch_app(tmp_path / "b", clean_env=env)
    procs = [proc_a, proc_b]
    engine = create_engine(team_database)
    ctx_a = browser.new_context(viewport={"width": 1400, "height": 1000})
    ctx_b = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        subprocess.run([sys.executable, "-m", "core", "init"], cwd=REPO_ROOT, env=env, check=True, timeout=120,
                       capture_output=True)
        worker = start_worker(env, tmp_path / "worker.log")
        procs.append(worker)
        wait_for_app(proc_a, url_a)
        wait_for_app(proc_b, url_b)
        a, b = ctx_a.new_page(), ctx_b.new_page()
        a.goto(url_a)
        b.goto(url_b)  # both instances start their first run at once
        submit_login(a, "reviewer", "reviewer-demo")
        submit_login(b, "reviewer2", "reviewer2-demo")
        wait_logged_in(a)
        wait_logged_in(b)

        # 1. A case created on instance A ...
        go(a, "Cases")
        fill_case_form(a, contact_name="Two Instances Test")
        a.get_by_role("button", name="Save case").click()
        saved = a.get_by_text(re.compile(r"Case saved \(id \d+\)"))
        saved.wait_for(timeout=30_000)
        case_id = int(re.search(r"id (\d+)", saved.inner_text()).group(1))
        with engine.connect() as conn:
            reference = conn.execute(text("SELECT reference FROM cases WHERE id = :id"), {"id": case_id}).scalar_one()

        # ... is there on instance B, for the other reviewer.
        go(b, "Matching")
        b.get_by_test_id("stSelectbox").first.click()
        b.get_by_role("option", name=re.compile(re.escape(reference))).click()
        wait_idle(b)
        b.get_by_text("Not matched yet.").wait_for(timeout=30_000)

        # 2. On A: matching and a drafting batch, both run by the worker process.
        go(a, "Matching")
        a.get_by_role("button", name="Run matching").click()
        a.get_by_role("heading", name="Shortlist").wait_for(timeout=60_000)
        wait_idle(a)
        a.locator('[data-testid="stExpander"] summary').filter(has_text=re.compile(r"not met \d")).first.click()
        wait_idle(a)
        a.get_by_role("button", name="Select", exact=True).first.click()
        a.get_by_text("1 trial(s) selected").wait_for(timeout=20_000)
        a.get_by_role("button", name="Draft summaries for the selected trials").click()
        a.get_by_text(re.compile("Finished: Drafted")).wait_for(timeout=60_000)
        shoot(a, "12-instance-a-drafted-by-the-worker")
        with engine.connect() as conn:
            ran = conn.execute(text("SELECT kind, status, runner FROM jobs ORDER BY id")).all()
        # Both jobs ran on the worker process, not on a thread of either instance.
        me = f"worker:{os.uname().nodename}:{worker.pid}"
        assert [tuple(r) for r in ran] == [("match_case", "done", me), ("draft_case", "done", me)], ran

        # 3. On B: the worker's drafts wait in the review queue.
        go(b, "Review queue")
        b.locator('[data-testid="stExpander"] summary').filter(has_text="Filters").click()
        b.get_by_label("Case reference contains").fill(reference)
        b.get_by_label("Case reference contains").press("Enter")
        b.get_by_text("2 draft(s)").wait_for(timeout=30_000)
        shoot(b, "13-instance-b-sees-the-drafts")
    finally:
        ctx_a.close()
        ctx_b.close()
        engine.dispose()
        for proc in procs:
            stop_process(proc)
