"""The list of pages and the action that grants each: the router builds navigation from it, tests check it."""

from __future__ import annotations

# (file, title, icon, action). A user sees a page only when one of their roles allows its action.
PAGES: list[tuple[str, str, str, str]] = [
    ("pages/cases.py", "Cases", ":material/folder_shared:", "case.view"),
    ("pages/matching.py", "Matching", ":material/manage_search:", "match.view"),
    ("pages/queue.py", "Review queue", ":material/inbox:", "draft.view"),
    ("pages/review.py", "Review draft", ":material/rate_review:", "review.work"),
    ("pages/reports.py", "Reports", ":material/description:", "report.view"),
    ("pages/trial_catalogue.py", "Catalogue", ":material/science:", "catalogue.view"),
    ("pages/insights.py", "Insights", ":material/insights:", "insights.view"),
    ("pages/import_trials.py", "Import trials", ":material/upload_file:", "catalogue.import"),
    ("pages/prompts.py", "Prompts", ":material/edit_note:", "prompt.view"),
    ("pages/compare.py", "Compare prompts", ":material/compare:", "comparison.list"),
    ("pages/settings.py", "Model settings", ":material/tune:", "settings.edit"),
    ("pages/users.py", "Users", ":material/group:", "user.manage"),
    ("pages/audit.py", "Audit log", ":material/history:", "audit.view"),
]

# Addresses that differ from the file's name. The catalogue page is not pages/catalogue.py: that module name
# would shadow spaCy's dependency `catalogue` (presidio imports spaCy) whenever the pages folder is on sys.path.
URL_PATHS: dict[str, str] = {"pages/trial_catalogue.py": "catalogue"}


def url_path(path: str) -> str:
    """The address of a page file ("/catalogue" for pages/trial_catalogue.py)."""
    return URL_PATHS.get(path, path.rsplit("/", 1)[-1].removesuffix(".py"))
