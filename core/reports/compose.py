"""Compose the family's report once: approved texts, the trial records and the matches, into one ReportContent."""

from __future__ import annotations

import re
from datetime import date

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.config import get_settings
from core.domain.statuses import APPROVED_OR_RELEASED
from core.domain.trial import NormalizedTrial
from core.drafting.context import OptionSummary, distance_phrase, order_options
from core.drafting.schema import section_title
from core.errors import NotFound
from core.models import Case, CaseContact, Draft, DraftVersion, Match, Trial, utcnow
from core.nlp.sentences import split_sentences

REPORT_TITLE = "Your options: a report from the Next Option team"
DEFAULT_DISCLAIMER = (
    "This report gives information, not medical advice. It does not promise that any option will help, "
    "and a place on a study is never guaranteed. The study teams decide who can take part. "
    "Please talk about every option with your own doctor before deciding anything."
)
REGISTRY_URL = "https://clinicaltrials.gov/study/{id}"
PHASE_WORDS = {"EARLY_PHASE1": "Early phase 1", "PHASE1": "1", "PHASE2": "2", "PHASE3": "3", "PHASE4": "4"}
SENTENCES_PER_PARAGRAPH = 3
# A sentence that explains or answers the one before it stays in that sentence's paragraph.
_FOLLOWS = re.compile(
    r"^(?:“[^”]+” means|The case notes|The age in the case notes|This site|You can|Here |Ask |Please |"
    r"The study team needs|They are not)"
)


class ReportPart(BaseModel):
    """One headed part of the report: short paragraphs of approved text."""

    title: str
    paragraphs: list[str]


class ReportOption(BaseModel):
    """One option: its row in the first-page table and its own section, from one approved summary."""

    number: int
    registry_id: str
    title: str
    programme: bool
    what_it_is: str
    phase: str
    status: str
    nearest_site: str | None
    distance: str | None
    how_it_may_fit: str
    what_to_ask: str
    registry_url: str | None
    record_updated: str | None
    parts: list[ReportPart]
    contacts: list[str]


class TeamContact(BaseModel):
    """Who the family can ask about the report itself."""

    name: str
    email: str | None = None
    phone: str | None = None


class ReportContent(BaseModel):
    """Everything the report says, composed once; Markdown, HTML and PDF are renderings of it."""

    title: str = REPORT_TITLE
    case_reference: str
    prepared_for: str | None
    date: str
    overview: list[ReportPart]
    options: list[ReportOption]
    disclaimer: list[str]
    team: TeamContact


def format_date(value: date | None) -> str | None:
    """A date as a family reads it: 7 October 2026."""
    return f"{value.day} {value:%B %Y}" if value else None


def paragraphs_of(text: str) -> list[str]:
    """Short paragraphs of an approved text: the reviewer's line breaks, else a few sentences each."""
    out: list[str] = []
    for number, block in enumerate(re.split(r"\n\s*\n|\n", text)):
        current: list[str] = []
        for sentence in split_sentences(block):
            # The section's first sentence is its summary, so it stands alone.
            full = len(current) >= SENTENCES_PER_PARAGRAPH or (number == 0 and not out and len(current) == 1)
            if current and full and not _FOLLOWS.match(sentence):
                out.append(" ".join(current))
                current = []
            current.append(sentence)
        if current:
            out.append(" ".join(current))
    return out


def lead_sentence(text: str) -> str:
    """The first sentence of an approved section: the drafters write it as the section's summary."""
    sentences = split_sentences(text)
    return sentences[0] if sentences else ""


def registry_url(registry_id: str) -> str | None:
    """The ClinicalTrials.gov page of a study, for NCT ids only (other registries have no such page)."""
    upper = registry_id.strip().upper()
    return REGISTRY_URL.format(id=upper) if re.fullmatch(r"NCT\d{8}", upper) else None


def _phase(trial: NormalizedTrial) -> str:
    if trial.study_type == "EXPANDED_ACCESS":
        return "Not a study"
    numbers = [PHASE_WORDS[p] for p in trial.phases if p in PHASE_WORDS]
    if not numbers:
        return "Phase not stated"
    return numbers[0] if numbers[0].startswith("Early") else "Phase " + "/".join(numbers)


