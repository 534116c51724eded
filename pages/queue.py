"""Review queue: drafts waiting for review across all cases, with filters, counts and 'claim next'."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core.workflow.review import claim_next_draft
from core.workflow.review_views import list_queue, queue_counts
from pages.ui_common import require_page

actor = require_page("draft.view")
st.title("Review queue")

counts = queue_counts(actor)
cols = st.columns(6)
for col, status in zip(cols, ["queued", "ready", "in_review", "approved", "failed", "released"], strict=True):
    col.metric(status.replace("_", " ").capitalize(), counts.get(status, 0))

if actor.can("review.work") and st.button("Start review of the next draft", type="primary", key="claim-next"):
    draft_id = claim_next_draft(actor)
    if draft_id is None:
        st.info("Nothing is waiting for review.")
    else:
        st.session_state["draft_id"] = draft_id
        st.switch_page("pages/review.py")

with st.expander("Filters", expanded=False):
    c1, c2, c3, c4 = st.columns(4)
    statuses = c1.multiselect("Status", ["ready", "in_review", "approved", "failed", "changes_requested", "rejected", "released", "queued"], default=["ready", "in_review"], key="q-status")
    drafter = c2.selectbox("Drafter", ["any", "offline", "llm"], key="q-drafter")
    failing = c3.checkbox("Failing checks only", key="q-failing")
    min_hours = c4.number_input("Waiting at least (hours)", min_value=0.0, value=0.0, format="%g", key="q-hours")
    case_ref = st.text_input("Case reference contains", key="q-case")

items = list_queue(
    actor,
    statuses=tuple(statuses) or ("ready", "in_review"),
    drafter=None if drafter == "any" else drafter,
    failing_only=failing,
    min_waiting_hours=min_hours or None,
)
if case_ref:
    items = [i for i in items if case_ref.lower() in i.case_reference.lower()]
st.caption(f"{len(items)} draft(s)")
if not items:
    st.info("No drafts match these filters.")
    st.stop()
table = pd.DataFrame(
    [
        {
            "draft": i.draft_id,
            "case": i.case_reference,
            "status": i.status.replace("_", " "),
            "version": i.version_number,
            "reviewing": i.claimed_by or "",
            "approvals": i.approvals,
            "waiting (h)": i.waiting_hours,
            "failing checks": ", ".join(i.failing_checks),
            "drafter": f"{i.drafter or ''} {i.model or ''}".strip(),
            "what": i.title,  # last: the long titles no longer push the status and claim columns out of view
        }
        for i in items
    ]
)
st.dataframe(table, hide_index=True, width="stretch")
pick = st.selectbox("Open draft", [i.draft_id for i in items], key="q-open", format_func=lambda d: next(f"#{i.draft_id} {i.case_reference}: {i.title}" for i in items if i.draft_id == d))
if st.button("Open", key="q-open-btn"):
    st.session_state["draft_id"] = pick
    st.switch_page("pages/review.py")
