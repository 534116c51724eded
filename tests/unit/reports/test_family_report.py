"""The family's report: the T-ALL demo report says the right things, and every report has the agreed shape."""

from __future__ import annotations

import re
import subprocess

import pytest

from core.config import get_settings
from core.reports.compose import registry_url
from core.reports.store import get_report_pdf
from tests.support.demo_report import load_demo_data, release_demo_report
from tests.support.flow import approve_current, case_with_drafts, release
from tests.support.report_facts import check_option, load_facts


def _approve_all(actor, drafts):  # noqa: ANN001, ANN202
    for d in drafts:
        approve_current(actor, d)


@pytest.fixture
def t_all_report(team):  # noqa: ANN001, ANN201
    cases = load_demo_data()
    return release_demo_report(team.reviewer, cases["DEMO-CASE-001"])


def test_t_all_car_t_option_has_the_source_conditioning_transplant_and_cd7_threshold_right(
    t_all_report,
) -> None:
    option = next(o for o in t_all_report.content.options if o.registry_id == "DEMO-0001")
    text = " ".join(p for part in option.parts for p in part.paragraphs)
    assert option.what_it_is == "This study is testing NXO-T7, a CAR T-cell treatment."
    # Product source: healthy donor T cells, not the patient's own.
    assert "Here the cells come from a donor, not from the patient." in text
    assert "patient's own" not in text
    # Conditioning is named as conditioning, never as what is tested.
    assert "Before NXO-T7, patients get fludarabine, cyclophosphamide and alemtuzumab." in text
    assert "They are not the new treatment." in text
    assert not re.search(r"testing [^.]*(?:fludarabine|cyclophosphamide|alemtuzumab)", text, re.IGNORECASE)
    # The required donor and the transplant 4 to 8 weeks after the infusion.
    assert "a stem cell transplant from a donor, about 4 to 8 weeks after the infusion" in text
    assert "The study needs a stem cell donor to be found already" in text
    assert "his older sister has been tested and is a full match" in text  # what the case already says
    # The CD7 threshold, in plain words, with what the case says.
    assert "at least 20% of the leukaemia or lymphoma cells to carry the marker CD7" in text
    assert "CD7 positive (95% of blasts)" in text
    # Nothing asked that the case already answers, no raw performance-status rule, no rule counts.
    assert "any relapse after allogeneic HSCT" not in text
    assert "Karnofsky (age ≥ 16 years)" not in text and "Rules to check" not in t_all_report.report.markdown
    assert check_option(option, load_facts("DEMO-0001")) == []


def test_t_all_report_options_match_their_fact_checklists_and_pass_the_blocking_checks(t_all_report) -> None:
    assert t_all_report.overridden == []
    assert [o.registry_id for o in t_all_report.content.options] == ["DEMO-0002", "DEMO-0001", "DEMO-0009"]
    for option in t_all_report.content.options:
        assert check_option(option, load_facts(option.registry_id)) == [], option.registry_id
    programme = t_all_report.content.options[2]
    assert programme.phase == "Not a study" and programme.parts[0].title == "What the programme offers"


def test_t_all_markdown_and_html_read_cleanly(t_all_report) -> None:
    markdown, page = t_all_report.report.markdown, t_all_report.report.html
    assert "\\(" not in markdown and "&lt;" not in markdown and "&gt;" not in markdown
    assert "Prepared for Joanne Whitcombe (mother)" in markdown
    assert "…" not in markdown  # titles are never cut
    table = markdown.index(
        "| # | Option | What it is | Phase | Nearest open site | How it may fit | What to ask |"
    )
    sections = [markdown.index(f"## Option {n}: ") for n in (1, 2, 3)]
    assert table < sections[0] < sections[1] < sections[2]
    rows = re.findall(r"^\| (\d) \| .*?\((DEMO-\d{4})\) \|", markdown, re.MULTILINE)
    headings = re.findall(
        r"^## Option \d: .*\n\n- (?:Study|Programme) number: (DEMO-\d{4})", markdown, re.MULTILINE
    )
    assert [r[1] for r in rows] == headings == ["DEMO-0002", "DEMO-0001", "DEMO-0009"]
    assert "Registry record last updated: 7 October 2026" in markdown
    assert '<meta name="viewport"' in page and "@media (max-width: 720px)" in page and "<script" not in page


def test_report_gives_the_team_contact_registry_link_and_page_numbers(team, monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("TEAM_CONTACT_NAME", "Dr Ada Team")
    monkeypatch.setenv("TEAM_CONTACT_EMAIL", "ada.team@example.org")
    monkeypatch.setenv("TEAM_CONTACT_PHONE", "+44 20 7946 0000")
    get_settings.cache_clear()
    case_id, drafts = case_with_drafts(team.reviewer)
    _approve_all(team.reviewer, drafts)
    report = release(team.reviewer, case_id)
    for text in (report.markdown, report.html):
        assert "Dr Ada Team" in text and "ada.team@example.org" in text and "+44 20 7946 0000" in text
        assert "https://clinicaltrials.gov/study/NCT09000001" in text
    path = tmp_path / "r.pdf"
    path.write_bytes(get_report_pdf(team.reviewer, report.id))
    pdf_text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    pages = pdf_text.count("\f")
    assert pages >= 2 and f"Page 1 of {pages}" in pdf_text and f"Page {pages} of {pages}" in pdf_text
    assert (
        "What it is" in pdf_text
        and "Dr Ada Team" in pdf_text
        and "clinicaltrials.gov/study/NCT09000001" in pdf_text
    )


def test_the_registry_link_is_only_for_clinicaltrials_gov_ids() -> None:
    assert registry_url("nct09000001") == "https://clinicaltrials.gov/study/NCT09000001"
    for other in ("ISRCTN12345678", "DEMO-0001", "NCT123", "NCT09000001/../x"):
        assert registry_url(other) is None
