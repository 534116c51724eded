"""Insights: what reviewers had to change per prompt, model and drafter; reviewers; throughput and the queue."""

from __future__ import annotations

from datetime import date, timedelta

import altair as alt
import pandas as pd
import streamlit as st

from core.insights import (
    draft_metrics,
    export_insights,
    insights_version,
    reviewer_metrics,
    summarise_metrics,
    throughput,
)
from pages.ui_common import require_page

SUMMARY_COLUMNS = {
    "approval_rate": st.column_config.NumberColumn("approval rate", format="percent"),
    "mean_rounds": st.column_config.NumberColumn("mean rounds", format="%.1f"),
    "median_edit_ratio": st.column_config.NumberColumn("median share changed", format="percent"),
    "median_edit_words": st.column_config.NumberColumn("median words changed", format="%.0f"),
    "median_hours_to_approve": st.column_config.NumberColumn("median hours to approve", format="%.1f"),
    "checks_failing": st.column_config.TextColumn("checks failing on the first version"),
    "cost": st.column_config.NumberColumn(format="dollar"),
}
DRAFT_COLUMNS = {
    "edit_ratio": st.column_config.NumberColumn("share changed", format="percent"),
    "hours_waiting": st.column_config.NumberColumn(format="%.1f"),
    "hours_in_review": st.column_config.NumberColumn(format="%.1f"),
    "first_check_failures": st.column_config.TextColumn("checks failing on the first version"),
    "cost": st.column_config.NumberColumn(format="dollar"),
}


def _failing_checks(rates: dict[str, float]) -> str:
    """'readability 50%, grounding 25%': the share of first versions failing each check, highest first."""
    failing = sorted(((r, n) for n, r in rates.items() if r), reverse=True)
    return ", ".join(f"{n.replace('_', ' ')} {r:.0%}" for r, n in failing) or "none"


actor = require_page("insights.view")
st.title("Insights")

c1, c2, c3 = st.columns(3)
since = c1.date_input("From", value=date.today() - timedelta(days=90), key="in-since")
until = c2.date_input("To", value=date.today(), key="in-until")
group = c3.selectbox("Group by", ["prompt", "model", "drafter"], key="in-group")



@st.cache_data(max_entries=20, show_spinner="Computing the figures…")
def _metrics(since: date, until: date, version: tuple[int | None, int | None, int | None]) -> list:
    # Keyed by the data's version: computed once per real change, not on every rerun or twice per run.
    return draft_metrics(actor, since=since, until=until)


metrics = _metrics(since, until, insights_version(actor))
approved = [m for m in metrics if m.approved]
k1, k2, k3, k4, k5 = st.columns(5)
k1.metric("Drafts", len(metrics))
k2.metric("Approved", f"{len(approved) / len(metrics):.0%}" if metrics else "–")
ratios = sorted(m.edit_ratio for m in approved if m.edit_ratio is not None)
k3.metric("Median change by reviewers", f"{ratios[len(ratios) // 2]:.0%}" if ratios else "–",
          help="Edit distance between the first draft and the approved text, as a share of the text.")
hours = sorted(m.hours_in_review for m in approved if m.hours_in_review is not None)
k4.metric("Median time to approve", f"{hours[len(hours) // 2]:.1f} h" if hours else "–")
k5.metric("Drafting cost", f"${sum(m.cost for m in metrics):,.2f}")

summary = pd.DataFrame([g.model_dump() for g in summarise_metrics(metrics, group)])
if not summary.empty:
    st.subheader(f"By {group}")
    left, right = st.columns(2)
    bar = dict(color="#1a6e8e")
    left.altair_chart(
        alt.Chart(summary.fillna({"median_edit_ratio": 0})).mark_bar(**bar).encode(
            y=alt.Y("group:N", sort="-x", title=None, axis=alt.Axis(labelLimit=220)),
            x=alt.X("median_edit_ratio:Q", title="Median share of the text reviewers changed", axis=alt.Axis(format=".0%")),
            tooltip=["group", "drafts", alt.Tooltip("median_edit_ratio:Q", title="median share changed", format=".0%"),
                     alt.Tooltip("median_edit_words:Q", title="median words changed")],
        ).properties(title="How much reviewers changed", height=max(100, 32 * len(summary))),
        width="stretch",
    )
    right.altair_chart(
        alt.Chart(summary).mark_bar(**bar).encode(
            y=alt.Y("group:N", sort="-x", title=None, axis=alt.Axis(labelLimit=220)),
            x=alt.X("approval_rate:Q", title="Approval rate", axis=alt.Axis(format=".0%"), scale=alt.Scale(domain=[0, 1])),
            tooltip=["group", "drafts", "approved", alt.Tooltip("mean_rounds:Q", title="mean rounds", format=".1f")],
        ).properties(title="Approved drafts", height=max(100, 32 * len(summary))),
        width="stretch",
    )
    table = summary.drop(columns=["check_failure_rate"]).assign(checks_failing=summary["check_failure_rate"].map(_failing_checks))
    st.dataframe(table, hide_index=True, width="stretch", column_config=SUMMARY_COLUMNS)

st.subheader("Throughput")
view = throughput(actor, freq="week")
t1, t2, t3 = st.columns(3)
t1.metric("Waiting in the queue", view.queue_size)
t2.metric("Oldest waiting", f"{view.queue_oldest_hours:.1f} h" if view.queue_oldest_hours is not None else "–")
t3.metric("Median intake → release", f"{view.median_days_intake_to_release:.1f} days" if view.median_days_intake_to_release is not None else "–")
periods = pd.DataFrame(view.periods)
if not periods.empty:
    long = periods.melt("period", ["cases_in", "reports_released"], var_name="what", value_name="count")
    long["what"] = long["what"].map({"cases_in": "Cases in", "reports_released": "Reports released"})
    st.altair_chart(
        alt.Chart(long).mark_bar().encode(
            x=alt.X("period:N", title="Week"), xOffset="what:N", y=alt.Y("count:Q", title="Count", axis=alt.Axis(tickMinStep=1)),
            color=alt.Color("what:N", title=None, scale=alt.Scale(range=["#1a6e8e", "#e0a800"])), tooltip=["period", "what", "count"],
        ).properties(title="Cases in and reports released per week", height=260),
        width="stretch",
    )

st.subheader("Reviewers")
st.dataframe(pd.DataFrame([r.model_dump() for r in reviewer_metrics(actor, since=since, until=until)]), hide_index=True, width="stretch")

st.subheader("Every draft")
drafts = pd.DataFrame([m.model_dump() for m in metrics])
if not drafts.empty:
    drafts["first_check_failures"] = drafts["first_check_failures"].map(lambda names: ", ".join(n.replace("_", " ") for n in names))
st.dataframe(drafts, hide_index=True, width="stretch", height=300, column_config=DRAFT_COLUMNS)
d1, d2 = st.columns(2)
d1.download_button("Export CSV", data=lambda: export_insights(actor, "csv", since=since, until=until), file_name="insights.csv", mime="text/csv", key="in-csv")
d2.download_button("Export Excel", data=lambda: export_insights(actor, "xlsx", since=since, until=until), file_name="insights.xlsx",
                   mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key="in-xlsx")
