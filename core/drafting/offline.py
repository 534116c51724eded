"""The offline drafter: writes the plain-language drafts from the record's structure and the case, deterministically."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from core.domain.ages import age_fits, age_with_unit, format_age
from core.domain.case_facts import CaseFacts
from core.domain.trial import OPEN_STATUSES, Contact, NormalizedTrial, ParsedCriterion, Site
from core.domain.verdicts import CriterionVerdict
from core.drafting.checks import ChecksConfig, count_words, is_explained
from core.drafting.context import OptionSummary, distance_phrase, order_options
from core.drafting.criterion_topics import Explanation, explain_criterion, topic_of
from core.drafting.glossary import explain_term, features_stated, find_jargon
from core.drafting.promises import find_promises
from core.drafting.record_reading import Part, RecordReading, read_record
from core.drafting.schema import (
    CaseOverviewDraft,
    DraftSection,
    DraftSentence,
    TrialSummaryDraft,
    required_sections,
    section_title,
)
from core.drafting.study_stages import Comparison, stage_sentences
from core.nlp.sentences import split_sentences

__all__ = ["OFFLINE_DRAFTER", "OptionSummary", "draft_case_overview_offline", "draft_trial_summary_offline"]

OFFLINE_DRAFTER = "offline-structured-v2"  # recorded as the draft's model, so every draft says who wrote it

MAX_QUOTE_WORDS = 30
# The readability check's limit: every sentence the drafter writes, quotes included, stays within it.
MAX_SENTENCE_WORDS = ChecksConfig().max_sentence_words
MAX_RULES_SHOWN = 5
MAX_SITES_SHOWN = 3
MAX_PRODUCTS_DESCRIBED = 2
# Per section: every term a reader meets in it is explained there; the cap only stops a flood of meanings.
MAX_EXPLAINED_TERMS = 8
MAX_RECORD_SENTENCES = 2

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
ACCESS_TYPE_PLAIN: dict[str, str] = {
    "INDIVIDUAL": "It takes requests for a single patient.",
    "INTERMEDIATE": "It is for a middle-sized group of patients.",
    "TREATMENT": "It is for a large group of patients.",
}
# Record sentences about what taking part asks of a family: visits, stays, follow-up.
_INVOLVES = re.compile(
    r"\b(?:visits?|stay within|followed (?:up )?for|follow-up|hospital stay|in hospital)\b", re.I
)
_REQUEST = re.compile(r"\brequests?\b", re.I)
# Topics too broad to name as a reason for not taking someone ("a different illness or stage").
_VAGUE_TOPICS = frozenset({"other", "disease", "disease_named_first"})
_RECORD_SAYS = "The record says: “{}”."
_GROUP_PARENT = re.compile(r"(?:one|any|all) of the following|:\s*$", re.I)


def _s(text: str, *sources: str) -> DraftSentence:
    return DraftSentence(text=text, sources=list(sources))


def _join(items: Sequence[str], word: str = "and") -> str:
    items = [i for i in items if i]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + f" {word} " + items[-1]


def _noun(trial: NormalizedTrial) -> str:
    return "programme" if trial.study_type == "EXPANDED_ACCESS" else "study"


def _quote(text: str, max_words: int = MAX_QUOTE_WORDS) -> str | None:
    """A whole, single-line quote of record text (or its first clause when long), or None."""
    words = " ".join(text.split()).strip(" -*•:").split()
    if not words or find_promises(" ".join(words)):
        return None  # record text that sounds like a promise is left for the reviewer to read in the record
    if _length(words) > max_words:
        first = re.split(r";|:|\s\(", " ".join(words))[0].split()
        if _length(first) > max_words or len(first) < 3:
            return None
        words = first
    return " ".join(words).rstrip(".;:,")


def _length(words: Sequence[str]) -> int:
    # The larger of the two counts: the checks count "CD19/CD22" as two words, a plain split as one.
    return max(len(words), count_words(" ".join(words)))


def _quote_within(wrapper: str, text: str) -> str | None:
    """A quote that fits the wrapper sentence ("The record says: “{}”.") within the sentence-length limit."""
    return _quote(text, min(MAX_QUOTE_WORDS, MAX_SENTENCE_WORDS - count_words(wrapper.format(""))))


class _Section:
    """Sentences of one section, with plain meanings of jargon added right after first use in the section."""

    def __init__(self, key: str, explained: set[str], features: Mapping[str, str | None]) -> None:
        self.key, self.sentences, self._explained, self._features = key, [], explained, features
        self._count = 0
        self.stated: set[str] = set()  # record features a glossary meaning has already told the reader

    def add(self, text: str, *sources: str, explain: bool = True) -> None:
        self.sentences.append(_s(text, *sources))
        for hit in find_jargon(text) if explain else []:
            if is_explained(text, hit):
                self._explained.add(hit.term)  # the sentence says what it means: no glossary line needed
            if hit.term in self._explained or self._count >= MAX_EXPLAINED_TERMS:
                continue
            self._explained.add(hit.term)
            self._count += 1
            plain = explain_term(hit.term, self._features) or hit.plain
            self.stated |= features_stated(hit.term, self._features)
            self.sentences.append(
                _s(f"“{text[hit.start : hit.end]}” means: {plain}.", f"glossary.{hit.term}")
            )

    def build(self, study_type: str | None = None) -> DraftSection:
        return DraftSection(key=self.key, title=section_title(self.key, study_type), sentences=self.sentences)


def _names(parts: Sequence[Part]) -> str:
    return _join([p.name for p in parts])


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _lower_drug(name: str) -> str:
    # "Fludarabine" reads as a word in a sentence; codes such as "NXO-T7" keep their capitals.
    return name.lower() if name[:1].isupper() and name[1:].islower() else name


def _what_is_tested(sec: _Section, trial: NormalizedTrial, reading: RecordReading) -> None:
    tested = reading.by_role("tested")
    programme = trial.study_type == "EXPANDED_ACCESS"
    first = tested[0] if tested else None
    kind = f", {first.kind.noun}" if first and first.kind and len(tested) == 1 else ""
    if programme:
        offered = _join([_lower_drug(p.name) for p in tested]) or "a treatment"
        sec.add(
            f"This programme offers {offered}{kind}{',' if kind else ''} outside a study.",
            "trial.interventions",
            "trial.study_type",
        )
        # What a programme is (not a study) comes first; the data file's words fit its status.
        sec.add(_stage(trial, reading), "trial.study_type", "trial.overall_status")
    elif tested:
        sec.add(
            f"This study is testing {_join([_lower_drug(p.name) for p in tested])}{kind}.",
            "trial.interventions",
        )
    for part in tested[:MAX_PRODUCTS_DESCRIBED]:
        if part.kind and len(tested) > 1:
            sec.add(f"{part.name} is {part.kind.noun}.", "trial.interventions")
        if part.kind and part.kind.transplant:
            # A tested transplant: where its cells come from, unless the glossary's meaning just said it.
            if part.transplant_sentence and "transplant_source" not in sec.stated:
                sec.add(part.transplant_sentence, "trial.interventions")
            continue
        told = "product_source" in sec.stated and reading.features.get("product_source") == part.source
        if part.source_plain and not told:
            sec.add(f"{part.name} is made {part.source_plain}.", "trial.interventions")
        if part.given:
            sec.add(f"{part.name} is given {part.given}.", "trial.interventions", "trial.arms")
    product = first.name if first else "the treatment"
    conditioning = reading.by_role("conditioning")
    if conditioning:
        names = _join([_lower_drug(p.name) for p in conditioning])
        sec.add(f"Before {product}, patients get {names}.", "trial.interventions", "trial.arms")
        sec.add(
            "These prepare the body for the treatment. They are not the new treatment.", "trial.interventions"
        )
    backbone = reading.by_role("backbone")
    if backbone:
        names = _join([_lower_drug(p.name) for p in backbone])
        sec.add(f"{_capital(product)} is given together with {names}.", "trial.interventions", "trial.arms")
    for part in reading.by_role("procedure"):
        what = part.kind.noun if part.kind else part.name
        source = f" {part.transplant_plain}" if part.transplant_plain else ""
        when = f", {part.timing}" if part.timing else ""
        sec.add(f"The treatment plan also includes {what}{source}{when}.", "trial.interventions")
    comparators = reading.by_role("comparator")
    if comparators:
        sec.add(
            f"The study compares it with {_join([_lower_drug(p.name) for p in comparators])}.",
            "trial.interventions",
            "trial.arms",
        )
    if reading.by_role("placebo"):
        sec.add("Some people get a placebo: a dummy treatment with no medicine in it.", "trial.interventions")
    supportive = reading.by_role("supportive")
    if supportive:
        verb = "is" if len(supportive) == 1 else "are"
        sec.add(f"{_names(supportive)} {verb} given to prevent or ease side effects.", "trial.interventions")
    conditions = [c for c in (_quote(c) for c in trial.conditions[:2]) if c]
    if conditions:
        sec.add(f"It is for people with {_join(conditions)}.", "trial.conditions")
    if not programme:
        sec.add(_stage(trial, reading), "trial.phases", "trial.study_type")


def _stage(trial: NormalizedTrial, reading: RecordReading) -> str:
    """What this kind of study can tell about how well the treatment works (knowledge/study_stages.yaml)."""
    compared: Comparison = (
        "placebo" if reading.by_role("placebo") else "comparator" if reading.by_role("comparator") else "none"
    )
    return stage_sentences(trial, compared) or "Ask the study team what the study wants to learn."


def _age_rule(trial: NormalizedTrial) -> str | None:
    lo, hi = trial.minimum_age_years, trial.maximum_age_years
    who = f"The {_noun(trial)} takes"
    if lo is not None and hi is not None:
        return f"{who} people aged {format_age(lo) if format_age(lo)[-1].isdigit() else age_with_unit(lo)} to {age_with_unit(hi)}."
    if lo is not None:
        return f"{who} people aged {age_with_unit(lo)} or older."
    if hi is not None:
        return f"{who} people up to {age_with_unit(hi)} old."
    return None


class _AgeFit:
    """Matching's answer on the age: the record's limits by the one rule of core/domain/ages.py, unless
    matching found an age rule of the criteria not met (then that rule is what the family checks)."""

    def __init__(self, trial: NormalizedTrial, facts: CaseFacts, verdicts: Sequence[CriterionVerdict]) -> None:
        lo, hi = trial.minimum_age_years, trial.maximum_age_years
        self.by_range = age_fits(facts.age_years, lo, hi)
        age_rules = [v for v in verdicts if (t := topic_of(v.criterion_text)) is not None and t.key == "age"]
        self.failing_rule = next((v for v in age_rules if v.blocks_eligibility), None)
        met = any(v.verdict == "included" for v in age_rules)
        self.fits = False if self.failing_rule else (self.by_range if self.by_range is not None else (met or None))
        # "17 Years" takes a 17-and-a-half-year-old: say so, or the family reads the age as outside the range.
        self.final_year = bool(
            self.by_range and hi is not None and hi == int(hi) and facts.age_years is not None and facts.age_years > hi
        )


def _age_sources(trial: NormalizedTrial) -> list[str]:
    pairs = (
        ("trial.minimum_age_years", trial.minimum_age_years),
        ("trial.maximum_age_years", trial.maximum_age_years),
    )
    return [s for s, v in pairs if v is not None]


def _rule_ref(verdict: CriterionVerdict) -> tuple[str, str]:
    label = f"{verdict.kind} {verdict.position + 1}"  # 1-based, as a reader counts
    return f"trial.eligibility[{label}]", f"verdict[{label}]"


class _Rule:
    """One verdict with its plain explanation and its place in an "one of the following" group."""

    def __init__(
        self, verdict: CriterionVerdict, facts: CaseFacts, criterion: ParsedCriterion | None, noun: str
    ) -> None:
        self.verdict, self.noun = verdict, noun
        text = verdict.criterion_text.strip()
        self.is_parent = bool(_GROUP_PARENT.search(text)) and (criterion is None or criterion.level == 0)
        self.level = criterion.level if criterion else 0
        self.text = re.sub(
            r",?\s*(?:defined as|as follows|including)?\s*$", "", _GROUP_PARENT.sub("", text)
        ).strip(" ,:")
        self.explanation: Explanation = explain_criterion(self.text, facts, verdict.kind)
        self.refs = _rule_ref(verdict)

    @property
    def met(self) -> bool:
        return self.verdict.verdict in ("included", "not excluded")

    def rule_sentence(self) -> str | None:
        """The rule the right way round: what the study needs (inclusion) or who cannot take part (exclusion)."""
        if self.explanation.rule:
            return re.sub(r"\b([Tt])he study\b", lambda m: f"{m.group(1)}he {self.noun}", self.explanation.rule)
        wrapper = (
            f"The {self.noun} asks for: “{{}}”."
            if self.verdict.kind == "inclusion"
            else "People cannot take part if this applies: “{}”."
        )
        quote = _quote_within(wrapper, self.text)
        return wrapper.format(quote) if quote else None


def _rules(trial: NormalizedTrial, facts: CaseFacts, verdicts: Sequence[CriterionVerdict]) -> list[_Rule]:
    """The verdicts worth telling a family about: groups folded into their parent, notes and ages left out."""
    criteria = {(c.kind, c.position): c for c in trial.criteria}
    noun = _noun(trial)
    rules = [
        _Rule(v, facts, criteria.get((v.kind, v.position)), noun)
        for v in verdicts
        # the implicit verdicts (conditions studied, treatment target) are matching's, not a rule of the record
        if v.verdict != "not applicable" and not v.is_implicit
    ]
    kept: list[_Rule] = []
    parent: _Rule | None = None
    for rule in rules:
        if rule.is_parent:
            parent = rule
        elif parent is not None and rule.verdict.kind == parent.verdict.kind and rule.level > 0:
            # An alternative of "one of the following": one that fits settles the whole group,
            # so the others are not asked again.
            if rule.met and not parent.met:
                parent.verdict = parent.verdict.model_copy(update={"verdict": rule.verdict.verdict})
            continue
        else:
            parent = None
        if not rule.explanation.skip and rule.text:
            kept.append(rule)
    return kept


def _listed(intro: str, items: Sequence[str]) -> list[str]:
    """Sentences "{intro}: a; b; c." then "Also: d; e.", each within the sentence-length limit."""
    sentences: list[str] = []
    lead, current = intro, []
    for item in items:
        if current and count_words(f"{lead}: {'; '.join([*current, item])}.") > MAX_SENTENCE_WORDS:
            sentences.append(f"{lead}: {'; '.join(current)}.")
            lead, current = "Also", []
        current.append(item)
    if current:
        sentences.append(f"{lead}: {'; '.join(current)}.")
    return sentences


def _shorts(rules: Sequence[_Rule]) -> list[str]:
    return list(dict.fromkeys(r.explanation.short for r in rules if r.explanation.short))


def _why_it_may_fit(
    sec: _Section, trial: NormalizedTrial, facts: CaseFacts, rules: Sequence[_Rule], age: _AgeFit
) -> None:
    fits = [r for r in rules if r.met and r.verdict.kind == "inclusion"]
    age_fits = age.fits
    shorts = (["the age"] if age_fits else []) + _shorts(fits)
    if shorts:
        for sentence in _listed("What seems to fit", shorts[:5]):
            sec.add(sentence, "verdicts")
    else:
        sec.add(f"We could not yet match the {_noun(trial)}'s rules to the case notes.", "verdicts")
    age_rule = _age_rule(trial)
    if age_fits and age_rule:
        sec.add(age_rule, *_age_sources(trial))
        sec.add(f"The age in the case notes is {format_age(facts.age_years)}.", "case.age_years")  # type: ignore[arg-type]
        if age.final_year:
            top = int(trial.maximum_age_years or 0)
            sec.add(
                f"The upper limit of {top} years includes the whole year in which someone is {top}.",
                "trial.maximum_age_years",
            )
    for rule in fits[: MAX_RULES_SHOWN - 1]:
        sentence = rule.rule_sentence()
        if sentence:
            sec.add(sentence, *rule.refs)
            if rule.explanation.case_says:
                sec.add(rule.explanation.case_says, *rule.refs, "case.summary")
    absent = [
        r
        for r in rules
        if r.met and r.verdict.kind == "exclusion" and r.explanation.topic not in _VAGUE_TOPICS
    ]
    labels = list(dict.fromkeys(r.explanation.label for r in absent))[:3]
    if labels:
        # One short sentence per reason: a list of them in one sentence runs past the sentence-length limit.
        sec.add(f"We checked the reasons the {_noun(trial)} gives for not taking someone.", "trial.eligibility")
        for label in labels:
            refs = [ref for r in absent if r.explanation.label == label for ref in r.refs]
            sec.add(f"Nothing in the case notes points to {label}.", *refs)
    sec.add(f"Only the {_noun(trial)} team can decide who may take part.", "trial.eligibility")


def _what_we_could_not_confirm(
    sec: _Section, trial: NormalizedTrial, facts: CaseFacts, rules: Sequence[_Rule], age: _AgeFit
) -> None:
    blocking = [r for r in rules if r.verdict.blocks_eligibility]
    unknown = [r for r in rules if r.verdict.is_unknown]
    age_fits = age.fits
    open_points = (["the age"] if age_fits is False else []) + _shorts(blocking + unknown)
    if open_points:
        for sentence in _listed("To check with the study team", open_points[:5]):
            sec.add(sentence, "verdicts")
    else:
        sec.add("We found no open questions in the rules we checked.", "verdicts")
    age_rule = _age_rule(trial)
    failing = _quote(age.failing_rule.criterion_text) if age.failing_rule else None
    if failing and age.failing_rule:
        refs = _rule_ref(age.failing_rule)
        sec.add(f"The case notes may not meet this age rule: “{failing}”.", *refs)
        sec.add(f"The age in the case notes is {format_age(facts.age_years)}.", "case.age_years")  # type: ignore[arg-type]
        sec.add("Please check it with the doctor.", *refs)
    elif age_rule and age_fits is False:
        sec.add(age_rule, *_age_sources(trial))
        sec.add(
            f"The age in the case notes, {format_age(facts.age_years)}, is outside this range.", "case.age_years"
        )  # type: ignore[arg-type]
    elif age_rule and facts.age_years is None:
        sec.add(age_rule, *_age_sources(trial))
        sec.add("The case notes do not give an age.", "case.age_years")
    shown = 0
    for rule in blocking + unknown:
        sentence = rule.rule_sentence()
        if not sentence or shown >= MAX_RULES_SHOWN:
            continue
        shown += 1
        if rule.verdict.blocks_eligibility:
            sec.add(
                f"The case notes may not meet this rule. {sentence}", *rule.refs
            )
            if rule.explanation.case_says:
                sec.add(rule.explanation.case_says, *rule.refs, "case.summary")
            sec.add("Please check it with the doctor.", *rule.refs)
        elif rule.explanation.case_says:
            # The case already speaks to it: say what it says instead of asking the family again.
            sec.add(sentence, *rule.refs)
            sec.add(rule.explanation.case_says, *rule.refs, "case.summary")
            sec.add("The study team needs to confirm it.", *rule.refs)
        else:
            sec.add(sentence, *rule.refs)
            sec.add(rule.explanation.question or "Ask the study team about it.", *rule.refs)
    # Rules too long to quote in one readable sentence are not shown either: the family hears there are more.
    if shown < len(blocking + unknown):
        sec.add(
            "The record lists more rules. The study team can go through them with you.", "trial.eligibility"
        )
    if trial.overall_status not in OPEN_STATUSES:
        sec.add(f"The record says the study {STATUS_PLAIN[trial.overall_status]}.", "trial.overall_status")
    sec.add("Ask the study team if a place is open now.", "trial.overall_status")


def _phase_words(phases: Sequence[str]) -> str:
    numbers = sorted({"".join(c for c in p if c.isdigit()) for p in phases if p != "NA"} - {""})
    if not numbers:
        return ""
    early = "early " if "EARLY_PHASE1" in phases and len(numbers) == 1 else ""
    return f"{early}phase {'/'.join(numbers)}"


def _record_sentences(trial: NormalizedTrial, pattern: re.Pattern[str]) -> list[tuple[str, str]]:
    """Whole record sentences that match pattern and can be quoted, with the field they come from."""
    found = []
    for field in ("brief_summary", "detailed_description"):
        for sentence in split_sentences(getattr(trial, field) or ""):
            sentence = re.sub(r"^How to request access:\s*", "", sentence, flags=re.I)
            quote = _quote_within(_RECORD_SAYS, sentence) if pattern.search(sentence) else None
            if quote and len(quote.split()) == len(sentence.split()):
                found.append((quote, f"trial.{field}"))
    return found[:MAX_RECORD_SENTENCES]


def _quote_record(
    sec: _Section, trial: NormalizedTrial, pattern: re.Pattern[str], otherwise: str, source: str
) -> None:
    """Quote the record's sentences on a subject, or say the general thing when it has none."""
    found = _record_sentences(trial, pattern)
    for quote, field in found:
        sec.add(_RECORD_SAYS.format(quote), field)
    if not found:
        sec.add(otherwise, source)


