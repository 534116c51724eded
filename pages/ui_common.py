"""Small UI helpers shared by the pages: the current actor, page guards, error display, job progress."""

from __future__ import annotations

import re
import string
from collections.abc import Callable

import pandas as pd
import streamlit as st

from core.cases import check_case_location, update_case_facts
from core.domain.ages import age_with_unit
from core.errors import ValidationFailed, WorkbenchError
from core.jobs.store import cancel_job, get_job
from core.permissions import Actor

_MD_PUNCTUATION = re.compile("([" + re.escape(string.punctuation) + "])")
_WORD_JOINER = "\u2060"  # invisible, zero width, and no word or URL character
# After escaping: the ':' of '://', the '@' of an e-mail address, and 'www.'.
_AUTOLINK_PARTS = re.compile(r"\\:(?=\\/\\/)|\\@(?=\w)|www\\\.", re.I)


def current_actor() -> Actor | None:
    return st.session_state.get("actor")


def require_page(action: str) -> Actor:
    """Stop the page unless the logged-in user's roles allow `action` (the router hides it too)."""
    actor = current_actor()
    if actor is None:
        st.error("Please log in.")
        st.stop()
    if not actor.can(action):
        st.error("Your role does not give access to this page.")
        st.stop()
    return actor


def error_text(exc: Exception) -> str:
    """A plain message as Markdown; for invalid input, one line per field so the user sees what to fix."""
    if isinstance(exc, ValidationFailed):
        return "Please correct: " + "; ".join(f"**{md_text(f.replace('_', ' '))}**: {md_text(m)}" for f, m in exc.errors.items())
    if isinstance(exc, WorkbenchError):
        return md_text(str(exc))  # messages quote what was typed or imported
    return f"Something went wrong: {type(exc).__name__}. Nothing you typed was lost; try again."


def show_error(exc: Exception) -> None:
    st.error(error_text(exc))


def _kept_key(keep: str) -> str:
    return f"kept-error-{keep}"


def run_action(fn: Callable[[], object], *, success: str | None = None, keep: str | None = None) -> object | None:
    """Call a core function, showing its error instead of a traceback.

    With `keep` (a form's name), the error is kept until the form's next submission and shown by
    show_kept_error on every run: changing a select box elsewhere reruns the page and must not wipe it.
    Returns its result (True when it returns nothing), or None when it failed.
    """
    if keep:
        st.session_state.pop(_kept_key(keep), None)
    try:
        result = fn()
    except Exception as exc:  # every failure is shown, the page keeps the user's input
        if keep:
            st.session_state[_kept_key(keep)] = error_text(exc)
        else:
            show_error(exc)
        return None
    if success:
        st.toast(success)
    return True if result is None else result


def show_kept_error(keep: str) -> None:
    """Show the error the form `keep` left at its last submission, until it is submitted again."""
    message = st.session_state.get(_kept_key(keep))
    if message:
        st.error(message)


def flash(message: str) -> None:
    """Keep a success message for the next run, so a page can rerun to show its change and still say it worked."""
    st.session_state["flash-message"] = message


def show_flash() -> None:
    """Show (once) the message a previous run left with flash().

    The slot is there on every run, message or not: an element that comes and goes would shift what follows,
    and Streamlit would then draw the page's tabs anew, back on their first tab.
    """
    slot = st.empty()
    message = st.session_state.pop("flash-message", None)
    if message:
        slot.success(message)


def md_text(text: object) -> str:
    """Untrusted text (registry fields, case narrative, LLM output) made inert for anything that renders Markdown.

    Every ASCII punctuation character is backslash-escaped, which CommonMark always renders as itself, so no
    image, link, HTML tag, entity, emphasis, heading, list, table, maths ('$') or directive (':red[...]') can
    form. Bare URLs and e-mail addresses are linked after parsing, escapes or not, so an invisible word joiner
    follows the ':' of '://' and each '@', and splits 'www.'. Use it for st.markdown, st.caption, headers, alerts, toasts,
    expander, tab and widget labels, and st.table cells: all of them render Markdown.
    """
    escaped = _MD_PUNCTUATION.sub(r"\\\1", "" if text is None else str(text))
    return _AUTOLINK_PARTS.sub(_split_autolink, escaped)


