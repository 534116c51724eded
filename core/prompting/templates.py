"""Prompt templates: parse prompt files (front matter, then a system and a user part), validate and render them
safely in a sandbox, and keep untrusted text from closing or faking the prompt's data delimiters."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import frontmatter
from jinja2 import StrictUndefined, TemplateSyntaxError, UndefinedError, meta
from jinja2.sandbox import SandboxedEnvironment
from pydantic import BaseModel, Field

SYSTEM_MARKER = "<!-- system -->"
USER_MARKER = "<!-- user -->"

# The variables each prompt is rendered with; an edited template may use no others and must use all.
EXPECTED_VARIABLES: dict[str, frozenset[str]] = {
    "trial_summary": frozenset({"trial", "case", "verdicts", "sites", "sections"}),
    "case_overview": frozenset({"options", "case", "sections"}),
    "criterion_assessment": frozenset({"trial", "criteria", "case", "case_sentences"}),
}

# Prompts that carry registry text must keep it inside these delimiters.
UNTRUSTED_OPEN = "<untrusted_trial_record>"
UNTRUSTED_CLOSE = "</untrusted_trial_record>"


class PromptValidationError(ValueError):
    """A prompt file or template that cannot be used, with the offending variables named."""

    def __init__(self, message: str, *, unknown: Iterable[str] = (), missing: Iterable[str] = ()) -> None:
        super().__init__(message)
        self.unknown = sorted(unknown)
        self.missing = sorted(missing)


class PromptRenderError(ValueError):
    """Rendering failed, typically because a variable was not supplied."""


class PromptTemplate(BaseModel):
    """One prompt: model parameters, the system and user templates, and the variables they use."""

    name: str
    description: str = ""
    parameters: dict[str, Any] = Field(default_factory=dict)  # temperature, max_output_tokens, ...
    system_template: str
    user_template: str
    variables: list[str] = Field(default_factory=list)
    output_schema: str | None = None  # name of the pydantic model the reply must match
    text: str  # the whole file as stored in the database
    content_hash: str  # sha256 of text


def _environment() -> SandboxedEnvironment:
    # Sandboxed: admins edit these templates in the app; StrictUndefined: a typo must fail, not vanish.
    return SandboxedEnvironment(
        undefined=StrictUndefined,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )


def parse_prompt_text(text: str, name: str) -> PromptTemplate:
    """Parse a prompt file's text: YAML front matter, then a system part and a user part after their markers."""
    try:
        post = frontmatter.loads(text)
    except Exception as exc:  # the YAML parser raises several types; all mean a bad header
        raise PromptValidationError(f"prompt {name!r}: front matter is not valid YAML ({exc})") from exc
    body = post.content
    if body.count(SYSTEM_MARKER) != 1 or body.count(USER_MARKER) != 1:
        raise PromptValidationError(
            f"prompt {name!r}: needs exactly one {SYSTEM_MARKER} and one {USER_MARKER} line"
        )
    system_start = body.index(SYSTEM_MARKER) + len(SYSTEM_MARKER)
    user_at = body.index(USER_MARKER)
    if user_at < system_start:
        raise PromptValidationError(f"prompt {name!r}: the system part must come before the user part")
    variables = post.metadata.get("variables") or []
    parameters = post.metadata.get("parameters") or {}
    if not isinstance(variables, list) or not all(isinstance(v, str) for v in variables):
        raise PromptValidationError(f"prompt {name!r}: 'variables' must be a list of names")
    if not isinstance(parameters, dict):
        raise PromptValidationError(f"prompt {name!r}: 'parameters' must be a mapping")
    return PromptTemplate(
        name=str(post.metadata.get("name") or name),
        description=str(post.metadata.get("description") or ""),
        parameters=parameters,
        system_template=body[system_start:user_at].strip(),
        user_template=body[user_at + len(USER_MARKER) :].strip(),
        variables=variables,
        output_schema=post.metadata.get("output_schema"),
        text=text,
        content_hash=hashlib.sha256(text.encode("utf-8")).hexdigest(),
    )


