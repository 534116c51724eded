"""Start the workbench with `streamlit run serve.py`: st.App runs the router (app.py) and adds the two routes that
set and clear the session cookie, so a login survives reloads, new tabs and deep links."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import streamlit as st
from starlette.concurrency import run_in_threadpool
from streamlit.runtime.pages_manager import PagesManager

from core.bootstrap import prepare_database
from pages.browser_session import session_routes


@asynccontextmanager
async def _lifespan(_app: st.App) -> AsyncIterator[None]:
    # The cookie routes read the sessions table, so the database is migrated before the first request.
    await run_in_threadpool(prepare_database)
    yield


# pages/ holds the files the router hands to st.navigation, not old-style pages: without this, a deep link
# that is the process's first request would run pages/review.py on its own, skipping the router and its login.
PagesManager.uses_pages_directory = False

app = st.App("app.py", routes=session_routes(), lifespan=_lifespan)
