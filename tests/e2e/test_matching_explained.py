"""In a real browser: a free-text case shows the diagnoses the search adds, and a trial for another disease says why it cannot fit."""

from __future__ import annotations

import re

import pytest

from tests.e2e.conftest import go, login, shoot, wait_idle

pytestmark = pytest.mark.e2e

SUMMARY = (
    "A 7-year-old boy with three weeks of fever, bone pain, pallor and easy bruising. The blood count shows "
    "a haemoglobin of 7 g/dL, platelets of 20,000 and blasts on the peripheral smear. He denies weight loss."
)


def test_matching_explains_guesses_and_mismatches(app_server, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 1100})
    login(page, app_server, "reviewer", "reviewer-demo")

    # A case sent as free text only: no diagnosis typed.
    go(page, "Cases")
    page.get_by_label("Clinical summary (free text, no names)").fill(SUMMARY)
    page.get_by_label("Location (city, region or country)", exact=True).fill("Manchester, United Kingdom")
    page.get_by_label("Contact name *").fill("Free Text Family")
    page.get_by_role("button", name="Save case").click()
    page.get_by_text("Case saved").first.wait_for(timeout=30_000)

    go(page, "Matching")
    page.get_by_text("no diagnosis given").first.wait_for(timeout=30_000)
    page.get_by_text("Clinical facts used for matching").click()
    wait_idle(page)
    guesses = page.get_by_text(re.compile("No diagnosis given, so the search also looks for"))
    guesses.wait_for(timeout=20_000)
    text = guesses.inner_text()
    assert "leukemia (from: " in text and "blasts on smear" in text and "not a diagnosis" in text
    shoot(page, "14-matching-free-text")

    # The demo T-ALL case: the asthma trial is shortlisted but says why it cannot fit.
    page.get_by_test_id("stSelectbox").first.click()
    page.get_by_role("option").filter(has_text="DEMO-CASE-001").first.click()
    wait_idle(page)
    page.get_by_role("button", name="Run matching").click()
    page.get_by_role("heading", name="Shortlist").wait_for(timeout=60_000)
    wait_idle(page)
    # the shortlist's expanders appear one after another: wait for this one, not just for the heading
    asthma = page.locator('[data-testid="stExpander"] summary').filter(has_text="Severe Uncontrolled Asthma")
    asthma.first.wait_for(timeout=30_000)
    assert "likely not eligible" in asthma.first.inner_text()
    asthma.first.click()
    wait_idle(page)
    warning = page.get_by_text(re.compile("Likely not eligible because of: Conditions studied: Asthma"))
    warning.wait_for(timeout=20_000)
    assert "airway disease" in warning.inner_text() and "blood cancer" in warning.inner_text()
    warning.evaluate("e => e.scrollIntoView({block: 'start'})")  # the warning and the criteria table below it
    shoot(page, "15-matching-other-disease")