def load_prompt_file(path: str | Path) -> PromptTemplate:
    """Load one prompt file; its name is the file name without the suffix."""
    path = Path(path)
    return parse_prompt_text(path.read_text(encoding="utf-8"), path.stem)


def prompt_files(directory: str | Path) -> list[Path]:
    """The prompt files of a directory: every *.md but its README."""
    return [p for p in sorted(Path(directory).glob("*.md")) if p.name.lower() != "readme.md"]


def load_prompt_dir(directory: str | Path) -> dict[str, PromptTemplate]:
    """Load every prompt file of a directory, keyed by name."""
    prompts = {}
    for path in prompt_files(directory):
        prompt = load_prompt_file(path)
        prompts[prompt.name] = prompt
    return prompts


def used_variables(template: PromptTemplate) -> set[str]:
    """Return the top-level variables the system and user templates refer to."""
    env = _environment()
    used: set[str] = set()
    for part, source in (("system", template.system_template), ("user", template.user_template)):
        try:
            used |= meta.find_undeclared_variables(env.parse(source))
        except TemplateSyntaxError as exc:
            raise PromptValidationError(
                f"prompt {template.name!r}, {part} part, line {exc.lineno}: {exc.message}"
            ) from exc
    return used


def validate_template(template: PromptTemplate, expected_variables: Iterable[str] | None = None) -> None:
    """Refuse a template that uses a variable it will not get or ignores one it must use, naming them.

    expected_variables defaults to what the code supplies for this prompt name (EXPECTED_VARIABLES), or
    else to the variables the front matter declares.
    """
    used = used_variables(template)
    declared = set(template.variables)
    if expected_variables is not None:
        allowed = set(expected_variables)
    else:
        allowed = set(EXPECTED_VARIABLES.get(template.name, declared))
    unknown = (used | declared) - allowed
    missing = allowed - used
    problems = []
    if unknown:
        problems.append("unknown variable(s): " + ", ".join(sorted(unknown)))
    if missing:
        problems.append("missing variable(s), never used: " + ", ".join(sorted(missing)))
    undeclared = used - declared
    if undeclared and not unknown:
        problems.append("used but not declared in the front matter: " + ", ".join(sorted(undeclared)))
    if template.name in EXPECTED_VARIABLES and not (
        UNTRUSTED_OPEN in template.user_template and UNTRUSTED_CLOSE in template.user_template
    ):
        problems.append(
            f"the user part must keep registry text between {UNTRUSTED_OPEN} and {UNTRUSTED_CLOSE}"
        )
    if problems:
        raise PromptValidationError(
            f"prompt {template.name!r}: " + "; ".join(problems), unknown=unknown | undeclared, missing=missing
        )


def render_messages(template: PromptTemplate, variables: dict[str, Any]) -> list[dict[str, str]]:
    """Render the template into chat messages [{"role": "system", ...}, {"role": "user", ...}]."""
    env = _environment()
    absent = [v for v in template.variables if v not in variables]
    if absent:
        raise PromptRenderError(f"prompt {template.name!r}: variable(s) not supplied: {', '.join(absent)}")
    try:
        system = env.from_string(template.system_template).render(**variables)
        user = env.from_string(template.user_template).render(**variables)
    except UndefinedError as exc:
        raise PromptRenderError(f"prompt {template.name!r}: {exc.message}") from exc
    return [{"role": "system", "content": system.strip()}, {"role": "user", "content": user.strip()}]


# --- variables: only de-identified facts, untrusted text neutralised -------------------------------

_DELIMITER_TAG = re.compile(r"<\s*/?\s*(?:untrusted[\w-]*|case_facts|end[\w-]*)\s*>", re.IGNORECASE)
def neutralise_untrusted(text: str | None, limit: int | None = None) -> str:
    """Remove anything that could close or fake the prompt's data delimiters, and cap the length."""
    cleaned = _DELIMITER_TAG.sub("[tag removed]", text or "")
    cleaned = "".join(c for c in cleaned if c == "\n" or c == "\t" or ord(c) >= 32)
    if limit is not None and len(cleaned) > limit:
        cleaned = cleaned[:limit].rstrip() + " [cut]"
    return cleaned.strip()

