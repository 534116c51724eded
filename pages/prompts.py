"""Prompts: immutable versions, production/staging labels, diffs, and a playground on real cases (admins)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core.cases import list_cases
from core.drafting.schema import SECTION_TITLES
from core.matching.service import list_matches
from core.prompt_lab.playground import diff_prompt_versions, render_playground, run_playground
from core.prompting.store import create_prompt_version, list_prompt_versions, set_label
from pages.ui_common import case_label, flash, md_text, require_page, run_action, show_flash

actor = require_page("prompt.view")
st.title("Prompts")
show_flash()

versions = list_prompt_versions(actor)
names = sorted({v.name for v in versions})
if not names:
    st.info("No prompts yet.")
    st.stop()
name = st.selectbox("Prompt", names, key="p-name")
mine = [v for v in versions if v.name == name]
st.dataframe(
    pd.DataFrame([{"version": v.version, "labels": ", ".join(v.labels), "author": v.author, "note": v.note,
                   "hash": v.content_hash[:12], "created": v.created_at.strftime("%Y-%m-%d %H:%M")} for v in mine]),
    hide_index=True, width="stretch",
)
numbers = [v.version for v in mine]
if st.session_state.get("p-show-version") in numbers:  # a version saved in the last run: show it
    st.session_state[f"p-ver-{name}"] = st.session_state.pop("p-show-version")
pick = st.selectbox("Version", numbers, key=f"p-ver-{name}")
chosen = next(v for v in mine if v.version == pick)

tab_edit, tab_labels, tab_diff, tab_play = st.tabs(["Edit as a new version", "Labels", "Diff", "Playground"])
with tab_edit, st.form(f"p-edit-{name}"):
    text = st.text_area("Template (front matter, then <!-- system --> and <!-- user --> parts)", value=chosen.template_text,
                        height=420, key=f"p-text-{name}-{pick}")
    note = st.text_input("What changed and why", key=f"p-note-{name}")
    if st.form_submit_button("Save as a new version", type="primary"):
        created = run_action(lambda: create_prompt_version(actor, name, text, note=note))
        if created:
            flash(f"Saved version {created.version}. It has no label yet: promote it when ready.")
            st.session_state["p-show-version"] = created.version
            st.rerun()  # the version list above was drawn before the save
with tab_labels:
    st.caption("Drafting uses the production label. Promotion and rollback move a label; versions never change.")
    c1, c2 = st.columns(2)
    label = c1.selectbox("Label", ["staging", "production"], key=f"p-label-{name}")
    confirm = c2.checkbox(f"Point {label} at version {pick}", key=f"p-confirm-{name}")

    def _move_label() -> None:
        # A callback runs before the page is drawn again, so the confirmation can be unticked for the next move.
        if run_action(lambda: set_label(actor, name, label, pick)):
            flash(f"{label} now points at version {pick}.")
            st.session_state[f"p-confirm-{name}"] = False

    st.button("Move the label", disabled=not confirm, key=f"p-move-{name}", on_click=_move_label)
with tab_diff:
    other = st.selectbox("Compare with version", numbers, index=min(1, len(numbers) - 1), key=f"p-other-{name}")
    st.code(diff_prompt_versions(actor, name, other, pick), language="diff")
with tab_play:
    cases = list_cases(actor)
    if not cases:
        st.info("Create and match a case first.")
    else:
        case_id = st.selectbox("Case", [c.id for c in cases], key="p-case",
                               format_func=lambda i: case_label(cases, i))
        trials = [m for m in list_matches(actor, case_id, with_verdicts=False) if m.passed_filters][:30]
        trial_id = None
        if name != "case_overview":
            if not trials:
                st.info("Match this case first.")
                st.stop()
            trial_id = st.selectbox("Trial", [m.trial_id for m in trials], key="p-trial",
                                    format_func=lambda t: next(f"{m.registry_id}: {m.title[:80]}" for m in trials if m.trial_id == t))
        messages = run_action(lambda: render_playground(actor, name, pick, case_id, trial_id))
        if isinstance(messages, list):
            for m in messages:
                with st.expander(f"{m['role']} message (exactly as sent; de-identified)"):
                    st.code(m["content"], language=None)
        if actor.can("prompt.edit") and st.button("Run", type="primary", key="p-run"):
            placeholder = st.empty()
            shown: list[str] = []

            def show(piece: str) -> None:
                shown.append(piece)
                placeholder.code("".join(shown)[-6000:], language=None)

            result = run_action(lambda: run_playground(actor, name, pick, case_id, trial_id, on_text=show))
            if result and result is not True:
                if result.note:
                    st.info(result.note)
                k1, k2, k3, k4 = st.columns(4)
                k1.metric("Drafter", f"{result.drafter}")
                k2.metric("Tokens in / out", f"{result.input_tokens} / {result.output_tokens}")
                k3.metric("Cost", f"${result.cost:.4f}")
                k4.metric("Latency", f"{result.latency_s:.2f} s")
                for key, body in result.sections.items():
                    # A key the model made up is its output, as untrusted as the body.
                    st.markdown(f"**{SECTION_TITLES.get(key) or md_text(key)}**  \n{md_text(body)}")
                st.divider()
                for c in result.checks:
                    # Material icons, not emoji: a browser without an emoji font would show empty boxes.
                    icon = ":material/check_circle:" if c["passed"] else (":material/block:" if c["blocking"] else ":material/warning:")
                    st.markdown(f"{icon} **{c['name'].replace('_', ' ')}**: {md_text(c['message'])}")
                st.caption("Nothing from the playground is saved as a draft or reaches the review queue.")