def _what_taking_part_involves(sec: _Section, trial: NormalizedTrial) -> None:
    phase = _phase_words(trial.phases)
    if phase:
        sec.add(f"This is a {phase} study.", "trial.phases")
    if (trial.allocation or "").upper() == "RANDOMIZED":
        sec.add("People are put into groups by chance, like a coin toss.", "trial.allocation")
    elif (trial.allocation or "").upper() == "NON_RANDOMIZED":
        sec.add("People are not put into groups by chance.", "trial.allocation")
    if (trial.masking or "").upper() == "NONE":
        sec.add(
            "Everyone, including the patient and doctors, knows which treatment is given.", "trial.masking"
        )
    elif trial.masking:
        sec.add("Some people in the study do not know which treatment is given.", "trial.masking")
    if trial.enrollment:
        sec.add(f"The study plans to include about {trial.enrollment} people.", "trial.enrollment")
    _quote_record(
        sec, trial, _INVOLVES, "The record does not say how many visits there are. Ask the study team.",
        "trial.detailed_description",
    )  # fmt: skip
    if trial.sponsor:
        sec.add(f"The study is run by {trial.sponsor}.", "trial.sponsor")


def _place(site: Site) -> str:
    where = ", ".join(p for p in (site.city, site.country) if p)
    if site.facility and where:
        return f"{site.facility} in {where}"
    return site.facility or (f"A site in {where}" if where else "A study site")


