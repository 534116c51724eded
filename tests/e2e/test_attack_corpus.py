"""Hostile text in case forms, imported records and drafts is shown as text in the browser and never runs."""

from __future__ import annotations

import os

import pytest

from tests.e2e.conftest import go, login, shoot, start_app, wait_idle

pytestmark = pytest.mark.e2e

ATTACKS = [
    "<script>alert('xss-1')</script>",
    "<img src=x onerror=alert('xss-2')>",
    "[click me](javascript:alert('xss-3'))",
    "<svg onload=alert('xss-4')>",
    "\u202eevil\u202c \u200b zero-width and RTL",
]


def _seed_hostile_data(data_dir) -> None:  # noqa: ANN001
    from core import db
    from core.config import get_settings

    os.environ["DATABASE_URL"] = f"sqlite:///{data_dir / 'workbench.sqlite'}"
    os.environ["DATA_DIR"] = str(data_dir)
    get_settings.cache_clear()
    db.dispose_engines()
    try:
        from core.auth import authenticate
        from core.cases import CaseInput, create_case
        from core.matching.service import match_case
        from tests.support.flow import add_trials, make_trial

        reviewer = authenticate("reviewer", "reviewer-demo")
        add_trials(make_trial("NCT06660001", brief_title="CAR-T " + " ".join(ATTACKS), brief_summary=" ".join(ATTACKS) + " x" * 5000))
        case_id = create_case(reviewer, CaseInput(
            diagnosis="relapsed T-cell acute lymphoblastic leukaemia " + ATTACKS[1], summary=" ".join(ATTACKS),
            contact_name=ATTACKS[0], location_label="Manchester, UK", age_years=16,
        ))
        match_case(case_id)
    finally:
        db.dispose_engines()
        os.environ.pop("DATABASE_URL", None)
        get_settings.cache_clear()


def test_attack_corpus_stays_inert(browser, tmp_path):
    data_dir = tmp_path / "data"
    proc, url = start_app(data_dir)
    try:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        dialogs: list[str] = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        login(page, url, "reviewer", "reviewer-demo")
        _seed_hostile_data(data_dir)
        go(page, "Cases")
        page.get_by_text("<img src=x onerror=alert('xss-2')>", exact=False).first.wait_for(state="attached", timeout=20_000)
        go(page, "Matching")
        page.get_by_label("Case").click()
        page.get_by_role("option", name="onerror").first.click()
        wait_idle(page)
        page.locator('[data-testid="stExpander"] summary').filter(has_text="NCT06660001").first.click()
        wait_idle(page)
        go(page, "Catalogue")
        page.get_by_label("Search (condition, drug, target, registry id)", exact=True).fill("NCT06660001")
        page.get_by_label("Search (condition, drug, target, registry id)", exact=True).press("Enter")
        wait_idle(page)
        shoot(page, "08-attack-corpus")
        html = page.content()
        assert dialogs == [], f"a script ran: {dialogs}"
        assert "<img src=x" not in html.replace("&lt;img src=x", "")  # only ever present escaped
        assert 'href="javascript:' not in html
    finally:
        proc.terminate()
        proc.wait(10)
