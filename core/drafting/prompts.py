"""Prompt templates: parse prompt files (front matter + system/user parts), validate and render them safely."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import frontmatter
from jinja2 import StrictUndefined, TemplateSyntaxError, UndefinedError, meta
from jinja2.sandbox import SandboxedEnvironment
from pydantic import BaseModel, Field

from core.catalogue.records import NormalizedTrial, ParsedCriterion, Site
from core.drafting.context import OptionSummary, format_distance_km, order_options
from core.drafting.schema import SECTION_TITLES, required_sections
from core.matching.case_facts import CaseFacts
from core.matching.verdicts import CriterionVerdict
from core.nlp.sentences import split_sentences

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

MAX_DESCRIPTION_CHARS = 4000
MAX_SITES_IN_PROMPT = 5


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
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
_PHONE = re.compile(r"(?<!\w)\+?\d[\d ()./-]{7,}\d(?!\w)")
_FULL_DATE = re.compile(
    r"\b(?:\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[/.]\d{1,2}[/.]\d{2,4}|\d{1,2} (?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]* \d{4})\b",
    re.IGNORECASE,
)


def neutralise_untrusted(text: str | None, limit: int | None = None) -> str:
    """Remove anything that could close or fake the prompt's data delimiters, and cap the length."""
    cleaned = _DELIMITER_TAG.sub("[tag removed]", text or "")
    cleaned = "".join(c for c in cleaned if c == "\n" or c == "\t" or ord(c) >= 32)
    if limit is not None and len(cleaned) > limit:
        cleaned = cleaned[:limit].rstrip() + " [cut]"
    return cleaned.strip()


def scrub_identifiers(text: str) -> str:
    """Remove e-mail addresses, phone numbers and full dates (such as a birth date) from free text."""
    text = _EMAIL.sub("[e-mail removed]", text)
    text = _FULL_DATE.sub("[date removed]", text)
    return _PHONE.sub("[number removed]", text)


def build_case_variables(facts: CaseFacts) -> dict[str, Any]:
    """Return the case's clinical facts for a prompt: no coordinates, no contact details, no exact dates."""
    return {
        "age_years": f"{facts.age_years:g}" if facts.age_years is not None else "not given",
        "sex": facts.sex,
        "diagnosis": neutralise_untrusted(scrub_identifiers(facts.diagnosis)) or "not given",
        "disease_status": neutralise_untrusted(facts.disease_status) or "not given",
        "prior_therapies": [neutralise_untrusted(t) for t in facts.prior_therapies],
        "lines_of_therapy": facts.lines_of_therapy if facts.lines_of_therapy is not None else "not given",
        "biomarkers": [neutralise_untrusted(b) for b in facts.biomarkers],
        "performance_status": neutralise_untrusted(facts.performance_status) or "not given",
        "pregnant": {True: "yes", False: "no", None: "not given"}[facts.pregnant],
        "summary": neutralise_untrusted(scrub_identifiers(facts.summary), MAX_DESCRIPTION_CHARS),
        "location": neutralise_untrusted(facts.location_label) or "not given",
        "travel_radius_km": f"{facts.travel_radius_km:g}"
        if facts.travel_radius_km is not None
        else "any distance",
        "negations": [neutralise_untrusted(n) for n in facts.negations],
    }


def _phase_text(phases: Sequence[str]) -> str:
    numbers = sorted({"".join(c for c in p if c.isdigit()) for p in phases} - {""})
    return f"phase {'/'.join(numbers)}" if numbers else "not given"


def _trial_variables(trial: NormalizedTrial) -> dict[str, Any]:
    u = neutralise_untrusted
    return {
        "registry_id": u(trial.registry_id),
        "brief_title": u(trial.brief_title),
        "official_title": u(trial.official_title),
        "acronym": u(trial.acronym),
        "brief_summary": u(trial.brief_summary, MAX_DESCRIPTION_CHARS),
        "detailed_description": u(trial.detailed_description, MAX_DESCRIPTION_CHARS),
        "study_type": trial.study_type,
        "expanded_access_types": list(trial.expanded_access_types),
        "overall_status": trial.overall_status,
        "phases": _phase_text(trial.phases),
        "conditions": [u(c) for c in trial.conditions],
        "interventions": [
            {
                "name": u(i.name),
                "type": i.type or "",
                "description": u(i.description, 600),
                "other_names": [u(n) for n in i.other_names],
            }
            for i in trial.interventions
        ],
        "allocation": trial.allocation or "not given",
        "masking": trial.masking or "not given",
        "primary_purpose": trial.primary_purpose or "not given",
        "enrollment": trial.enrollment if trial.enrollment is not None else "not given",
        "minimum_age_years": f"{trial.minimum_age_years:g}"
        if trial.minimum_age_years is not None
        else "no limit",
        "maximum_age_years": f"{trial.maximum_age_years:g}"
        if trial.maximum_age_years is not None
        else "no limit",
        "sex": trial.sex,
        "sponsor": u(trial.sponsor),
        # Study-team contacts are public registry data, not the family's.
        "central_contacts": [
            {"name": u(c.name), "role": u(c.role), "phone": u(c.phone), "email": u(c.email)}
            for c in trial.central_contacts
        ],
    }


