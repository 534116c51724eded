"""Review draft: the source record beside the editable draft, checks, diffs, versions, comments and actions."""

from __future__ import annotations

import pandas as pd
import streamlit as st
from pydantic import ValidationError

from core.cases import get_case
from core.domain.overrides import OVERRIDE_CATEGORIES, CheckOverride
from core.errors import ConflictError
from core.trial_view import get_trial_for_review
from core.workflow.drafting import retry_draft
from core.workflow.review import (
    approve_draft,
    heartbeat_claim,
    reject_draft,
    release_claim,
    request_changes,
    restore_version,
    save_draft,
    start_review,
)
from core.workflow.review_views import add_comment, diff_sections, get_draft_detail, list_comments
from pages.browser_session import cookie_token
from pages.ui_common import age_text, job_progress, md_text, require_page, run_action, show_error

actor = require_page("review.work")
st.title("Review draft")

draft_id = st.session_state.get("draft_id") or (int(st.query_params["draft"]) if st.query_params.get("draft", "").isdigit() else None)
if not draft_id:
    st.info("Open a draft from the review queue.")
    if st.button("Go to the queue"):
        st.switch_page("pages/queue.py")
    st.stop()
st.query_params["draft"] = str(draft_id)
st.session_state["draft_id"] = draft_id

try:
    detail = get_draft_detail(actor, draft_id)
except Exception as exc:
    show_error(exc)
    st.stop()

reviewable = detail.status in ("ready", "in_review")
mine = detail.claimed_by == actor.username

st.subheader(md_text(detail.title))
meta = f"Case {md_text(detail.case_reference)} · status **{detail.status.replace('_', ' ')}** · written by {md_text(detail.drafter or '?')}"
if detail.model:
    meta += f" ({md_text(detail.model)})"
if detail.prompt:
    meta += f" with prompt **{md_text(detail.prompt)}**"
st.markdown(meta)
if detail.approved_by and detail.status != "approved":
    st.info(f"Approved by {', '.join(detail.approved_by)}: a second reviewer must approve the same version.")
if reviewable and detail.claimed_by and not mine:
    st.warning(f"**{detail.claimed_by}** is reviewing this draft (claim until {detail.claim_expires_at:%H:%M} UTC). "
               "You can read it; editing and approving need the claim.")
elif reviewable and not mine:
    st.info("Nobody is reviewing this draft. Reading it does not claim it: **Start review** to edit or approve it.")
    if st.button("Start review", type="primary", key="start-review"):
        if run_action(lambda: start_review(actor, draft_id), success="You are reviewing this draft") is not None:
            st.rerun()


@st.fragment(run_every=60)
def _heartbeat() -> None:
    if not mine:
        return
    # The timer renews the claim only while this browser's session is live (it is not activity of the user).
    expiry = heartbeat_claim(actor, draft_id, session_token=st.session_state.get("session-token") or cookie_token())
    if expiry:
        st.caption(f":material/favorite: You are reviewing this draft; your claim lasts until {expiry:%H:%M} UTC "
                   "(kept alive while this page is open).")
    else:
        st.warning("Your claim on this draft has expired or was taken: Start review again to go on. Your text is kept.")


_heartbeat()

if detail.error:
    st.error(f"Drafting failed: {md_text(detail.error)}")
if detail.status in ("failed", "rejected") and st.button(
        "Retry drafting" if detail.status == "failed" else "Draft again", type="primary", key="retry"):
    job = run_action(lambda: retry_draft(actor, draft_id))
    if job is not None and job.finished:
        st.rerun()
    elif job is not None:
        st.session_state["retry-job"] = job.id
if st.session_state.get("retry-job"):
    job_progress(st.session_state["retry-job"], key="retry-job")
if detail.feedback and detail.status in ("changes_requested", "queued", "drafting"):
    st.info(f"Changes requested: {md_text(detail.feedback)}")

current = detail.current
# The version this reviewer is editing stays fixed until they save or choose to load a newer one,
# so a rerun or someone else's save never replaces what they typed.
base_key = f"base-{draft_id}"
if current is not None and st.session_state.get(base_key) not in {v.id for v in detail.versions}:
    st.session_state[base_key] = current.id
base_id = st.session_state.get(base_key)
editing = next((v for v in detail.versions if v.id == base_id), current)
left, right = st.columns([5, 6], gap="large")