def _contact_sentences(sec: _Section, contact: Contact, who: str, source: str) -> bool:
    if contact.name:
        sec.add(f"{who} is {contact.name}.", source)
    ways = [
        f"call {contact.phone}" if contact.phone else "",
        f"e-mail {contact.email}" if contact.email else "",
    ]
    if any(ways):
        sec.add(f"You can {_join(ways, 'or')}.", source)
    return bool(contact.name or any(ways))


def _where_and_contact(
    sec: _Section, trial: NormalizedTrial, nearest_sites: Sequence[tuple[Site, float | None]]
) -> None:
    for site, distance in list(nearest_sites)[:MAX_SITES_SHOWN]:
        place = _place(site)
        if distance is not None:
            sec.add(f"{place} is {distance_phrase(distance)} away.", "trial.sites", "site.distance_km")
        else:
            sec.add(f"{place} is one of the study sites.", "trial.sites")
        if site.status and site.status in STATUS_PLAIN:
            sec.add(f"This site {STATUS_PLAIN[site.status]}.", "trial.sites")
    if not nearest_sites:
        sec.add("The record does not list a study site near the family.", "trial.sites")
    said = any(
        _contact_sentences(sec, c, "The study team's contact", "trial.central_contacts")
        for c in trial.central_contacts[:1]
    )
    if not said:
        for site, _ in list(nearest_sites)[:1]:
            said = any(
                _contact_sentences(sec, c, "The contact at the nearest site", "trial.sites")
                for c in site.contacts[:1]
            )
    if not said:
        sec.add(
            "The record does not list a contact. Your doctor can ask the sponsor.", "trial.central_contacts"
        )
    ref = " You can look it up on ClinicalTrials.gov." if trial.registry_id.upper().startswith("NCT") else ""
    sec.add(f"The study number is {trial.registry_id}.{ref}", "trial.registry_id")


