"""The offline drafter: writes the structured plain-language drafts from record fields alone, deterministically."""

from __future__ import annotations

from collections.abc import Sequence

from core.catalogue.records import OPEN_STATUSES, Contact, NormalizedTrial, Site
from core.drafting.context import OptionSummary, format_distance_km, order_options
from core.drafting.glossary import find_jargon
from core.drafting.promises import find_promises
from core.drafting.schema import (
    SECTION_TITLES,
    CaseOverviewDraft,
    DraftSection,
    DraftSentence,
    TrialSummaryDraft,
    required_sections,
)
from core.matching.case_facts import CaseFacts
from core.matching.verdicts import CriterionVerdict
from core.nlp.sentences import split_sentences

__all__ = ["OFFLINE_DRAFTER", "OptionSummary", "draft_case_overview_offline", "draft_trial_summary_offline"]

OFFLINE_DRAFTER = "offline-glossary-v1"  # recorded as the draft's model, so every draft says who wrote it

MAX_QUOTE_WORDS = 18
MAX_RULES_SHOWN = 4
MAX_SITES_SHOWN = 3
MAX_INTERVENTIONS_SHOWN = 4
MAX_EXPLAINED_TERMS = 5

STATUS_PLAIN: dict[str, str] = {
    "RECRUITING": "is looking for people to join",
    "NOT_YET_RECRUITING": "has not started taking people yet",
    "ENROLLING_BY_INVITATION": "takes people by invitation only",
    "ACTIVE_NOT_RECRUITING": "is running but is not taking new people",
    "SUSPENDED": "is paused",
    "TERMINATED": "was stopped early",
    "COMPLETED": "has finished",
    "WITHDRAWN": "was withdrawn before it started",
    "UNKNOWN": "has a status that is not known",
    "AVAILABLE": "is open for requests",
    "NO_LONGER_AVAILABLE": "is no longer open for requests",
    "TEMPORARILY_NOT_AVAILABLE": "is closed for now",
    "APPROVED_FOR_MARKETING": "is closed because the treatment is now approved for sale",
    "WITHHELD": "has a status that is not shown",
}
INTERVENTION_TYPE_PLAIN: dict[str, str] = {
    "DRUG": "a medicine",
    "BIOLOGICAL": "a medicine made from living cells or proteins",
    "GENETIC": "a treatment that works on genes",
    "PROCEDURE": "a medical procedure",
    "RADIATION": "a radiation treatment",
    "DEVICE": "a medical device",
    "BEHAVIORAL": "a change in daily habits",
    "DIETARY_SUPPLEMENT": "a food supplement",
    "COMBINATION_PRODUCT": "a mix of a medicine and a device",
    "DIAGNOSTIC_TEST": "a medical test",
}
ACCESS_TYPE_PLAIN: dict[str, str] = {
    "INDIVIDUAL": "It takes requests for a single patient.",
    "INTERMEDIATE": "It is for a middle-sized group of patients.",
    "TREATMENT": "It is for a large group of patients.",
}


def _quote(text: str) -> str | None:
    """Return a short, single-line quote of record text, or None if it cannot be quoted safely."""
    words = " ".join(text.split()).strip(" -*•").split()
    if not words or find_promises(" ".join(words)):
        # Record text that sounds like a promise is left for the reviewer to read in the record.
        return None
    quoted = " ".join(words[:MAX_QUOTE_WORDS]).rstrip(".;:,")
    return quoted + (" …" if len(words) > MAX_QUOTE_WORDS else "")


def _s(text: str, *sources: str) -> DraftSentence:
    return DraftSentence(text=text, sources=list(sources))


def _section(key: str, sentences: list[DraftSentence]) -> DraftSection:
    return DraftSection(key=key, title=SECTION_TITLES[key], sentences=_with_explanations(sentences))


def _with_explanations(sentences: list[DraftSentence]) -> list[DraftSentence]:
    """Append a plain meaning for the first few medical terms the section's quotes contain."""
    explained: list[DraftSentence] = []
    seen: set[str] = set()
    for sentence in sentences:
        for hit in find_jargon(sentence.text):
            if hit.term in seen or len(seen) >= MAX_EXPLAINED_TERMS:
                continue
            seen.add(hit.term)
            word = sentence.text[hit.start : hit.end]
            explained.append(_s(f"“{word}” means: {hit.plain}.", f"glossary.{hit.term}"))
    return sentences + explained


def _join(items: Sequence[str]) -> str:
    items = [i for i in items if i]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _phase_words(phases: Sequence[str]) -> str:
    numbers = ["".join(c for c in p if c.isdigit()) for p in phases if p != "NA"]
    numbers = [n for n in numbers if n]
    if not numbers:
        return ""
    early = "early " if "EARLY_PHASE1" in phases and len(numbers) == 1 else ""
    return f"{early}phase {'/'.join(sorted(set(numbers)))}"


