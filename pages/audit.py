"""Audit log: every change, login and release, filtered and exported (admins)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, time

import pandas as pd
import streamlit as st

from core.audit import AuditFilter, export_events_csv, list_events
from pages.ui_common import require_page

actor = require_page("audit.view")
st.title("Audit log")

c1, c2, c3, c4 = st.columns(4)
who = c1.text_input("Actor", key="au-actor")
action = c2.text_input("Action starts with", key="au-action", placeholder="login, draft., case.")
entity_type = c3.selectbox("Entity", ["", "case", "draft", "match", "verdict", "user", "prompt", "setting", "catalogue"], key="au-type")
entity_id = c4.text_input("Entity id", key="au-id")
d1, d2, d3 = st.columns([1, 1, 1])
since = d1.date_input("From", value=None, key="au-since")
until = d2.date_input("To", value=None, key="au-until")
limit = d3.number_input("Show at most", min_value=10, max_value=10_000, value=500, step=100, key="au-limit")
flt = AuditFilter(
    actor=who or None, action=action or None, entity_type=entity_type or None, entity_id=entity_id or None,
    since=datetime.combine(since, time.min, UTC) if since else None,
    until=datetime.combine(until, time.max, UTC) if until else None,
    limit=int(limit),
)
events = list_events(actor, flt)
st.caption(f"{len(events)} event(s), newest first")
st.dataframe(
    pd.DataFrame(
        [
            {
                "at": e.at.strftime("%Y-%m-%d %H:%M:%S"), "actor": e.actor, "action": e.action,
                "entity": f"{e.entity_type} {e.entity_id or ''}".strip(),
                "before": json.dumps(e.before, ensure_ascii=False)[:300] if e.before else "",
                "after": json.dumps(e.after, ensure_ascii=False)[:300] if e.after else "",
                "reason": e.reason or "",
            }
            for e in events
        ]
    ),
    hide_index=True, width="stretch", height=520,
)
st.download_button("Export CSV", data=lambda: export_events_csv(actor, flt), file_name="audit.csv", mime="text/csv", key="au-csv")
