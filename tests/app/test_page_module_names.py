"""No page file shares its module name with an installed package: Streamlit may put pages/ on sys.path, and a
page named like a dependency (pages/catalogue.py vs spaCy's `catalogue`) would shadow it."""

from __future__ import annotations

import subprocess
import sys
from importlib.metadata import packages_distributions

from tests.support.paths import REPO_ROOT


def test_no_page_module_shadows_an_installed_package() -> None:
    installed = set(packages_distributions())
    clashes = sorted(p.stem for p in (REPO_ROOT / "pages").glob("*.py") if p.stem in installed)
    assert clashes == []


def test_the_recognisers_import_with_the_pages_folder_first_on_the_path() -> None:
    # As in a running app, the standard library is loaded before a page folder joins the path (pages/queue.py
    # would otherwise stand in for the standard `queue`); spaCy's stack is not, until presidio is first used.
    code = ("import queue, sys; sys.path.insert(0, 'pages'); import core.privacy.presidio_recognisers as p; "
            "print(p.analyzer() is not None)")
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stdout.strip() == "True", done.stderr[-2000:]