# ----- left: the source -----
with left:
    used_fields = {f for pairs in (current.sources if current else {}).values() for _, fields in pairs for f in fields}
    if detail.trial_registry_id:
        trial = get_trial_for_review(actor, detail.trial_registry_id, case_id=detail.case_id)
        st.markdown("#### Source record")
        st.caption("Fields marked ★ are cited by sentences of the draft.")
        for field, label, value in trial.fields:
            mark = "★ " if any(u.startswith(f"trial.{field}") for u in used_fields) else ""
            with st.expander(f"{mark}{label}", expanded=bool(mark) and field in ("brief_summary", "phases")):
                st.markdown(md_text(value) if value else "_not stated in the record_")
    case = get_case(actor, detail.case_id)
    st.markdown("#### Case facts")
    facts = case.facts
    st.markdown(
        f"{age_text(facts.age_years)} · {facts.sex} · {md_text(facts.diagnosis)}"
        f" · {md_text(facts.disease_status or '')}  \nPrior: {md_text(', '.join(facts.prior_therapies) or 'not given')}"
    )
    if detail.trial_registry_id:
        st.markdown("#### Criterion verdicts")
        verdicts = trial.verdicts
        if verdicts:
            st.dataframe(pd.DataFrame(verdicts), hide_index=True, width="stretch", height=260)

# ----- right: the draft -----
with right:
    if current is None:
        st.info("This draft has no text yet.")
        st.stop()
    st.markdown(f"#### Draft · version {editing.number} by {md_text(editing.author)}")
    if editing.id != current.id and not st.session_state.get(f"conflict-{draft_id}"):
        st.info(f"A newer version {current.number} by {md_text(current.author)} exists.")
        if st.button("Load the newer version", key="load-newer"):
            st.session_state[base_key] = current.id
            st.rerun()
    edited: dict[str, str] = {}
    for key, text in editing.sections.items():
        # Keyed by the base version: what the reviewer types survives reruns and failed saves.
        edited[key] = st.text_area(
            key.replace("_", " ").capitalize(), value=text, key=f"edit-{draft_id}-{base_id}-{key}", height=140,
            disabled=not mine,
        )
        sources = [fields for s, fields in (editing.sources or {}).get(key, [])]
        if sources:
            st.caption("Sources: " + md_text(", ".join(sorted({f for fs in sources for f in fs}))))
    changed = edited != editing.sections

    st.markdown("#### Checks")
    for c in current.checks:
        icon = ":material/check:" if c["passed"] else (":material/error:" if c["blocking"] else ":material/warning:")
        st.markdown(f"{icon} **{c['name']}**{' (blocking)' if c['blocking'] else ''}: {md_text(c['message'])}")
        for finding in c.get("findings", [])[:8] if not c["passed"] else []:
            st.caption(f"· in {md_text(finding.get('section'))}: “{md_text(str(finding.get('sentence', ''))[:160])}” — {md_text(finding.get('why', ''))}")

    conflict = st.session_state.get(f"conflict-{draft_id}")
    if conflict:
        # Kept in the session until dismissed: the editor above now holds their version, yours is here.
        st.error(
            f"{conflict['message']} Your text is below on the left, theirs on the right; "
            "your text stays in the editor above until you load their version."
        )
        a, b = st.columns(2)
        a.markdown("**Your text (not saved)**")
        b.markdown(f"**Their version {conflict['number']} by {md_text(conflict['author'])}**")
        differing = [k for k in conflict["theirs"] if conflict["theirs"][k] != conflict["yours"].get(k, "")]
        for key in differing or list(conflict["theirs"]):
            a.text_area(f"yours: {key}", value=conflict["yours"].get(key, ""), key=f"c-y-{key}", disabled=True)
            b.text_area(f"theirs: {key}", value=conflict["theirs"][key], key=f"c-t-{key}", disabled=True)
        if st.button("Load their version (your text stays on the left until you leave)", key="conflict-load"):
            st.session_state[base_key] = current.id
            st.rerun()

    c1, c2, c3 = st.columns(3)
    if c1.button("Save", disabled=not reviewable, key="save", type="secondary"):
        try:
            saved = save_draft(actor, draft_id, edited, base_version_id=base_id)
            st.session_state[base_key] = saved.id
            st.session_state.pop(f"conflict-{draft_id}", None)
            st.toast("Saved as a new version")
            st.rerun()
        except ConflictError as exc:
            theirs = exc.current
            st.session_state[f"conflict-{draft_id}"] = {
                "message": str(exc), "yours": edited, "theirs": theirs.sections if theirs else {},
                "number": theirs.number if theirs else "?", "author": theirs.author if theirs else "?",
            }
            st.rerun()
        except Exception as exc:
            show_error(exc)
    blocking = [c["name"] for c in current.checks if c["blocking"] and not c["passed"]]
    override: CheckOverride | None = None
    if blocking and mine:
        st.markdown(f"**Blocking checks fail: {', '.join(blocking)}.** Fix the text, or override them:")
        o1, o2 = st.columns([2, 3])
        category = o1.selectbox("Why they do not apply", list(OVERRIDE_CATEGORIES), key=f"override-cat-{draft_id}",
                                format_func=OVERRIDE_CATEGORIES.get)
        sentence = o2.text_input("Say why in a sentence (it is shown again at release)", key=f"override-{draft_id}")
        if sentence.strip():
            try:
                override = CheckOverride(category=category, reason=sentence)
            except ValidationError as exc:
                st.caption(f":material/error: {exc.errors()[0]['msg']}")
    if c2.button(f"Approve version {editing.number}", disabled=not reviewable, key="approve", type="primary"):
        if changed:
            st.warning("You have unsaved edits: save them first, then approve the saved version.")
        elif run_action(lambda: approve_draft(actor, draft_id, version=editing.number, override=override), success="Approved") is not None:
            st.rerun()
    if c3.button("Release claim", disabled=not mine, key="release-claim"):
        if run_action(lambda: release_claim(actor, draft_id)) is not None:
            st.session_state.pop("draft_id", None)
            st.switch_page("pages/queue.py")
    with st.expander("Request changes or reject"):
        feedback = st.text_area("What should change (goes to the next drafting run)", key=f"fb-{draft_id}")
        if st.button("Request changes", disabled=not reviewable, key="req-changes"):
            job = run_action(lambda: request_changes(actor, draft_id, feedback))
            if job is not None and job.finished:
                st.toast("Sent back and redrafted: the new version waits for review")
                st.rerun()
            elif job is not None:
                st.session_state["retry-job"] = job.id
                st.rerun()
        reason = st.text_input("Reason to reject", key=f"rej-{draft_id}")
        if st.button("Reject", disabled=not reviewable, key="reject"):
            if run_action(lambda: reject_draft(actor, draft_id, reason), success="Rejected") is not None:
                st.rerun()

