"""Matching: run the matcher for a case, read the ranked shortlist with its evidence, select or dismiss trials."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core.cases import get_case, list_cases, update_case_facts
from core.domain.verdicts import EXCLUSION_LABELS, INCLUSION_LABELS
from core.matching.differential import describe_suggested_diagnoses
from core.matching.service import (
    dismiss_trial,
    list_matches,
    override_verdict,
    select_trial,
    unselect_trial,
)
from core.nlp.sentences import split_sentences
from core.workflow.drafting import start_drafting
from core.workflow.matching import start_matching
from pages.ui_common import (
    age_text,
    case_label,
    inert_table,
    job_progress,
    md_highlight,
    md_text,
    require_page,
    run_action,
    show_location_check,
)

actor = require_page("match.view")
st.title("Matching")

cases = list_cases(actor)
if not cases:
    st.info("No cases yet: create one on the Cases page.")
    st.stop()
ids = [c.id for c in cases]
wanted = st.query_params.get("case") or st.session_state.get("case_id")
default = ids.index(int(wanted)) if wanted and str(wanted).isdigit() and int(wanted) in ids else 0
case_id = st.selectbox(
    "Case", ids, index=default, key="match-case",
    format_func=lambda i: case_label(cases, i),
)
st.session_state["case_id"] = case_id
st.query_params["case"] = str(case_id)
case = get_case(actor, case_id)
f = case.facts
st.caption(
    f"{age_text(f.age_years)} · {f.sex} · {md_text(f.diagnosis or 'no diagnosis given')} · "
    f"{md_text(f.disease_status or 'status not given')} · {md_text(f.location_label or 'location unknown')}"
    + (f" · travels up to {f.travel_radius_km:.0f} km" if f.travel_radius_km else "")
)
show_location_check(f, key="match", actor=actor, case_id=case_id)

with st.expander("Clinical facts used for matching (check and correct)", expanded=False):
    extracted = case.extracted or {}
    if extracted.get("filled"):
        st.caption(
            "Read from the free-text summary: " + ", ".join(x.removesuffix("_years").replace("_", " ") for x in extracted["filled"])
            + ". Correct anything that is wrong; what you save here is used from now on."
        )
    if extracted.get("negations"):
        st.caption("The summary says these are absent: " + md_text(", ".join(extracted["negations"])))
    if not f.diagnosis and f.summary:
        suggested = describe_suggested_diagnoses(f.summary)
        st.caption(
            "No diagnosis given, so the search also looks for diagnoses the findings suggest: "
            + md_text("; ".join(suggested))
            + ". These are search terms, not a diagnosis; enter the diagnosis below if it is known."
            if suggested
            else "No diagnosis given and the findings suggest none: the search uses the summary's own words."
        )
    if actor.can("case.update"):
        with st.form(f"facts-{case_id}"):
            c1, c2, c3 = st.columns(3)
            age = c1.number_input("Age (years)", min_value=0.0, max_value=120.0, value=f.age_years, format="%g", key=f"fx-age-{case_id}")
            sex = c2.selectbox("Sex", ["unknown", "female", "male"], index=["unknown", "female", "male"].index(f.sex), key=f"fx-sex-{case_id}")
            perf = c3.text_input("Performance status", value=f.performance_status or "", key=f"fx-perf-{case_id}")
            diagnosis = st.text_input("Diagnosis", value=f.diagnosis, key=f"fx-dx-{case_id}")
            status = st.text_input("Disease status", value=f.disease_status or "", key=f"fx-status-{case_id}")
            c6, c7 = st.columns([2, 1])
            location = c6.text_input("Location (city, region or country)", value=f.location_label or "",
                                     key=f"fx-loc-{case_id}")
            radius = c7.number_input("Travel radius (km)", min_value=0.0, value=f.travel_radius_km, step=50.0,
                                     key=f"fx-radius-{case_id}")
            prior = st.text_area("Prior therapies (one per line)", value="\n".join(f.prior_therapies), key=f"fx-prior-{case_id}")
            c4, c5 = st.columns(2)
            conditions = c4.text_area(
                "Conditions and findings the summary reports (one per line)", value="\n".join(f.conditions), key=f"fx-cond-{case_id}"
            )
            absent = c5.text_area(
                "Stated as absent (one per line)", value="\n".join(f.negations), key=f"fx-neg-{case_id}"
            )
            if st.form_submit_button("Save corrections"):
                changes = {
                    "age_years": age, "sex": sex, "performance_status": perf or None, "diagnosis": diagnosis,
                    "disease_status": status or None, "travel_radius_km": radius,
                    "prior_therapies": [p.strip() for p in prior.splitlines() if p.strip()],
                    "conditions": [c.strip() for c in conditions.splitlines() if c.strip()],
                    "negations": [n.strip() for n in absent.splitlines() if n.strip()],
                }
                if location.strip() != (f.location_label or ""):
                    changes["location_label"] = location.strip() or None  # re-located from the gazetteer
                if run_action(lambda: update_case_facts(actor, case_id, changes), success="Facts saved; run matching again"):
                    st.rerun()

if actor.can("match.run"):
    if st.button("Run matching", type="primary", key="run-match"):
        with st.spinner("Matching…"):
            job = run_action(lambda: start_matching(actor, case_id))
        if job is not None and not job.finished:  # handed to a thread or the worker: follow its progress
            st.session_state["match-job"] = job.id
        elif job is not None and job.status != "done":
            st.error(f"Matching failed: {md_text(job.error)}")
    if st.session_state.get("match-job"):
        job_progress(st.session_state["match-job"], key="match-job")

matches = list_matches(actor, case_id)
if not matches:
    st.info("Not matched yet." if actor.can("match.run") else "This case has not been matched yet.")
    st.stop()

passed = [m for m in matches if m.passed_filters]
filtered = [m for m in matches if not m.passed_filters]
selected = [m for m in matches if m.status == "selected"]
c1, c2, c3, c4 = st.columns(4)
c1.metric("Shortlist", len(passed))
c2.metric("Likely eligible", sum(1 for m in passed if m.eligibility == "likely eligible"))
c3.metric("Selected", len(selected))
c4.metric("Filtered out", len(filtered))

sentences = split_sentences(f.summary) if f.summary else []


def _highlighted_summary(evidence: set[int]) -> str:
    return " ".join(md_highlight(s) if i in evidence else md_text(s) for i, s in enumerate(sentences))


def _quoted_evidence(indices: list[int]) -> str:
    """The summary sentences a verdict rests on, quoted (the matcher stores their positions)."""
    quoted = [sentences[i] for i in indices if 0 <= i < len(sentences)]
    return " ".join(f"“{q if len(q) <= 160 else q[:157] + '…'}”" for q in quoted)


ICON = {"likely eligible": ":material/check_circle:", "unknown": ":material/help:", "likely not eligible": ":material/cancel:"}
SHOW = 25
st.subheader("Shortlist")
for m in passed[: st.session_state.get("match-show", SHOW)]:
    label = (
        f"{m.rank}. {md_text(m.title)} ({md_text(m.registry_id)}) · {m.eligibility}: met {m.met} · unknown {m.unknown} · not met {m.not_met}"
        + (" · SELECTED" if m.status == "selected" else " · dismissed" if m.status == "dismissed" else "")
    )
    with st.expander(label, icon=ICON.get(m.eligibility)):
        info = f"**{m.study_type.replace('_', ' ').title()}** · {', '.join(m.phases) or 'phase not given'} · {m.overall_status.replace('_', ' ').lower()}"
        if m.distance_km is not None and m.nearest_site:
            site = m.nearest_site
            info += f" · nearest open site {m.distance_km:.0f} km: {md_text(site.get('facility') or '')}, {md_text(site.get('city') or '')}"
        st.markdown(info)
        if m.deciding_criterion:
            why = next((v.override_reason or v.explanation for v in m.verdicts if v.criterion_text == m.deciding_criterion), "")
            st.warning(
                f"Likely not eligible because of: {md_text(m.deciding_criterion)}" + (f" ({md_text(why)})" if why else ""),
                icon=":material/block:",
            )
        for note in [r for r in m.filter_reasons if r.get("note")]:
            st.caption(f"Note: {md_text(note['message'])}")
        if actor.can("match.select"):
            b1, b2, b3 = st.columns([1, 2, 1])
            if m.status != "selected":
                if b1.button("Select", key=f"sel-{m.id}", type="primary"):
                    run_action(lambda m=m: select_trial(actor, case_id, m.trial_id), success="Selected")
                    st.rerun()
            elif b1.button("Unselect", key=f"unsel-{m.id}"):
                run_action(lambda m=m: unselect_trial(actor, case_id, m.trial_id))
                st.rerun()
            reason = b2.text_input("Dismiss reason", key=f"dr-{m.id}", label_visibility="collapsed", placeholder="Reason to dismiss")
            if b3.button("Dismiss", key=f"dis-{m.id}"):
                if run_action(lambda m=m, reason=reason: dismiss_trial(actor, case_id, m.trial_id, reason)):
                    st.rerun()
        if m.verdicts:
            table = pd.DataFrame(
                [
                    {
                        "kind": v.kind,
                        "no.": str(v.position + 1) if v.position >= 0 else "-",  # implicit: conditions, target
                        "criterion": v.criterion_text,
                        "verdict": v.verdict,
                        "source": v.source,
                        "evidence": _quoted_evidence(v.evidence),
                        "why": v.override_reason or v.explanation,
                    }
                    for v in m.verdicts
                ]
            )
            # a static table wraps long criteria and reasons, so both read in full without scrolling sideways
            st.table(inert_table(table), hide_index=True, border="horizontal")
            evidence = {i for v in m.verdicts for i in v.evidence}
            if sentences and evidence:
                st.markdown("**Evidence in the case summary**")
                st.markdown(_highlighted_summary(evidence))
            if actor.can("verdict.override"):
                with st.form(f"ovr-{m.id}"):
                    st.markdown("**Override a verdict**")
                    vid = st.selectbox(
                        "Criterion", [v.id for v in m.verdicts], key=f"ovr-v-{m.id}",
                        format_func=lambda i, m=m: next(f"{v.kind} {v.position + 1}: {v.criterion_text[:80]}" for v in m.verdicts if v.id == i),
                    )
                    kind = next(v.kind for v in m.verdicts if v.id == vid)
                    label_choice = st.selectbox("New verdict", INCLUSION_LABELS if kind == "inclusion" else EXCLUSION_LABELS, key=f"ovr-l-{m.id}")
                    why = st.text_input("Reason", key=f"ovr-r-{m.id}")
                    if st.form_submit_button("Save override"):
                        if run_action(lambda vid=vid, label_choice=label_choice, why=why: override_verdict(actor, vid, label_choice, why), success="Verdict changed") is not None:
                            st.rerun()
        else:
            st.caption("Criteria were not assessed for this trial (outside the top of the shortlist).")
if len(passed) > st.session_state.get("match-show", SHOW) and st.button("Show more", key="more"):
    st.session_state["match-show"] = st.session_state.get("match-show", SHOW) + SHOW
    st.rerun()

FILTERED_SHOWN = 200  # a static table of every filtered trial would make the page very long
with st.expander(f"Filtered out ({len(filtered)}) and why"):
    if filtered:
        # a static table wraps the reasons, so "why not" reads in full instead of being cut at the column edge
        st.table(
            inert_table(pd.DataFrame(
                [
                    {"trial": m.registry_id, "title": m.title, "why not": "; ".join(r["message"] for r in m.filter_reasons if not r.get("note"))}
                    for m in filtered[:FILTERED_SHOWN]
                ]
            )),
            hide_index=True, border="horizontal",
        )
        if len(filtered) > FILTERED_SHOWN:
            st.caption(f"The first {FILTERED_SHOWN} of {len(filtered)} are shown.")

if actor.can("draft.create"):
    st.divider()
    st.subheader("Drafting")
    st.caption(f"{len(selected)} trial(s) selected. Drafting writes a plain-language summary of each, and a case overview.")
    if st.button("Draft summaries for the selected trials", type="primary", disabled=not selected, key="draft"):
        with st.spinner("Drafting…"):
            job = run_action(lambda: start_drafting(actor, case_id))
        if job is not None and not job.finished:  # handed to a thread or the worker: follow its progress
            st.session_state["draft-job"] = job.id
        elif job is not None and job.status == "done":
            st.success(f"Drafted {job.result.get('drafted', 0)} text(s); they wait in the review queue.")
        elif job is not None:
            st.error(f"Drafting failed: {md_text(job.error)}")
    if st.session_state.get("draft-job"):
        job_progress(st.session_state["draft-job"], key="draft-job")
    if st.button("Go to the review queue", key="to-queue"):
        st.switch_page("pages/queue.py")