def _years(value: float) -> str:
    return f"{value:g}"


def _rule_ref(verdict: CriterionVerdict) -> tuple[str, str]:
    label = f"{verdict.kind} {verdict.position + 1}"  # 1-based, as a reader counts
    return f"trial.eligibility[{label}]", f"verdict[{label}]"


def _what_is_tested(trial: NormalizedTrial) -> list[DraftSentence]:
    sentences: list[DraftSentence] = []
    title = _quote(trial.brief_title) if trial.brief_title else None
    if title:
        sentences.append(_s(f"The study is called “{title}”.", "trial.brief_title"))
    verb = "offers" if trial.study_type == "EXPANDED_ACCESS" else "is testing"
    untyped: list[str] = []
    for intervention in trial.interventions[:MAX_INTERVENTIONS_SHOWN]:
        name = _quote(intervention.name)
        kind = INTERVENTION_TYPE_PLAIN.get((intervention.type or "").upper())
        if name and kind:
            sentences.append(_s(f"It {verb} {name}, which is {kind}.", "trial.interventions"))
        elif name:
            untyped.append(name)
    if untyped:
        sentences.append(_s(f"It {verb} {_join(untyped)}.", "trial.interventions"))
    conditions = [c for c in (_quote(c) for c in trial.conditions[:3]) if c]
    if conditions:
        sentences.append(_s(f"It is for people with {_join(conditions)}.", "trial.conditions"))
    if trial.study_type == "EXPANDED_ACCESS":
        sentences.append(_s("This is an expanded access programme, not a study.", "trial.study_type"))
    sentences.append(
        _s("The treatment is still being studied, so no one knows yet how well it works.", "trial.study_type")
    )
    return sentences


def _age_sentences(
    trial: NormalizedTrial, facts: CaseFacts
) -> tuple[list[DraftSentence], list[DraftSentence]]:
    lo, hi = trial.minimum_age_years, trial.maximum_age_years
    if lo is None and hi is None:
        return [], []
    if lo is not None and hi is not None:
        rule = f"The study takes people aged {_years(lo)} to {_years(hi)} years."
    elif lo is not None:
        rule = f"The study takes people aged {_years(lo)} years or older."
    else:
        rule = f"The study takes people up to {_years(hi)} years old."  # type: ignore[arg-type]
    age_sources = [
        s for s, v in (("trial.minimum_age_years", lo), ("trial.maximum_age_years", hi)) if v is not None
    ]
    if facts.age_years is None:
        return [], [_s(rule, *age_sources), _s("The case notes do not give an age.", "case.age_years")]
    inside = (lo is None or facts.age_years >= lo) and (hi is None or facts.age_years <= hi)
    if inside:
        return [
            _s(rule, *age_sources),
            _s(f"The age in the case notes is {_years(facts.age_years)}.", "case.age_years"),
        ], []
    return [], [
        _s(rule, *age_sources),
        _s(f"The age in the case notes, {_years(facts.age_years)}, is outside this range.", "case.age_years"),
    ]


def _why_it_may_fit(
    trial: NormalizedTrial, facts: CaseFacts, verdicts: Sequence[CriterionVerdict]
) -> list[DraftSentence]:
    sentences, _ = _age_sentences(trial, facts)
    # the trial's own criteria: the implicit verdicts (conditions studied, treatment target) quote no rule
    met = [v for v in verdicts if v.verdict in ("included", "not excluded") and not v.is_implicit]
    for verdict in met[:MAX_RULES_SHOWN]:
        quote = _quote(verdict.criterion_text)
        if not quote:
            continue
        if verdict.kind == "inclusion":
            text = f"The study asks for: “{quote}”. The case notes seem to meet this."
        else:
            text = (
                f"The study does not take people when: “{quote}”. Nothing in the case notes points to this."
            )
        sentences.append(_s(text, *_rule_ref(verdict)))
    if not sentences:
        sentences.append(_s("We could not yet match any entry rule to the case notes.", "verdicts"))
    sentences.append(_s("Only the study team can decide who may join.", "trial.eligibility"))
    return sentences


def _what_we_could_not_confirm(
    trial: NormalizedTrial, facts: CaseFacts, verdicts: Sequence[CriterionVerdict]
) -> list[DraftSentence]:
    _, sentences = _age_sentences(trial, facts)
    for verdict in [v for v in verdicts if v.blocks_eligibility and not v.is_implicit][:MAX_RULES_SHOWN]:
        quote = _quote(verdict.criterion_text)
        if quote:
            sentences.append(
                _s(
                    f"The case notes may not meet this rule: “{quote}”. Please check it with the doctor.",
                    *_rule_ref(verdict),
                )
            )
    for verdict in [v for v in verdicts if v.is_unknown and not v.is_implicit][:MAX_RULES_SHOWN]:
        quote = _quote(verdict.criterion_text)
        if quote:
            sentences.append(_s(f"Ask the study team about this rule: “{quote}”.", *_rule_ref(verdict)))
    if trial.overall_status not in OPEN_STATUSES:
        sentences.append(
            _s(f"The record says the study {STATUS_PLAIN[trial.overall_status]}.", "trial.overall_status")
        )
    if not sentences:
        sentences.append(_s("We found no open questions in the rules we checked.", "verdicts"))
    sentences.append(_s("Ask the study team if a place is open now.", "trial.overall_status"))
    return sentences