st.divider()
t1, t2, t3, t4 = st.tabs(["Diff against first draft", "Diff against previous version", "Version history", "Comments"])
with t1:
    if detail.first and current:
        diffs = diff_sections(detail.first.sections, edited)
        st.code("\n\n".join(diffs.values()) or "No changes from the first draft.", language="diff")
with t2:
    previous = next((v for v in detail.versions if v.id != base_id and v.number == current.number - 1), None)
    if previous:
        diffs = diff_sections(previous.sections, current.sections)
        st.code("\n\n".join(diffs.values()) or "No changes.", language="diff")
    else:
        st.caption("This is the first version.")
with t3:
    st.dataframe(
        pd.DataFrame([{"version": v.number, "author": v.author, "kind": v.author_kind, "at": v.created_at.strftime("%Y-%m-%d %H:%M"), "note": v.note} for v in detail.versions]),
        hide_index=True, width="stretch",
    )
    older = [v for v in detail.versions if v.id != base_id]
    if older and reviewable and mine:
        pick = st.selectbox("Restore version", [v.id for v in older], key="restore-pick", format_func=lambda i: f"version {next(v.number for v in older if v.id == i)}")
        if st.button("Restore as a new version", key="restore"):
            if run_action(lambda: restore_version(actor, draft_id, pick, base_version_id=base_id), success="Restored") is not None:
                st.rerun()
with t4:
    for c in list_comments(actor, draft_id):
        indent = "↳ " if c.parent_id else ""
        st.markdown(f"{indent}**{md_text(c.author)}** · {c.created_at:%Y-%m-%d %H:%M}  \n{md_text(c.body)}")
    with st.form(f"comment-{draft_id}", clear_on_submit=True):
        body = st.text_area("Add a comment", key=f"cm-{draft_id}")
        comments = list_comments(actor, draft_id)
        parent = st.selectbox("Reply to", [None] + [c.id for c in comments], key=f"cm-p-{draft_id}", format_func=lambda i: "(new thread)" if i is None else f"comment {i}")
        if st.form_submit_button("Post"):
            run_action(lambda: add_comment(actor, draft_id, body, parent_id=parent), success="Comment added")
