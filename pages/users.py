"""Users: accounts and roles (admins)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core.auth import create_user, list_users, reset_password, set_user_roles, unlock_user
from core.permissions import ROLES
from pages.ui_common import require_page, run_action

actor = require_page("user.manage")
st.title("Users")

users = list_users(actor)
st.dataframe(
    pd.DataFrame([{**u.model_dump(exclude={"id"}), "roles": ", ".join(u.roles)} for u in users]),
    hide_index=True, width="stretch",
)

st.subheader("New account")
with st.form("new-user"):
    c1, c2 = st.columns(2)
    username = c1.text_input("Username", key="nu-username")
    name = c2.text_input("Display name", key="nu-name")
    email = c1.text_input("E-mail (for single sign-on)", key="nu-email")
    roles = c2.multiselect("Roles", list(ROLES), key="nu-roles")
    password = st.text_input("Password (at least 10 characters, letters and digits; empty = single sign-on only)",
                             type="password", key="nu-password")
    if st.form_submit_button("Create account", type="primary"):
        created = run_action(lambda: create_user(actor, username, name, roles, password or None, email=email or None))
        if created:
            st.success(f"Created {username}.")

st.subheader("Change an account")
names = [u.username for u in users]
who = st.selectbox("Account", names, key="eu-who")
current = next((u for u in users if u.username == who), None)
if current:
    if current.locked:
        st.warning(f"{current.username} is locked after too many failed logins.")
        if st.button("Unlock", key=f"eu-unlock-{who}", type="primary") and run_action(
            lambda: unlock_user(actor, who), success=f"{who} is unlocked"
        ):
            st.rerun()
    with st.form("edit-user"):
        new_roles = st.multiselect("Roles", list(ROLES), default=current.roles, key=f"eu-roles-{who}")
        active = st.checkbox("Active", value=current.is_active, key=f"eu-active-{who}")
        st.caption("Deactivating an account ends its open sessions at once.")
        if st.form_submit_button("Save roles") and run_action(
            lambda: set_user_roles(actor, who, new_roles, active=active), success="Saved"
        ):
            st.rerun()
    with st.form("reset-password"):
        new_password = st.text_input("New password", type="password", key=f"eu-pw-{who}")
        if st.form_submit_button("Reset password"):
            run_action(lambda: reset_password(actor, who, new_password), success="Password reset; the account is unlocked")