def _split_autolink(m: re.Match[str]) -> str:
    part = m.group(0)
    return part[:3] + _WORD_JOINER + part[3:] if part.lower().startswith("www") else part + _WORD_JOINER


def md_highlight(text: object) -> str:
    """Untrusted text, inert, shown with a highlighted background (no HTML needed)."""
    return f":orange-background[{md_text(text)}]"


def inert_table(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of a table whose text cells are inert, for st.table (which renders Markdown in cells)."""
    return frame.map(lambda v: md_text(v) if isinstance(v, str) else v)


def age_text(years: float | None) -> str:
    """An age as people say it: '14 years', '1.5 years', '6 months' (never '14.00')."""
    if years is None:
        return "age not given"
    return age_with_unit(years)


def case_label(cases: list, case_id: int) -> str:  # noqa: ANN001
    """How a case is named in case pickers: its reference and diagnosis."""
    case = next(c for c in cases if c.id == case_id)
    return f"{case.reference}: {case.facts.diagnosis or 'no diagnosis given'}"


def job_progress(job_id: int, *, key: str, on_done: Callable[[], None] | None = None) -> None:
    """Show a job's progress bar, refreshing itself every second until the job ends."""
    @st.fragment(run_every=1.0)
    def _panel() -> None:
        job = get_job(job_id)
        what = job.message or ("Queued: waiting for a runner" if job.status == "queued" else job.kind)
        label = f"{what} ({job.progress_done}/{job.progress_total or '?'})"
        if job.finished:
            if job.status == "done":
                st.success(f"Finished: {md_text(job.message or job.kind)}")
            elif job.status == "cancelled":
                st.warning("Cancelled.")
            else:
                st.error(f"Failed: {md_text(job.error)}")
            if st.session_state.get(f"{key}-done") != job_id:
                st.session_state[f"{key}-done"] = job_id
                if on_done:
                    on_done()
                st.rerun()
            return
        if job.status == "paused":
            st.warning(md_text(job.message))  # e.g. the LLM endpoint is unreachable: nothing is lost, it resumes by itself
        st.progress(job.fraction, text=md_text(label))
        actor = current_actor()
        if actor is not None and actor.can("job.cancel") and st.button("Cancel", key=f"{key}-cancel-{job_id}"):
            run_action(lambda: cancel_job(actor, job_id), success="Cancelling…")

    _panel()


def show_location_check(facts, *, key: str, actor: Actor, case_id: int) -> None:  # noqa: ANN001
    """Say how the case's location was read; when it was not found, offer a field to correct it."""
    check = check_case_location(facts)
    if check is None:
        return
    if check.level == "warning":
        st.warning(":material/location_off: " + md_text(check.message))
    elif check.level == "note":
        st.info(":material/location_on: " + md_text(check.message))
    else:
        st.caption(":material/location_on: " + md_text(check.message))
    if check.level == "ok" or not actor.can("case.update"):
        return
    with st.form(f"loc-{key}-{case_id}"):
        c1, c2, c3 = st.columns([2, 1, 1])
        label = c1.text_input("Corrected place (city, region or country)", value=facts.location_label or "",
                              key=f"loc-label-{key}-{case_id}")
        lat = c2.number_input("or latitude", min_value=-90.0, max_value=90.0, value=None, format="%.4f",
                              key=f"loc-lat-{key}-{case_id}")
        lon = c3.number_input("and longitude", min_value=-180.0, max_value=180.0, value=None, format="%.4f",
                              key=f"loc-lon-{key}-{case_id}")
        if st.form_submit_button("Save location"):
            changes: dict[str, object] = {"location_label": label.strip() or None}
            if lat is not None or lon is not None:
                changes |= {"latitude": lat, "longitude": lon}
            if run_action(lambda: update_case_facts(actor, case_id, changes), success="Location saved"):
                st.rerun()
