"""The whole flow in a real browser: log in, create a case, match, select, draft, approve, release, download."""

from __future__ import annotations

import re
import subprocess

import pytest

from tests.e2e.conftest import choose, fill_case_form, go, login, shoot, wait_idle

pytestmark = pytest.mark.e2e


def _approve_everything(page) -> int:  # noqa: ANN001
    for approved in range(10):
        go(page, "Review queue")
        page.get_by_role("button", name="Start review of the next draft").click()
        wait_idle(page)
        if page.get_by_text("Nothing is waiting for review.").is_visible():
            return approved
        page.get_by_role("heading", name="Review draft").wait_for(timeout=30_000)
        wait_idle(page)
        if approved == 0:
            shoot(page, "04-review")
        page.get_by_text("You are reviewing this draft").first.wait_for(timeout=30_000)  # the claim is explicit
        override = page.get_by_label(re.compile("Say why in a sentence"))
        if override.count():
            override.fill("Every flagged sentence was checked against the trial record.")
            override.press("Enter")
            wait_idle(page)
        page.get_by_role("button", name=re.compile("^Approve version")).click()
        wait_idle(page)
        page.get_by_text(re.compile(r"status\s+approved")).first.wait_for(timeout=30_000)
    raise AssertionError("the queue never emptied")


def test_case_to_released_report(app_server, browser, tmp_path):
    page = browser.new_page(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    page.goto(app_server)
    page.get_by_label("Username").wait_for(timeout=60_000)
    shoot(page, "00-login")
    login(page, app_server, "reviewer", "reviewer-demo")
    assert page.get_by_text("Demo data is loaded").is_visible()
    go(page, "Catalogue")
    page.get_by_text("trials match").wait_for(timeout=30_000)
    shoot(page, "06-catalogue")
    go(page, "Cases")

    # 1. A new case through the form.
    fill_case_form(page, contact_name="Zoë Ångström", email="family@example.org")
    shoot(page, "01-cases")
    page.get_by_role("button", name="Save case").click()
    page.get_by_text("Case saved").first.wait_for(timeout=30_000)
    wait_idle(page)
    # The list above the form is drawn again: the new case is there to pick without leaving the page.
    choose(page, page.get_by_label("Work on case"), "relapsed T-cell acute lymphoblastic leukaemia")

    # 2. Match it and select two trials.
    go(page, "Matching")
    page.get_by_role("button", name="Run matching").click()
    page.get_by_role("heading", name="Shortlist").wait_for(timeout=60_000)
    wait_idle(page)
    for index in (0, 1):
        page.locator('[data-testid="stExpander"] summary').filter(has_text=re.compile(r"not met \d")).nth(index).click()
        wait_idle(page)
        page.get_by_role("button", name="Select", exact=True).first.click()
        wait_idle(page)
    page.get_by_text("2 trial(s) selected").wait_for(timeout=20_000)
    shoot(page, "02-matching")

    # 3. Draft with the offline drafter.
    page.get_by_role("button", name="Draft summaries for the selected trials").click()
    page.get_by_text(re.compile("Drafted 3 text")).wait_for(timeout=60_000)
    go(page, "Review queue")
    shoot(page, "03-queue")

    # 4. Approve every draft.
    assert _approve_everything(page) == 3

    # 5. Release and download the report.
    go(page, "Reports")
    page.get_by_text("Every part is approved").wait_for(timeout=30_000)
    confirm = page.get_by_text("I have read every overridden check")
    if confirm.count():  # the release lists each overridden check and asks to confirm it
        confirm.click()
        wait_idle(page)
    page.get_by_role("button", name="Release report").click()
    page.get_by_text(re.compile("Released report version 1")).wait_for(timeout=60_000)
    shoot(page, "05-report")
    with page.expect_download() as info:
        page.get_by_role("button", name="Markdown").first.click()
    path = tmp_path / "report.md"
    info.value.save_as(path)
    text = path.read_text(encoding="utf-8")
    assert "Your options" in text and "Option 1:" in text and "Option 2:" in text
    assert "Please read" in text and "not medical advice" in text
    assert "Prepared for Zoë Ångström" in text
    with page.expect_download() as info:
        page.get_by_role("button", name="PDF").first.click()
    assert info.value.suggested_filename.endswith(".pdf")
    pdf = tmp_path / "report.pdf"
    info.value.save_as(pdf)
    pdf_text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    for heading in ("Your options", "Option 1:", "Option 2:", "What the study is testing", "Study team contacts", "Please read"):
        assert heading in pdf_text, heading
    assert "Zoë Ångström" in pdf_text and "not medical advice" in pdf_text
