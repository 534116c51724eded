"""Seeding: shipped prompts become version 1; a production version this code can no longer render is replaced
by the shipped file, while an admin's compatible choice is left alone."""

from __future__ import annotations

from sqlalchemy import update

from core.db import session_scope
from core.models import PromptVersion
from core.prompting.store import (
    PROMPTS_DIR,
    create_prompt_version,
    get_labelled_version,
    seed_prompts,
    set_label,
)

OLD_SINGLE_CRITERION = (PROMPTS_DIR / "criterion_assessment.md").read_text(encoding="utf-8").replace(
    "  - criteria\n", "  - criterion\n"
).replace("{% for criterion in criteria %}", "{% if criterion %}").replace("{% endfor %}\n\nCASE FACTS", "{% endif %}\n\nCASE FACTS")


def test_seeding_twice_adds_nothing(team):
    assert set(seed_prompts()) == {"trial_summary", "case_overview", "criterion_assessment"}
    assert seed_prompts() == []
    assert get_labelled_version("criterion_assessment").version == 1


def test_an_incompatible_production_version_is_replaced_by_the_shipped_file(team):
    seed_prompts()
    # An older release shipped a single-criterion template; its row cannot be created through validation today.
    with session_scope() as s:
        s.execute(update(PromptVersion).where(PromptVersion.name == "criterion_assessment").values(template_text=OLD_SINGLE_CRITERION))
    assert seed_prompts() == ["criterion_assessment"]
    production = get_labelled_version("criterion_assessment")
    assert production.version == 2 and "{% for criterion in criteria %}" in production.template_text
    assert production.author == "system"


def test_an_admins_compatible_production_version_is_kept(team):
    seed_prompts()
    text = (PROMPTS_DIR / "criterion_assessment.md").read_text(encoding="utf-8") + "\nBe brief.\n"
    v = create_prompt_version(team.admin, "criterion_assessment", text, note="shorter")
    set_label(team.admin, "criterion_assessment", "production", v.version)
    assert seed_prompts() == []
    assert get_labelled_version("criterion_assessment").version == v.version
