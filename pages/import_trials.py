"""Import trials: upload files or name a server path; the import runs as a job with progress (admins)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core.catalogue.importer import save_upload
from core.jobs.store import get_job, list_jobs
from core.workflow.catalogue_jobs import start_import
from pages.ui_common import job_progress, require_page, run_action

actor = require_page("catalogue.import")
st.title("Import trials")
st.caption(
    "ClinicalTrials.gov API v2 JSON (one study, a /studies page, a folder or a zip of study files), legacy XML "
    "(<clinical_study>), the CSV the registry's search page exports, TrialGPT JSONL and plain {_id, text} JSONL. "
    "The format is detected from the content. Unchanged records are skipped; a bad record is reported and never "
    "stops the batch."
)

uploads = st.file_uploader("Files", accept_multiple_files=True, type=["json", "xml", "csv", "jsonl", "zip"], key="imp-files")
server_path = st.text_input("Or a path on the server (file or folder)", key="imp-path")
if st.button("Import", type="primary", disabled=not uploads and not server_path.strip(), key="imp-go"):
    paths = [save_upload(actor, f.name, f.getvalue()) for f in uploads or []]
    if server_path.strip():
        paths.append(server_path.strip())
    started = run_action(lambda: start_import(actor, paths))
    if started is not None:
        st.session_state["imp-job"] = started.id

job_id = st.session_state.get("imp-job")
if job_id:
    job_progress(job_id, key="imp-job")
    job = get_job(job_id)
    if job.finished and job.result:
        r = job.result
        c1, c2, c3, c4, c5 = st.columns(5)
        c1.metric("New", r.get("new", 0))
        c2.metric("Updated", r.get("updated", 0))
        c3.metric("Unchanged", r.get("unchanged", 0))
        c4.metric("Rejected", len(r.get("rejected", [])))
        c5.metric("With warnings", r.get("records_with_warnings", 0))
        if r.get("rejected"):
            st.markdown("**Rejected** (not imported)")
            st.dataframe(pd.DataFrame(r["rejected"])[["file", "position", "registry_id", "field", "reason"]],
                         hide_index=True, width="stretch")
        if r.get("warnings"):
            shown = "" if len(r["warnings"]) < 1_000 else " (the first 1,000 warnings are listed)"
            st.warning("Some records were imported but need a look: no title, no eligibility criteria, or XML "
                       f"entities whose text is missing{shown}.")
            st.dataframe(pd.DataFrame(r["warnings"])[["file", "position", "registry_id", "field", "message"]],
                         hide_index=True, width="stretch")

st.subheader("Recent imports")
jobs = list_jobs(actor, kind="import", limit=20)
if jobs:
    st.dataframe(
        pd.DataFrame([{"job": j.id, "status": j.status, "progress": f"{j.progress_done}/{j.progress_total or '?'}",
                       "message": j.message, "error": j.error or ""} for j in jobs]),
        hide_index=True, width="stretch",
    )