def _how_to_request_access(sec: _Section, trial: NormalizedTrial) -> None:
    sec.add("This programme may give the treatment to people who cannot join a study.", "trial.study_type")
    sec.add(f"The record says the programme {STATUS_PLAIN[trial.overall_status]}.", "trial.overall_status")
    for access_type in trial.expanded_access_types:
        sec.add(ACCESS_TYPE_PLAIN[access_type], "trial.expanded_access_types")
    _quote_record(
        sec, trial, _REQUEST, "In general, the patient's own doctor sends the request to the programme contact.",
        "glossary.expanded access",
    )  # fmt: skip
    contact = next((c for c in trial.central_contacts if c.phone or c.email or c.name), None)
    if not (contact and _contact_sentences(sec, contact, "The programme contact", "trial.central_contacts")):
        sec.add("The record does not list a contact for requests.", "trial.central_contacts")


def draft_trial_summary_offline(
    trial: NormalizedTrial,
    facts: CaseFacts,
    verdicts: Sequence[CriterionVerdict],
    nearest_sites: Sequence[tuple[Site, float | None]],
) -> TrialSummaryDraft:
    """Write a trial summary from the record's structure, the case facts and the verdicts, with sources per sentence."""
    reading = read_record(trial)
    rules = _rules(trial, facts, verdicts)
    age = _AgeFit(trial, facts, verdicts)
    writers = {
        "what_is_tested": lambda sec: _what_is_tested(sec, trial, reading),
        "why_it_may_fit": lambda sec: _why_it_may_fit(sec, trial, facts, rules, age),
        "what_we_could_not_confirm": lambda sec: _what_we_could_not_confirm(sec, trial, facts, rules, age),
        "what_taking_part_involves": lambda sec: _what_taking_part_involves(sec, trial),
        "where_and_contact": lambda sec: _where_and_contact(sec, trial, nearest_sites),
        "how_to_request_access": lambda sec: _how_to_request_access(sec, trial),
    }
    sections = []
    for key in required_sections("trial", trial.study_type):
        # Each section explains its own terms: a family may read one section alone (issue 16).
        sec = _Section(key, set(), reading.features)
        writers[key](sec)
        sections.append(sec.build(trial.study_type))
    return TrialSummaryDraft(registry_id=trial.registry_id, sections=sections)