def _visit_sentence(trial: NormalizedTrial) -> DraftSentence | None:
    for field in ("brief_summary", "detailed_description"):
        for sentence in split_sentences(getattr(trial, field) or ""):
            lowered = sentence.lower()
            if ("visit" in lowered or "follow-up" in lowered or "followed for" in lowered) and len(
                sentence.split()
            ) <= 30:
                quote = _quote(sentence)
                if quote:
                    return _s(f"The record says: “{quote}”.", f"trial.{field}")
    return None


def _what_taking_part_involves(trial: NormalizedTrial) -> list[DraftSentence]:
    sentences: list[DraftSentence] = []
    phase = _phase_words(trial.phases)
    if phase:
        sentences.append(_s(f"This is a {phase} study.", "trial.phases"))
    if (trial.allocation or "").upper() == "RANDOMIZED":
        sentences.append(_s("People are put into groups by chance, like a coin toss.", "trial.allocation"))
    elif (trial.allocation or "").upper() == "NON_RANDOMIZED":
        sentences.append(_s("People are not put into groups by chance.", "trial.allocation"))
    if (trial.masking or "").upper() == "NONE":
        sentences.append(
            _s(
                "Everyone, including the patient and doctors, knows which treatment is given.",
                "trial.masking",
            )
        )
    elif trial.masking:
        sentences.append(
            _s("Some people in the study do not know which treatment is given.", "trial.masking")
        )
    if trial.enrollment:
        sentences.append(
            _s(f"The study plans to include about {trial.enrollment} people.", "trial.enrollment")
        )
    visit = _visit_sentence(trial)
    if visit:
        sentences.append(visit)
    else:
        sentences.append(
            _s(
                "The record does not say how many visits there are. Ask the study team.",
                "trial.detailed_description",
            )
        )
    if trial.sponsor:
        sentences.append(_s(f"The study is run by {trial.sponsor}.", "trial.sponsor"))
    return sentences


def _place(site: Site) -> str:
    where = ", ".join(p for p in (site.city, site.country) if p)
    if site.facility and where:
        return f"{site.facility} in {where}"
    return site.facility or (f"A site in {where}" if where else "A study site")


def _contact_sentences(contact: Contact, who: str, source: str) -> list[DraftSentence]:
    sentences = [_s(f"{who} is {contact.name}.", source)] if contact.name else []
    ways = []
    if contact.phone:
        ways.append(f"call {contact.phone}")
    if contact.email:
        ways.append(f"e-mail {contact.email}")
    if ways:
        sentences.append(_s(f"You can {' or '.join(ways)}.", source))
    return sentences


def _where_and_contact(
    trial: NormalizedTrial, nearest_sites: Sequence[tuple[Site, float | None]]
) -> list[DraftSentence]:
    sentences: list[DraftSentence] = []
    for site, distance in list(nearest_sites)[:MAX_SITES_SHOWN]:
        place = _place(site)
        if distance is not None:
            text = f"{place} is about {format_distance_km(distance)} away."
            sentences.append(_s(text, "trial.sites", "site.distance_km"))
        else:
            sentences.append(_s(f"{place} is one of the study sites.", "trial.sites"))
        if site.status and site.status in STATUS_PLAIN:
            sentences.append(_s(f"This site {STATUS_PLAIN[site.status]}.", "trial.sites"))
    if not nearest_sites:
        sentences.append(_s("The record does not list a study site near the family.", "trial.sites"))
    contact_sentences: list[DraftSentence] = []
    for contact in trial.central_contacts[:1]:
        contact_sentences = _contact_sentences(contact, "The study team's contact", "trial.central_contacts")
    if not contact_sentences:
        for site, _ in list(nearest_sites)[:1]:
            for contact in site.contacts[:1]:
                contact_sentences = _contact_sentences(
                    contact, "The contact at the nearest site", "trial.sites"
                )
    sentences.extend(contact_sentences)
    if not contact_sentences:
        sentences.append(
            _s(
                "The record does not list a contact. Your doctor can ask the sponsor.",
                "trial.central_contacts",
            )
        )
    ref = "You can look it up on ClinicalTrials.gov." if trial.registry_id.upper().startswith("NCT") else ""
    sentences.append(_s(f"The study number is {trial.registry_id}. {ref}".strip(), "trial.registry_id"))
    return sentences