def _approved_sections(s: Session, draft: Draft) -> dict[str, str]:
    version = s.get(DraftVersion, draft.current_version_id)
    return {k: v for k, v in (version.sections if version else {}).items() if v and v.strip()}


def _site_label(site: dict | None) -> str | None:
    if not site:
        return None
    where = ", ".join(p for p in (site.get("city"), site.get("country")) if p)
    return ", ".join(p for p in (site.get("facility"), where) if p) or None


def _contacts(trial: NormalizedTrial) -> list[str]:
    lines = []
    for contact in trial.central_contacts:
        bits = [b for b in (contact.name, contact.phone, contact.email) if b]
        if bits:
            lines.append(" · ".join(bits))
    return lines


def _status_words(trial: NormalizedTrial) -> str:
    return trial.overall_status.replace("_", " ").capitalize()


def _option(number: int, trial: NormalizedTrial, match: Match | None, texts: dict[str, str]) -> ReportOption:
    programme = trial.study_type == "EXPANDED_ACCESS"
    return ReportOption(
        number=number,
        registry_id=trial.registry_id,
        title=trial.brief_title or trial.registry_id,
        programme=programme,
        what_it_is=lead_sentence(texts.get("what_is_tested", "")),
        phase=_phase(trial),
        status=_status_words(trial),
        nearest_site=_site_label(match.nearest_site if match else None),
        distance=distance_phrase(match.distance_km) if match and match.distance_km is not None else None,
        how_it_may_fit=lead_sentence(texts.get("why_it_may_fit", "")),
        what_to_ask=lead_sentence(texts.get("what_we_could_not_confirm", "")),
        registry_url=registry_url(trial.registry_id),
        record_updated=format_date(trial.last_update_date),
        parts=[
            ReportPart(title=section_title(key, trial.study_type), paragraphs=paragraphs_of(text))
            for key, text in texts.items()
        ],
        contacts=_contacts(trial),
    )


def _summary(trial: NormalizedTrial, match: Match | None) -> OptionSummary:
    return OptionSummary(
        registry_id=trial.registry_id,
        title=trial.brief_title,
        study_type=trial.study_type,
        phases=list(trial.phases),
        overall_status=trial.overall_status,
        met=match.met if match else 0,
        unknown=match.unknown if match else 0,
        not_met=match.not_met if match else 0,
        nearest_distance_km=match.distance_km if match else None,
    )


def compose_report(s: Session, case_id: int) -> ReportContent:
    """Gather the approved overview and trial summaries, in the overview's order, with records and matches."""
    case = s.get(Case, case_id)
    if case is None:
        raise NotFound(f"No case with id {case_id}.")
    drafts = list(
        s.scalars(select(Draft).where(Draft.case_id == case_id, Draft.status.in_(APPROVED_OR_RELEASED)))
    )
    matches = {m.trial_id: m for m in s.scalars(select(Match).where(Match.case_id == case_id))}
    entries = []
    for draft in (d for d in drafts if d.kind == "trial"):
        trial = NormalizedTrial.model_validate(s.get(Trial, draft.trial_id).record)
        entries.append((trial, matches.get(draft.trial_id), _approved_sections(s, draft)))
    # One order for the overview, the table and the sections: the one the overview's drafters use.
    order = [o.registry_id for o in order_options([_summary(t, m) for t, m, _ in entries])]
    entries.sort(key=lambda e: order.index(e[0].registry_id))
    overview_draft = next((d for d in drafts if d.kind == "case"), None)
    overview = _approved_sections(s, overview_draft) if overview_draft else {}
    contact = s.scalar(select(CaseContact).where(CaseContact.case_id == case_id))
    settings = get_settings()
    return ReportContent(
        case_reference=case.reference,
        prepared_for=contact.name if contact else None,
        date=format_date(utcnow().date()) or "",
        overview=[
            ReportPart(title=section_title(key), paragraphs=paragraphs_of(text))
            for key, text in overview.items()
            if key != "disclaimer"
        ],
        options=[_option(n, t, m, texts) for n, (t, m, texts) in enumerate(entries, start=1)],
        # The product's own disclaimer, the same in every report whatever the drafts say.
        disclaimer=paragraphs_of(DEFAULT_DISCLAIMER),
        team=TeamContact(
            name=settings.team_contact_name,
            email=settings.team_contact_email,
            phone=settings.team_contact_phone,
        ),
    )