def draft_case_overview_offline(options: Sequence[OptionSummary], facts: CaseFacts) -> CaseOverviewDraft:
    """Write the case overview (what we looked for, next steps, disclaimer) from the options and facts alone."""
    ordered = order_options(options)
    explained: set[str] = set()
    overview = _Section("overview", explained, {})
    if ordered:
        overview.add(f"We found {len(ordered)} options that may fit.", "options")
        overview.add(
            "The table lists them with open options first. Each one then has its own part, in the same order.",
            "options",
        )
    else:
        overview.add("We did not find an option that fits the case notes yet.", "options")
    about = []
    if facts.age_years is not None:
        about.append(f"aged {format_age(facts.age_years)}")
    if facts.diagnosis:
        about.append(f"with {facts.diagnosis}")
    if about:
        overview.add(
            f"We looked for options for a patient {' '.join(about)}.", "case.age_years", "case.diagnosis"
        )
    next_steps = _Section("next_steps", explained, {})
    for text in (
        "Share this report with the doctor who knows the patient best.",
        "Ask each study team the questions listed in its part of the report.",
        "Check that a place is open before you plan any travel.",
        "Studies can fill up or close, so it helps to ask soon.",
    ):
        next_steps.add(text, "guidance")
    disclaimer = _Section("disclaimer", explained, {})
    for text in (
        "This report gives information. It is not medical advice.",
        "We cannot promise any outcome from any of these options.",
        "Please talk about every option with your doctor before you decide anything.",
        "Details in study records can change, so check them with the study team.",
    ):
        disclaimer.add(text, "guidance")
    return CaseOverviewDraft(sections=[s.build() for s in (overview, next_steps, disclaimer)])
