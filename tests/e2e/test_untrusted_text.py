"""In a real browser: Markdown images, links and HTML in a trial record and a case narrative are shown as text
and make the browser fetch nothing (a local server counts every request)."""

from __future__ import annotations

import re

import pytest

from tests.e2e.conftest import app_database, choose, go, login, shoot, start_app, wait_idle
from tests.support.processes import stop_process
from tests.support.request_counter import RequestCounter

pytestmark = pytest.mark.e2e

REGISTRY_ID = "NCT07770001"


def hostile(base: str, where: str) -> str:
    """One of each: a Markdown image, a Markdown link, an autolink, a bare URL and an HTML image."""
    return (
        f"![{where}-img]({base}/{where}/md-image.png) [{where}-link]({base}/{where}/md-link) "
        f"<{base}/{where}/autolink> {base}/{where}/bare.png <img src=\"{base}/{where}/html.png\">"
    )


def _seed(data_dir, base: str) -> None:  # noqa: ANN001
    with app_database(data_dir):
        from core.auth import authenticate
        from core.domain.trial import ParsedCriterion
        from core.matching.service import list_matches, select_trial
        from core.workflow.drafting import start_drafting
        from core.workflow.matching import start_matching
        from tests.support.flow import add_trials, make_case, make_trial

        reviewer = authenticate("reviewer", "reviewer-demo")
        add_trials(make_trial(
            REGISTRY_ID,
            brief_title="CD7 CAR-T for relapsed T-ALL " + hostile(base, "title"),
            brief_summary="This phase 1 study tests CD7 CAR-T cells. " + hostile(base, "summary"),
            criteria=[
                ParsedCriterion(kind="inclusion", position=0, text="Relapsed T-cell acute lymphoblastic leukemia " + hostile(base, "criterion")),
                ParsedCriterion(kind="inclusion", position=1, text="Age 12 to 70 years"),
                ParsedCriterion(kind="exclusion", position=0, text="Pregnant or breastfeeding"),
            ],
        ))
        case_id = make_case(
            reviewer,
            summary="A 16-year-old boy with relapsed T-cell acute lymphoblastic leukemia after nelarabine "
                    + hostile(base, "narrative") + ". He is not pregnant. ECOG 1.",
        )
        start_matching(reviewer, case_id)
        trial = next(m for m in list_matches(reviewer, case_id) if m.registry_id == REGISTRY_ID)
        select_trial(reviewer, case_id, trial.trial_id)
        assert start_drafting(reviewer, case_id).status == "done"


def test_markdown_and_html_in_records_and_narratives_stay_text(browser, tmp_path):
    data_dir = tmp_path / "data"
    with RequestCounter() as counter:
        proc, url = start_app(data_dir)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1100})
            login(page, url, "reviewer", "reviewer-demo")  # the first visit creates the app's database
            _seed(data_dir, counter.base_url)

            # Matching: the shortlist's expander label, the criteria table and the highlighted evidence.
            go(page, "Matching")
            page.get_by_test_id("stSelectbox").first.click()
            page.get_by_role("option").filter(has_text="relapsed T-cell").last.click()
            wait_idle(page)
            summary = page.locator('[data-testid="stExpander"] summary').filter(has_text=REGISTRY_ID).first
            summary.wait_for(timeout=30_000)
            assert f"![title-img]({counter.base_url}/title/md-image.png)" in shown(summary)
            summary.click()
            wait_idle(page)
            expander = page.get_by_test_id("stExpander").filter(has=page.locator("summary", has_text=REGISTRY_ID)).first
            expander.get_by_text("Evidence in the case summary").wait_for(timeout=20_000)
            expander.get_by_test_id("stTable").get_by_text("criterion-link").wait_for(timeout=20_000)
            text = shown(expander)
            for where in ("criterion", "narrative"):  # the criteria table and the highlighted summary
                assert f"![{where}-img]({counter.base_url}/{where}/md-image.png) [{where}-link]" in text, text
                assert f"<img src=\"{counter.base_url}/{where}/html.png\">" in text, where
            _assert_inert(page, counter)
            shoot(page, "16-untrusted-text-matching")

            # Review: the heading is the trial's title; the source record is beside the draft.
            go(page, "Review queue")
            page.get_by_test_id("stSelectbox").filter(has_text="Open draft").click()
            page.get_by_role("option").filter(has_text="CD7 CAR-T for relapsed T-ALL").first.click()
            wait_idle(page)
            page.get_by_test_id("stBaseButton-secondary").filter(has_text="Open").click()
            page.get_by_role("heading", name="Review draft").wait_for(timeout=30_000)
            wait_idle(page)
            heading = page.get_by_role("heading", name=re.compile("CD7 CAR-T for relapsed T-ALL")).first
            assert f"<img src=\"{counter.base_url}/title/html.png\">" in shown(heading)
            page.get_by_text("Brief summary").first.click()
            wait_idle(page)
            _assert_inert(page, counter)

            # Catalogue: the trial's detail.
            go(page, "Catalogue")
            wait_idle(page)
            search = page.get_by_role("textbox", name="Search (condition, drug, target, registry id)")
            search.fill(REGISTRY_ID)
            search.press("Enter")
            wait_idle(page)
            page.get_by_text(re.compile(r"^1 trials match")).wait_for(timeout=20_000)
            wait_idle(page)
            choose(page, page.get_by_label("Trial", exact=True), REGISTRY_ID)
            wait_idle(page)
            page.get_by_text("summary-link", exact=False).first.wait_for(timeout=20_000)
            assert f"[summary-link]({counter.base_url}/summary/md-link)" in shown(page.get_by_text("summary-link", exact=False).first)
            _assert_inert(page, counter)

            # The sites' map draws without a tile service (this browser reaches no outside address).
            page.get_by_role("tab", name="Sites").click()
            wait_idle(page)
            chart = page.get_by_role("tabpanel", name="Sites").get_by_test_id("stVegaLiteChart")
            chart.wait_for(timeout=20_000)
            chart.locator("canvas, svg").first.wait_for(timeout=20_000)
            chart.scroll_into_view_if_needed()
            shoot(page, "18-catalogue-site-map")
        finally:
            stop_process(proc)
    assert counter.requests == [], f"the browser fetched {counter.requests}"


def shown(locator) -> str:  # noqa: ANN001
    """The text as a reader sees it (md_text puts invisible word joiners into addresses)."""
    return locator.inner_text().replace("\u2060", "")


def _assert_inert(page, counter: RequestCounter) -> None:  # noqa: ANN001
    page.wait_for_timeout(500)  # give any image the browser was told to load the time to ask for it
    assert counter.requests == [], f"the browser fetched {counter.requests}"
    live = page.evaluate(
        "base => [...document.querySelectorAll('img[src], a[href], source[src], iframe[src]')]"
        "  .map(e => e.getAttribute('src') || e.getAttribute('href')).filter(u => u.startsWith(base))",
        counter.base_url,
    )
    assert live == [], f"live elements point at {live}"