def _site_variables(site: Site, distance: float | None) -> dict[str, Any]:
    u = neutralise_untrusted
    return {
        "facility": u(site.facility),
        "city": u(site.city),
        "state": u(site.state),
        "country": u(site.country),
        "status": site.status or "not given",
        "distance": format_distance_km(distance) if distance is not None else "not known",
        "contacts": [
            {"name": u(c.name), "phone": u(c.phone), "email": u(c.email)} for c in site.contacts[:2]
        ],
    }


def _sections_variable(kind: str, study_type: str | None) -> list[dict[str, str]]:
    return [{"key": k, "title": SECTION_TITLES[k]} for k in required_sections(kind, study_type)]  # type: ignore[arg-type]


def build_trial_summary_variables(
    trial: NormalizedTrial,
    facts: CaseFacts,
    verdicts: Sequence[CriterionVerdict],
    nearest_sites: Sequence[tuple[Site, float | None]],
) -> dict[str, Any]:
    """Return the variables of prompts/trial_summary.md: the record, de-identified facts, verdicts, sites."""
    return {
        "trial": _trial_variables(trial),
        "case": build_case_variables(facts),
        "verdicts": [
            {
                "ref": f"{v.kind} {v.position + 1}",
                "kind": v.kind,
                "criterion": neutralise_untrusted(v.criterion_text, 1000),
                "verdict": v.verdict,
                "explanation": neutralise_untrusted(v.explanation, 600),
            }
            for v in verdicts
            if not v.is_implicit  # a draft cites the trial's own criteria, which the implicit ones are not
        ],
        "sites": [_site_variables(s, d) for s, d in list(nearest_sites)[:MAX_SITES_IN_PROMPT]],
        "sections": _sections_variable("trial", trial.study_type),
    }


def build_case_overview_variables(options: Sequence[OptionSummary], facts: CaseFacts) -> dict[str, Any]:
    """Return the variables of prompts/case_overview.md: the options in order and the de-identified facts."""
    return {
        "options": [
            {
                "registry_id": neutralise_untrusted(o.registry_id),
                "title": neutralise_untrusted(o.title),
                "study_type": o.study_type,
                "phases": _phase_text(o.phases),
                "overall_status": o.overall_status,
                "met": o.met,
                "unknown": o.unknown,
                "not_met": o.not_met,
                "nearest_distance": format_distance_km(o.nearest_distance_km)
                if o.nearest_distance_km is not None
                else "not known",
            }
            for o in order_options(options)
        ],
        "case": build_case_variables(facts),
        "sections": _sections_variable("case", None),
    }


def criterion_ref(criterion: ParsedCriterion | CriterionVerdict) -> str:
    """The reference a criterion (or its verdict) goes by in prompts and answers, e.g. "inclusion 2"."""
    return f"{criterion.kind} {criterion.position + 1}"


def build_criterion_assessment_variables(
    trial: NormalizedTrial, criteria: Sequence[ParsedCriterion], facts: CaseFacts
) -> dict[str, Any]:
    """Return the variables of prompts/criterion_assessment.md: a batch of criteria and the numbered case sentences."""
    return {
        "trial": {
            "registry_id": neutralise_untrusted(trial.registry_id),
            "brief_title": neutralise_untrusted(trial.brief_title),
        },
        "criteria": [
            {"kind": c.kind, "ref": criterion_ref(c), "text": neutralise_untrusted(c.text, 1000)} for c in criteria
        ],
        "case": build_case_variables(facts),
        "case_sentences": split_sentences(
            scrub_identifiers(neutralise_untrusted(facts.summary, MAX_DESCRIPTION_CHARS))
        ),
    }
