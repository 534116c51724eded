"""Model settings and which checks block approval (admins); the API key stays in the environment."""

from __future__ import annotations

import streamlit as st

from core.checks_config import load_blocking, save_checks_config
from core.llm_config import load_llm_settings, save_llm_settings
from pages.ui_common import require_page, run_action

actor = require_page("settings.edit")
st.title("Model settings")

current = load_llm_settings()
st.caption(
    "With no endpoint, drafts are written by the offline drafter. The API key is read from the environment "
    f"(LLM_API_KEY) only: it is **{'set' if current.api_key else 'not set'}**."
)
with st.form("llm"):
    base_url = st.text_input("Base URL (OpenAI-compatible)", value=current.base_url or "", key="s-url")
    model = st.text_input("Model", value=current.model, key="s-model")
    c1, c2, c3 = st.columns(3)
    temperature = c1.number_input("Temperature", 0.0, 2.0, float(current.temperature), 0.1, key="s-temp")
    max_tokens = c2.number_input("Max output tokens", 64, 32_000, int(current.max_output_tokens), 64, key="s-tokens")
    timeout = c3.number_input("Timeout (s)", 1.0, 600.0, float(current.timeout_s), 1.0, key="s-timeout")
    concurrency = c1.number_input("Concurrency", 1, 32, int(current.concurrency), 1, key="s-conc")
    price_in = c2.number_input("Price per million input tokens", 0.0, 1000.0, float(current.price_input_per_million), key="s-pin")
    price_out = c3.number_input("Price per million output tokens", 0.0, 1000.0, float(current.price_output_per_million), key="s-pout")
    if st.form_submit_button("Save model settings", type="primary"):
        changes = {
            "base_url": base_url or None, "model": model, "temperature": temperature, "max_output_tokens": int(max_tokens),
            "timeout_s": timeout, "concurrency": int(concurrency), "price_input_per_million": price_in,
            "price_output_per_million": price_out,
        }
        run_action(lambda: save_llm_settings(actor, changes), success="Saved")

if st.button("Test the endpoint", key="s-test"):
    settings = load_llm_settings()
    if not settings.is_configured:
        st.info("No endpoint configured: the offline drafter is used.")
    else:
        from core.llm import LLMClient

        with st.spinner("Asking the endpoint for a tiny structured reply…"):
            check = LLMClient(settings).check_endpoint()
        (st.success if check.ok else st.error)(check.message)

st.subheader("Checks that block approval")
blocking = load_blocking()
with st.form("checks"):
    choice = {name: st.checkbox(name.replace("_", " "), value=value, key=f"s-chk-{name}") for name, value in blocking.items()}
    if st.form_submit_button("Save check settings"):
        run_action(lambda: save_checks_config(actor, choice), success="Saved")
