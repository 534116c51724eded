"""Next Option Workbench: the router. Login, the user's roles, and the pages those roles may see."""

from __future__ import annotations

import time
from pathlib import Path

import streamlit as st

from core.auth import LOGIN_FAILED_MESSAGE, authenticate, authenticate_sso, logout, refresh_actor
from core.bootstrap import is_demo_data_loaded, prepare_database
from core.config import get_settings
from core.errors import AuthenticationFailed
from pages.registry import PAGES
from pages.ui_common import md_text

st.set_page_config(page_title="Next Option Workbench", page_icon=":material/clinical_notes:", layout="wide")


@st.cache_resource(show_spinner="Preparing the database…")
def _prepare(url: str) -> bool:
    prepare_database()
    return True


@st.cache_data(ttl=30, show_spinner=False)
def _demo_loaded(url: str) -> bool:
    return is_demo_data_loaded()


def _sso_configured() -> bool:
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file at all
        return False


def _login_page() -> None:
    st.title("Next Option Workbench")
    st.caption("Clinical trials, cell and gene therapies and expanded access, checked by experts for families.")
    with st.form("login"):
        username = st.text_input("Username", key="login-username")
        password = st.text_input("Password", type="password", key="login-password")
        submitted = st.form_submit_button("Log in", type="primary")
    if submitted:
        try:
            st.session_state["actor"] = authenticate(username, password)
            st.session_state["last_seen"] = time.time()
            st.rerun()
        except AuthenticationFailed:
            st.error(LOGIN_FAILED_MESSAGE)
    if _sso_configured():
        st.divider()
        if st.button("Log in with single sign-on"):
            st.login()
    if _demo_loaded(get_settings().resolved_database_url):
        st.info(
            "Demo accounts: **reviewer** / reviewer-demo · **analyst** / analyst-demo · **admin** / admin-demo"
        )


def _end_session() -> None:
    for key in list(st.session_state.keys()):
        del st.session_state[key]


def _check_session() -> None:
    """Log out after inactivity, and pick up role changes made by an admin."""
    actor = st.session_state.get("actor")
    if actor is None:
        if _sso_configured() and getattr(st.user, "is_logged_in", False):
            try:
                st.session_state["actor"] = authenticate_sso(st.user.email)
                st.session_state["last_seen"] = time.time()
            except AuthenticationFailed as exc:
                st.error(str(exc))
        return
    idle = time.time() - st.session_state.get("last_seen", time.time())
    if idle > get_settings().session_idle_minutes * 60:
        logout(actor, reason="inactivity timeout")
        _end_session()
        st.warning("You were logged out after a period of inactivity.")
        return
    st.session_state["last_seen"] = time.time()
    fresh = refresh_actor(actor)
    if fresh is None:
        _end_session()
    else:
        st.session_state["actor"] = fresh


_prepare(get_settings().resolved_database_url)
_check_session()
actor = st.session_state.get("actor")

if _demo_loaded(get_settings().resolved_database_url):
    st.warning("**Demo data is loaded.** The trials, cases and accounts marked DEMO are fictional.", icon=":material/info:")

if actor is None:
    nav = st.navigation([st.Page(_login_page, title="Log in", icon=":material/login:")], position="hidden")
else:
    # Pages not written yet are left out of the menu rather than breaking it.
    pages = [
        st.Page(path, title=title, icon=icon)
        for path, title, icon, action in PAGES
        if actor.can(action) and (Path(__file__).parent / path).exists()
    ]
    if not pages:
        pages = [st.Page(lambda: st.info("Your roles give access to no page yet."), title="Welcome")]
    nav = st.navigation(pages)
    with st.sidebar:
        st.caption(f"Logged in as **{md_text(actor.display_name or actor.username)}** ({', '.join(sorted(actor.roles))})")
        if st.button("Log out", key="logout"):
            logout(actor)
            _end_session()
            if _sso_configured() and getattr(st.user, "is_logged_in", False):
                st.logout()
            st.rerun()
nav.run()
