"""Compare prompts: run two prompt versions (or models) over real cases, judge the pairs blind, read the results."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core.drafting.schema import SECTION_TITLES
from core.prompt_lab.comparisons import (
    COMPARABLE_PROMPTS,
    ComparisonRequest,
    ItemRef,
    SideAggregate,
    SideSpec,
    get_comparison,
    list_comparison_candidates,
    list_comparisons,
)
from core.prompt_lab.export import export_comparison
from core.prompt_lab.judging import judge_pair, list_blind_pairs
from core.prompting.store import list_prompt_versions
from core.workflow.comparisons import start_comparison
from pages.ui_common import job_progress, md_text, require_page, run_action

actor = require_page("comparison.list")
st.title("Compare prompts")
st.caption("Nothing written in a comparison becomes a draft, reaches the review queue or a family.")

CHOICES = {"A": "A is better", "B": "B is better", "equal": "Equally good"}


def show_sections(sections: dict[str, str]) -> None:
    for key, text in sections.items():
        st.markdown(f"**{SECTION_TITLES.get(key, key)}**  \n{md_text(text)}")


def _or_dash(value: object, fmt: str = "{}") -> str:
    return "–" if value is None else fmt.format(value)


def aggregate_column(a: SideAggregate) -> dict[str, str]:
    """One side's aggregate figures, in words a reader takes in at a glance."""
    return {
        "Written / failed": f"{a.done} / {a.failed}",
        "Checks passed": _or_dash(a.checks_pass_rate, "{:.0%}"),
        "Reading grade (mean)": _or_dash(a.mean_reading_grade, "{:.1f}"),
        "Grounding flags": str(a.grounding_flags),
        "Words (mean)": _or_dash(a.mean_words, "{:.0f}"),
        "Tokens in / out": f"{a.input_tokens} / {a.output_tokens}",
        "Cost": f"${a.cost:.4f}",
        "Latency (mean)": _or_dash(a.mean_latency_s, "{:.2f} s"),
        "Distance to approved text (mean)": f"{a.mean_edit_ratio:.0%} over {a.with_reference} item(s)"
        if a.mean_edit_ratio is not None else "no item has an approved text yet",
        "Preferred by judges": str(a.preferred),
    }


def new_comparison() -> None:
    name = st.selectbox("Prompt", COMPARABLE_PROMPTS, key="cmp-prompt")
    listed = list_prompt_versions(actor, name)  # newest first, read on every run: a version saved elsewhere shows up
    versions = [v.version for v in listed]
    if not versions:
        st.info("This prompt has no version yet: the app seeds them on first start, or save one on the Prompts page.")
        return
    production = next((v.version for v in listed if "production" in v.labels), versions[-1])
    c1, c2 = st.columns(2)
    # Keyed per prompt, so a choice made for one prompt never carries over to another one's versions;
    # by default the production version against the newest one.
    left_v = c1.selectbox("Side 1: version", versions, index=versions.index(production), key=f"cmp-left-v-{name}")
    left_m = c1.text_input("Side 1: model (empty = configured model)", key="cmp-left-m")
    right_v = c2.selectbox("Side 2: version", versions, index=0, key=f"cmp-right-v-{name}")
    right_m = c2.text_input("Side 2: model (empty = configured model)", key="cmp-right-m")
    same = (left_v, left_m.strip()) == (right_v, right_m.strip())
    if same:
        st.warning(
            "The two sides are the same: pick another version or model for one of them."
            + (" This prompt has one version so far: save another on the Prompts page, or compare two models." if len(versions) == 1 else "")
        )
    candidates = list_comparison_candidates(actor, name)
    if not candidates:
        st.info("No cases to compare on yet: select and draft trials for a case first.")
        return
    labels = {i: c.label + ("  (has an approved text)" if c.has_reference else "") for i, c in enumerate(candidates)}
    default = [i for i, c in enumerate(candidates) if c.has_reference][:10] or list(labels)[:5]
    picked = st.multiselect("Cases and trials", list(labels), default=default, format_func=labels.get, key=f"cmp-items-{name}")
    title = st.text_input("Name (optional)", key="cmp-name")
    if st.button("Run the comparison", type="primary", key="cmp-start", disabled=same):
        request = ComparisonRequest(
            prompt_name=name, name=title, left=SideSpec(version=left_v, model=left_m), right=SideSpec(version=right_v, model=right_m),
            items=[ItemRef(case_id=candidates[i].case_id, trial_id=candidates[i].trial_id) for i in picked],
        )
        started = run_action(lambda: start_comparison(actor, request))
        if started is not None:
            st.session_state["cmp-id"], st.session_state["cmp-job"] = started.comparison_id, started.job_id
    if st.session_state.get("cmp-job"):
        job_progress(st.session_state["cmp-job"], key="cmp-job")


