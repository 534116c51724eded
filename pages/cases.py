"""Cases: the list of cases and the intake form for a new one."""

from __future__ import annotations

import hashlib
import uuid

import pandas as pd
import streamlit as st

from core.case_privacy import preview_case_for_model, set_private_phrases
from core.cases import CaseInput, create_case, list_cases
from pages.ui_common import (
    age_text,
    case_label,
    flash,
    require_page,
    run_action,
    show_flash,
    show_kept_error,
    show_location_check,
)


def show_model_view(actor, case_id: int) -> None:  # noqa: ANN001
    """Exactly what a drafting or matching model is sent of the case, and the phrases to keep from it too."""
    view = preview_case_for_model(actor, case_id)
    with st.expander(f"What a model sees of this case ({len(view.hidden)} piece(s) of text replaced)"):
        st.caption("Names, dates that identify, addresses, record numbers, e-mails, phones and links become typed "
                   "placeholders such as [NAME]. Contact details never leave; this is the whole case block of every prompt.")
        shown = {k: v for k, v in view.variables.items() if v not in ("", [], "not given")}
        st.dataframe(pd.DataFrame([{"field": k, "sent as": ", ".join(v) if isinstance(v, list) else str(v)}
                                   for k, v in shown.items()]), hide_index=True, width="stretch")
        if view.hidden:
            st.dataframe(pd.DataFrame([h.model_dump() for h in view.hidden]), hide_index=True, width="stretch")
        if actor.can("case.update"):
            phrases = st.text_area("Also keep private (one phrase per line: a nickname, a school, a rare detail)",
                                   value="\n".join(view.private_phrases), key=f"private-{case_id}", height=90)
            if st.button("Save private phrases", key=f"private-save-{case_id}"):
                lines = [p for p in phrases.splitlines() if p.strip()]
                if run_action(lambda: set_private_phrases(actor, case_id, lines), success="Saved: models will not see them"):
                    st.rerun()


actor = require_page("case.view")
st.title("Cases")
show_flash()

cases = list_cases(actor)
if cases:
    table = pd.DataFrame(
        [
            {
                "id": c.id,
                "reference": c.reference + (" (demo)" if c.is_demo else ""),
                "status": c.status,
                "diagnosis": c.facts.diagnosis,
                "age": age_text(c.facts.age_years) if c.facts.age_years is not None else "",
                "sex": c.facts.sex,
                "location": c.facts.location_label,
                "created": c.created_at.strftime("%Y-%m-%d"),
            }
            for c in cases
        ]
    )
    st.dataframe(table, hide_index=True, width="stretch")
    saved = st.session_state.pop("cases-saved", None)
    if saved is not None:
        st.session_state["cases-pick"] = saved  # the new case is the one to look at next
    choice = st.selectbox(
        "Work on case",
        [c.id for c in cases],
        format_func=lambda i: case_label(cases, i),
        key="cases-pick",
    )
    picked = next(c for c in cases if c.id == choice)
    show_location_check(picked.facts, key="cases", actor=actor, case_id=choice)
    if st.button("Open in matching", key="cases-open"):
        st.session_state["case_id"] = choice
        st.switch_page("pages/matching.py")
    if actor.can("case.view_contact"):
        show_model_view(actor, choice)
else:
    st.info("No cases yet.")

if actor.can("case.create"):
    st.header("New case")
    st.caption(
        "Clinical facts are used for matching and drafting. Contact details are stored apart, "
        "are shown only to reviewers, and are never sent to a drafting model."
    )
    with st.form("new-case", clear_on_submit=False):
        c1, c2, c3 = st.columns(3)
        age = c1.number_input("Age (years)", min_value=0.0, max_value=120.0, value=None, step=1.0, format="%g", key="nc-age")
        sex = c2.selectbox("Sex", ["unknown", "female", "male"], key="nc-sex")
        status = c3.selectbox("Disease status", ["", "relapsed", "refractory", "relapsed and refractory", "newly diagnosed"], key="nc-status")
        diagnosis = st.text_input("Diagnosis *", key="nc-diagnosis", placeholder="e.g. relapsed T-cell acute lymphoblastic leukaemia")
        c1, c2, c3 = st.columns(3)
        prior = c1.text_area("Prior therapies (one per line)", key="nc-prior", height=100)
        biomarkers = c2.text_area("Biomarkers (one per line)", key="nc-biomarkers", height=100)
        lines = c3.number_input("Lines of therapy", min_value=0, max_value=30, value=None, step=1, key="nc-lines")
        perf = c3.text_input("Performance status", key="nc-perf", placeholder="ECOG 1 / Lansky 70")
        summary = st.text_area("Clinical summary (free text, no names)", key="nc-summary", height=160)
        c1, c2 = st.columns([2, 1])
        location = c1.text_input("Location (city, region or country)", key="nc-location",
                                 placeholder="e.g. St. Louis, Missouri or Manchester, UK")
        radius = c2.number_input("Travel radius (km)", min_value=0.0, value=None, step=50.0, format="%g", key="nc-radius")
        st.subheader("Contact details (kept apart)")
        c1, c2 = st.columns(2)
        name = c1.text_input("Contact name *", key="nc-name")
        email = c2.text_input("E-mail", key="nc-email")
        phone = c1.text_input("Phone", key="nc-phone")
        address = c2.text_input("Postal address", key="nc-address")
        submitted = st.form_submit_button("Save case", type="primary")
    if submitted:
        data = CaseInput(
            age_years=age,
            sex=sex,
            diagnosis=diagnosis,
            disease_status=status or None,
            prior_therapies=[p.strip() for p in prior.splitlines() if p.strip()],
            biomarkers=[b.strip() for b in biomarkers.splitlines() if b.strip()],
            lines_of_therapy=lines,
            performance_status=perf or None,
            summary=summary,
            location_label=location or None,
            travel_radius_km=radius,
            contact_name=name,
            contact_email=email or None,
            contact_phone=phone or None,
            contact_address=address or None,
        )
        # The same filled-in form submitted again in this browser session (a double click, a rerun) carries the
        # same key, so it makes one case; a changed form is a new submission.
        nonce = st.session_state.setdefault("nc-intake-nonce", uuid.uuid4().hex)
        intake_key = hashlib.sha256((nonce + data.model_dump_json()).encode()).hexdigest()[:40]
        case_id = run_action(lambda: create_case(actor, data, intake_key=intake_key), keep="new-case")
        if case_id:
            st.session_state["case_id"] = case_id
            # Shown above with the case picked: how its location was read, and a field to correct it.
            st.session_state["cases-saved"] = case_id
            flash(f"Case saved (id {case_id}). Open it in Matching to find options.")
            st.rerun()  # the table above was drawn before the save: draw it again with the new case
    show_kept_error("new-case")  # on every run until the next submission, not only the submitting one