def _how_to_request_access(trial: NormalizedTrial) -> list[DraftSentence]:
    sentences = [
        _s("This programme may give the treatment to people who cannot join a study.", "trial.study_type"),
        _s(f"The record says the programme {STATUS_PLAIN[trial.overall_status]}.", "trial.overall_status"),
    ]
    for access_type in trial.expanded_access_types:
        sentences.append(_s(ACCESS_TYPE_PLAIN[access_type], "trial.expanded_access_types"))
    sentences.append(
        _s(
            "In general, the patient's own doctor sends the request to the programme contact.",
            "glossary.expanded access",
        )
    )
    contact = next((c for c in trial.central_contacts if c.phone or c.email or c.name), None)
    lines = _contact_sentences(contact, "The programme contact", "trial.central_contacts") if contact else []
    sentences.extend(
        lines or [_s("The record does not list a contact for requests.", "trial.central_contacts")]
    )
    return sentences


def draft_trial_summary_offline(
    trial: NormalizedTrial,
    facts: CaseFacts,
    verdicts: Sequence[CriterionVerdict],
    nearest_sites: Sequence[tuple[Site, float | None]],
) -> TrialSummaryDraft:
    """Write a trial summary from the record, the case facts and the verdicts alone, with sources per sentence."""
    builders = {
        "what_is_tested": lambda: _what_is_tested(trial),
        "why_it_may_fit": lambda: _why_it_may_fit(trial, facts, verdicts),
        "what_we_could_not_confirm": lambda: _what_we_could_not_confirm(trial, facts, verdicts),
        "what_taking_part_involves": lambda: _what_taking_part_involves(trial),
        "where_and_contact": lambda: _where_and_contact(trial, nearest_sites),
        "how_to_request_access": lambda: _how_to_request_access(trial),
    }
    keys = required_sections("trial", trial.study_type)
    return TrialSummaryDraft(
        registry_id=trial.registry_id, sections=[_section(key, builders[key]()) for key in keys]
    )


def _option_sentences(option: OptionSummary) -> list[DraftSentence]:
    source = f"option[{option.registry_id}]"
    title = _quote(option.title)
    name = f"“{title}” ({option.registry_id})" if title else f"The study {option.registry_id}"
    phase = _phase_words(option.phases)
    kind = (
        "an expanded access programme"
        if option.study_type == "EXPANDED_ACCESS"
        else (f"a {phase} study" if phase else "a study")
    )
    status = STATUS_PLAIN.get(option.overall_status, STATUS_PLAIN["UNKNOWN"])
    sentences = [_s(f"{name} is {kind} that {status}.", source)]
    sentences.append(
        _s(
            f"Entry rules that seem to fit: {option.met}. Rules to check: {option.unknown}. Rules that may not fit: {option.not_met}.",
            source,
        )
    )
    if option.nearest_distance_km is not None:
        sentences.append(
            _s(f"Its nearest site is about {format_distance_km(option.nearest_distance_km)} away.", source)
        )
    return sentences


def draft_case_overview_offline(options: Sequence[OptionSummary], facts: CaseFacts) -> CaseOverviewDraft:
    """Write the case overview (options in order, next steps, disclaimer) from the options and facts alone."""
    ordered = order_options(options)
    overview: list[DraftSentence] = []
    if ordered:
        overview.append(
            _s(
                f"We found {len(ordered)} options that may fit. They are listed with the most likely fits first.",
                "options",
            )
        )
    else:
        overview.append(_s("We did not find an option that fits the case notes yet.", "options"))
    about = []
    if facts.age_years is not None:
        about.append(f"aged {_years(facts.age_years)}")
    if facts.diagnosis:
        about.append(f"with {facts.diagnosis}")
    if about:
        overview.append(
            _s(f"We looked for options for a patient {' '.join(about)}.", "case.age_years", "case.diagnosis")
        )
    for option in ordered:
        overview.extend(_option_sentences(option))
    next_steps = [
        _s("Share this report with the doctor who knows the patient best.", "guidance"),
        _s("Ask each study team the questions listed in its summary.", "guidance"),
        _s("Check that a place is open before you plan any travel.", "guidance"),
        _s("Studies can fill up or close, so it helps to ask soon.", "guidance"),
    ]
    disclaimer = [
        _s("This report gives information. It is not medical advice.", "guidance"),
        _s("We cannot promise any outcome from any of these options.", "guidance"),
        _s("Please talk about every option with your doctor before you decide anything.", "guidance"),
        _s("Details in study records can change, so check them with the study team.", "guidance"),
    ]
    sections = {"overview": overview, "next_steps": next_steps, "disclaimer": disclaimer}
    return CaseOverviewDraft(sections=[_section(key, sections[key]) for key in required_sections("case")])