def judge(comparison_id: int) -> None:
    st.caption("The two outputs are shown as A and B in an order fixed per item; nothing says which prompt or model wrote them.")
    pairs = list_blind_pairs(actor, comparison_id)
    judged = sum(1 for p in pairs if p.my_choice)
    st.progress(judged / len(pairs) if pairs else 0.0, text=f"You judged {judged} of {len(pairs)} pairs")
    for p in pairs:
        with st.container(border=True):
            st.markdown(f"**Pair {p.position + 1}**" + (f" · your choice: {CHOICES[p.my_choice]}" if p.my_choice else ""))
            if not p.ready:
                st.info("Not written yet (or one side failed).")
                continue
            a, b = st.columns(2)
            with a:
                st.subheader("A")
                show_sections(p.a)
            with b:
                st.subheader("B")
                show_sections(p.b)
            options = list(CHOICES)
            choice = st.radio("Which is better?", options, format_func=CHOICES.get, horizontal=True, key=f"cmp-choice-{p.item_id}",
                              index=options.index(p.my_choice) if p.my_choice else None)
            if st.button("Save judgement", key=f"cmp-judge-{p.item_id}", disabled=choice is None) and run_action(
                lambda item=p.item_id, c=choice: judge_pair(actor, item, c), success="Judgement saved"
            ):
                st.rerun()


def results(comparison_id: int) -> None:
    result = get_comparison(actor, comparison_id)
    if result.job_status in ("queued", "running") and result.job_id:
        job_progress(result.job_id, key=f"cmp-res-job-{comparison_id}")
    if result.note:
        st.info(result.note)
    t1, t2, t3 = st.columns(3)
    t1.metric(f"Preferred {md_text(result.labels['left'])}", result.tally["left"])
    t2.metric(f"Preferred {md_text(result.labels['right'])}", result.tally["right"])
    t3.metric("Judged equal", result.tally["equal"])
    st.dataframe(pd.DataFrame({a.label: aggregate_column(a) for a in result.aggregates}), width="stretch")
    e1, e2 = st.columns(2)
    e1.download_button("Export CSV", export_comparison(actor, comparison_id), f"comparison-{comparison_id}.csv", "text/csv", key="cmp-csv")
    e2.download_button("Export Excel", export_comparison(actor, comparison_id, "xlsx"), f"comparison-{comparison_id}.xlsx",
                       "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key="cmp-xlsx")
    for item in result.items:
        votes = ", ".join(f"{result.labels.get(k, k)}: {n}" for k, n in item.preferences.items() if n) or "not judged"
        with st.expander(f"{item.position + 1}. {md_text(item.label)} · {md_text(votes)}"):
            cols = st.columns(2)
            for col, out in zip(cols, (item.left, item.right), strict=True):
                with col:
                    st.subheader(md_text(result.labels[out.side]))
                    if out.status != "done":
                        (st.error if out.status == "failed" else st.info)(md_text(out.error or out.status))
                        continue
                    m = out.metrics
                    st.caption(
                        f"checks {m['checks_passed']}/{m['checks_total']} · grade {m['reading_grade']} · "
                        f"grounding flags {m['grounding_flags']} · {m['words']} words · tokens {m['input_tokens']}/{m['output_tokens']} · "
                        f"${m['cost']:.4f} · {m['latency_s']:.2f} s"
                        + (f" · distance to approved {out.edit_ratio:.0%} ({out.edit_words} words)" if out.edit_ratio is not None else "")
                    )
                    if m["failed_checks"]:
                        st.caption("Failed: " + md_text(", ".join(m["failed_checks"])))
                    show_sections(out.sections)
            if item.reference:
                st.markdown("**Approved text from review (the reference)**")
                show_sections(item.reference)


tab_names = [n for n, action in (("New comparison", "comparison.run"), ("Judge blind", "comparison.judge"), ("Results", "comparison.view"))
             if actor.can(action)]
tabs = dict(zip(tab_names, st.tabs(tab_names), strict=True))
if "New comparison" in tabs:
    with tabs["New comparison"]:
        new_comparison()
comparisons = list_comparisons(actor)
for tab in ("Judge blind", "Results"):
    if tab not in tabs:
        continue
    with tabs[tab]:
        if not comparisons:
            st.info("No comparisons yet.")
            continue
        ids = [c.id for c in comparisons]
        names = {c.id: f"#{c.id} {c.name} ({c.items} items, {c.created_at:%Y-%m-%d %H:%M})" for c in comparisons}
        default = ids.index(st.session_state["cmp-id"]) if st.session_state.get("cmp-id") in ids else 0
        chosen = st.selectbox("Comparison", ids, index=default, format_func=names.get, key=f"cmp-pick-{tab}")
        (judge if tab == "Judge blind" else results)(chosen)
