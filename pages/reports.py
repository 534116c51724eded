"""Reports: preview the family's report, release a new immutable version, download every released version."""

from __future__ import annotations

import streamlit as st

from core.cases import list_cases
from core.domain.overrides import OVERRIDE_CATEGORIES
from core.permissions import Actor
from core.reports.store import (
    get_report_pdf,
    list_report_overrides,
    list_reports,
    preview_fingerprint,
    preview_report,
)
from core.workflow.release import release_report
from pages.ui_common import case_label, md_text, require_page, run_action


@st.cache_data(max_entries=64, show_spinner=False)
def _released_pdf(username: str, report_id: int, *, _actor: Actor) -> bytes:
    """A released version's PDF, read once per user and version (released versions never change), not on every
    rerun. Handed to the button as bytes: a deferred download (a callable) was lost when the browser's click
    raced a rerun (the walkthrough saw no download under load)."""
    return get_report_pdf(_actor, report_id)


actor = require_page("report.view")
st.title("Reports")

cases = list_cases(actor)
if not cases:
    st.info("No cases yet.")
    st.stop()
ids = [c.id for c in cases]
wanted = st.session_state.get("case_id")
case_id = st.selectbox(
    "Case", ids, index=ids.index(wanted) if wanted in ids else 0, key="rep-case",
    format_func=lambda i: case_label(cases, i),
)
st.session_state["case_id"] = case_id


@st.cache_data(max_entries=20, show_spinner=False)
def _preview(case_id: int, fingerprint: str, username: str) -> tuple[str, str, list[str]]:
    # Keyed by what the preview is made from: rendered once per real change, not on every rerun.
    return preview_report(actor, case_id)


markdown, page_html, missing = _preview(case_id, preview_fingerprint(actor, case_id), actor.username)
if missing:
    st.warning("Not ready to release: " + md_text("; ".join(missing)) + ".")
else:
    st.success("Every part is approved. Check the preview, then release.")

with st.expander("Preview", expanded=not missing):
    # The HTML is built from escaped text only, and st.html sanitises it once more before display.
    with st.container(height=600, border=True):
        st.html(page_html)

if actor.can("report.release"):
    overrides = list_report_overrides(actor, case_id)
    confirmed = True
    if overrides and not missing:
        st.warning(f"**{len(overrides)} check(s) were overridden** in the approved texts of this report. Read each one before releasing:")
        for o in overrides:
            st.markdown(
                f"- {md_text(o['part'])}: **{md_text(o['check'])}** overridden by {md_text(o['by'])} "
                f"(version {o['version']}; {md_text(OVERRIDE_CATEGORIES.get(o['category'], o['category']))}): “{md_text(o['reason'])}”"
            )
        confirmed = st.checkbox("I have read every overridden check and release the report with them", key=f"confirm-overrides-{case_id}")
    if st.button("Release report", type="primary", disabled=bool(missing) or not confirmed, key="release"):
        outcome = run_action(lambda: release_report(actor, case_id, confirm_overrides=bool(overrides)))
        if outcome is not None and outcome.created:
            st.success(f"{outcome.message} sha256 {outcome.report.sha256}")
        elif outcome is not None:
            st.info(outcome.message)

st.subheader("Released versions")
reports = list_reports(actor, case_id)
if not reports:
    st.caption("Nothing released yet.")
for r in reports:
    with st.container(border=True):
        st.markdown(f"**Version {r.version}** · released by {r.released_by} at {r.released_at:%Y-%m-%d %H:%M} UTC  \n`sha256 {r.sha256}`")
        c1, c2, c3 = st.columns(3)
        c1.download_button("Markdown", r.markdown, file_name=f"report-{case_id}-v{r.version}.md", key=f"md-{r.id}")
        c2.download_button("HTML", r.html, file_name=f"report-{case_id}-v{r.version}.html", mime="text/html", key=f"html-{r.id}")
        if r.has_pdf:
            c3.download_button("PDF", _released_pdf(actor.username, r.id, _actor=actor),
                               file_name=f"report-{case_id}-v{r.version}.pdf", mime="application/pdf", key=f"pdf-{r.id}")
