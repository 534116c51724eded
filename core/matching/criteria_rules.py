"""Rule-based assessment of eligibility criteria against a case's sentences and extracted facts."""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from pydantic import BaseModel

from core.domain.case_facts import CaseFacts
from core.domain.trial import NormalizedTrial, ParsedCriterion
from core.domain.verdicts import CriterionVerdict
from core.matching.antigens import judge_targets, trial_targets
from core.matching.criteria_limits import (
    AGE_WORD,
    BOTH_SEXES,
    ECOG_TO_K,
    PS_SCALE_E,
    PS_SCALE_K,
    age_within,
    parse_age_limits,
    parse_performance_limits,
    parse_sex_requirement,
)
from core.matching.criteria_terms import STOPWORDS, WORD, content_stems, find_concept, read_sentence
from core.matching.diseases import (
    case_diseases,
    disease_table,
    judge_fit,
    named_diseases,
    trial_diseases,
    widens_beyond_named,
)
from core.matching.markers import judge_markers, required_markers
from core.matching.therapies import TherapyHistory, find_therapies, read_history
from core.nlp.sentences import split_sentences

Kind = Literal["inclusion", "exclusion"]

# What experts answer when the note says nothing about a criterion: an unmentioned inclusion
# requirement cannot be confirmed, while an unmentioned exclusion (a condition a careful note
# would report) is read as absent.
SILENT_LABEL: dict[str, str] = {"inclusion": "not enough information", "exclusion": "not excluded"}


@dataclass
class Finding:
    """What one rule concluded: a positive/negative answer to 'does the criterion hold?'."""

    holds: bool | None  # True: the criterion's condition is true of the patient; None: unknown
    evidence: list[int] = field(default_factory=list)
    explanation: str = ""
    not_applicable: bool = False
    decisive: bool = True  # False: only a partial answer (e.g. age fits, rest unchecked)
    # An exclusion written for the other sex does not concern this patient at all.
    exclusion_not_applicable: bool = False


class EligibilitySummary(BaseModel):
    """Counts of met / unknown / not-met criteria and the verdict that decides eligibility."""

    met: int
    unknown: int
    not_met: int
    likely_eligible: bool
    deciding: CriterionVerdict | None = None


def _wordset(text: str) -> frozenset[str]:
    return frozenset(text.split())


# ----------------------------------------------------------------------------------------------
# Helpers over the note


def _content_words(text: str) -> set[str]:
    """Lower-case words that carry meaning (unstemmed), to judge what else a criterion asks."""
    return {w.strip("-") for w in WORD.findall(text.lower()) if w not in STOPWORDS and len(w) > 2}


def _age_sentence(sentences: Sequence[str]) -> list[int]:
    for i, s in enumerate(sentences):
        if re.search(r"\d+[\s-]*(?:year|yr|month|week|day)s?[\s-]*old|\b\d+\s*y/?o\b|\baged?\s+\d", s, re.I):
            return [i]
    return [0] if sentences else []


def _find_sentences(sentences: Sequence[str], pattern: re.Pattern[str]) -> list[int]:
    return [i for i, s in enumerate(sentences) if pattern.search(s)]


# ----------------------------------------------------------------------------------------------
# Rules: each returns a Finding about whether the criterion's condition holds, or None.

SEX_AGE_FILLER = _wordset(
    """male males female females man men woman women boy boys girl girls sex sexes gender genders
    adult adults child children infant infants older younger over under above below between inclusive
    aged age ages years year old yrs day inclusion non-pregnant pregnant non least at and or than equal
    greater subjects patients volunteers healthy life premenopausal postmenopausal pre-menopausal
    post-menopausal included entry time consent enrolment enrollment screening registration study"""
)


def _is_only_about_age_and_sex(text: str) -> bool:
    words = [w for w in _content_words(re.sub(r"\d+(?:\.\d+)?", " ", text)) if w not in SEX_AGE_FILLER]
    return not words


def rule_demographics(text: str, sentences: Sequence[str], facts: CaseFacts) -> Finding | None:
    """Age limits and sex stated in the criterion, checked against the patient's age and sex."""
    limits = (
        parse_age_limits(text)
        if AGE_WORD.search(text) or re.search(r"\d\s*(?:years|yrs|months)", text, re.I)
        else None
    )
    sex_req = parse_sex_requirement(text)
    if limits is None and sex_req is None:
        return None
    only = _is_only_about_age_and_sex(text)
    evidence = _age_sentence(sentences)
    if limits is not None:
        lo, hi = limits
        if facts.age_years is None:
            return Finding(None, [], "The note does not give the patient's age", decisive=only)
        if not age_within(facts.age_years, lo, hi):
            # an exclusion about something in an age group the patient is not in does not concern them
            return Finding(
                False, evidence, f"Patient is {facts.age_years:g}; criterion asks {_describe(lo, hi)}",
                exclusion_not_applicable=not only,
            )
    if sex_req in ("female", "male"):
        if facts.sex == "unknown":
            return Finding(None, [], "The note does not give the patient's sex", decisive=only)
        if facts.sex != sex_req:
            return Finding(
                False,
                evidence,
                f"Criterion is for {sex_req} patients; patient is {facts.sex}",
                exclusion_not_applicable=True,
            )
    menopause = _check_menopause(text, facts)
    if menopause is not None and menopause is not True:
        menopause.evidence = evidence if menopause.holds is False else []
        menopause.decisive = only or menopause.holds is False
        return menopause
    if not only:
        return Finding(True, evidence, "Age and sex fit; the rest was not checked", decisive=False)
    return Finding(True, evidence, "Patient's age and sex fit the criterion")


POSTMENOPAUSAL = re.compile(r"\bpost[\s-]?menopaus\w*", re.I)
PREMENOPAUSAL = re.compile(r"\bpre[\s-]?menopaus\w*", re.I)


def _check_menopause(text: str, facts: CaseFacts) -> Finding | Literal[True] | None:
    """Menopausal status from age when the note is silent: clear below 45 and from 55, unsure between."""
    post, pre = POSTMENOPAUSAL.search(text), PREMENOPAUSAL.search(text)
    if not (post or pre) or facts.sex != "female":
        return None
    said = re.search(r"menopaus", facts.summary, re.I)
    age = facts.age_years
    if said or age is None or 45 <= age < 55:
        return Finding(None, [], "Menopausal status cannot be told from the note")
    is_post = age >= 55
    if bool(post) == is_post:
        return True
    return Finding(False, [], f"A {age:g}-year-old is unlikely to be {'post' if post else 'pre'}menopausal")


def _describe(lo: float | None, hi: float | None) -> str:
    if lo is not None and hi is not None:
        return f"ages {lo:g} to {hi:g}"
    if lo is not None:
        return f"age {lo:g} or older"
    return f"age up to {hi:g}"


PREGNANCY_C = re.compile(
    r"\b(pregnan\w*|lactat\w*|breast[\s-]?feed\w*|nursing|child[\s-]?bearing|contracep\w*|gonadotropin|hcg|birth control)\b",
    re.I,
)


REQUIRES_NOT_PREGNANT = re.compile(
    r"\b(non[\s-]?pregnant|not pregnant|negative (?:urine |serum )?(?:pregnancy|hcg|\w+ gonadotropin)|contracep\w*|birth control|"
    r"must (?:use|agree|have)|adequate|effective|reliable)",
    re.I,
)


def rule_pregnancy(text: str, sentences: Sequence[str], facts: CaseFacts) -> Finding | None:
    """Pregnancy, breastfeeding and contraception: not applicable to men and young children."""
    if not PREGNANCY_C.search(text) or BOTH_SEXES.search(text):
        return None
    if facts.sex == "male" or (facts.age_years is not None and facts.age_years < 10):
        who = "a male patient" if facts.sex == "male" else "a young child"
        return Finding(None, [], f"Pregnancy criteria do not apply to {who}", not_applicable=True)
    wants_pregnant = not REQUIRES_NOT_PREGNANT.search(text)
    # Decisive only when the criterion is about pregnancy alone, not "pregnant women with anaemia".
    short = not [
        w
        for w in _content_words(text)
        if not PREGNANCY_C.search(w)
        and not re.match(r"gestation|week|trimester", w)
        and w not in SEX_AGE_FILLER
    ]
    if facts.pregnant is True:
        evidence = _find_sentences(sentences, re.compile(r"pregnan|gestation", re.I))
        return Finding(wants_pregnant, evidence, "The note says the patient is pregnant", decisive=short)
    if facts.pregnant is False:
        evidence = _find_sentences(sentences, re.compile(r"pregnan|menopaus|hysterectomy", re.I))
        if wants_pregnant:
            return Finding(False, evidence, "The note says the patient is not pregnant")
        return Finding(True, evidence, "The note says the patient is not pregnant", decisive=short)
    # Experts will not assume a woman is not pregnant when the note is silent.
    return Finding(None, [], "The note does not say whether the patient is pregnant or breastfeeding")


CONSENT_C = re.compile(
    r"\b(consent|assent|comply|compliance|compliant|willing|able to attend|follow[\s-]?up visits?|cooperat\w*)\b",
    re.I,
)
CONSENT_NOTE = re.compile(r"\b(informed consent|consent|comply|compliance|compliant|willing)\b", re.I)


# Wording that turns a criterion into its opposite ("unable to consent", "no prior CAR-T").
NEGATIVE_WORDING = re.compile(
    r"\b(no|not|non|unable|inability|unwilling|unwillingness|refus\w*|missing|failure|fail\w*|lack\w*|without|"
    r"declin\w*|incapable|cannot|can't|never|absence|free of|negative for|na[iï]ve|none)\b|\bnon-",
    re.I,
)


def _is_negative(text: str) -> bool:
    return bool(NEGATIVE_WORDING.search(text))


def _is_negated_before(text: str, start: int, window: int = 80) -> bool:
    """True when negative wording sits before position `start` in the same clause."""
    before = re.split(r"[;:.]|\bbut\b", text[max(0, start - window) : start])[-1]
    return _is_negative(before)


def rule_consent(text: str, sentences: Sequence[str], facts: CaseFacts) -> Finding | None:
    """Informed consent and willingness to comply, when the note states them."""
    if not CONSENT_C.search(text):
        return None
    hits = _find_sentences(sentences, CONSENT_NOTE)
    if not hits:
        return None
    refusing = any(re.search(r"\b(refus|unable|unwilling|declin)", sentences[i], re.I) for i in hits)
    consents = not refusing
    # "Unable to give consent" holds exactly when the patient does not consent.
    cue = CONSENT_C.search(text)
    holds = consents != (cue is not None and _is_negated_before(text, cue.start()))
    explanation = (
        "The note says the patient will consent and comply"
        if consents
        else "The note says the patient declines"
    )
    return Finding(holds, hits[-1:], explanation)


# ----------------------------------------------------------------------------------------------
# Performance status

PATIENT_PS = re.compile(r"\b(ECOG|WHO|Zubrod|Karnofsky|KPS|Lansky)\D{0,12}?(\d{1,3})\b", re.I)


def _patient_ps(facts: CaseFacts, scale: str) -> set[int] | None:
    """The patient's performance status on the criterion's scale (a set when conversion is inexact)."""
    m = PATIENT_PS.search(facts.performance_status or "")
    if m is None:
        return None
    name, v = m.group(1).upper(), int(m.group(2))
    if name in ("ECOG", "WHO", "ZUBROD"):
        if v > 4:
            return None
        return {v} if scale == "E" else set(ECOG_TO_K.get(v, ()))
    k = int(round(v / 10.0)) * 10
    if scale == "K":
        return {k}
    return {e for e, ks in ECOG_TO_K.items() if k in ks} or ({0} if k >= 90 else {4})


def rule_performance(text: str, sentences: Sequence[str], facts: CaseFacts) -> Finding | None:
    """ECOG / Karnofsky / Lansky thresholds, converting between scales when they differ."""
    scale = "K" if PS_SCALE_K.search(text) else "E" if PS_SCALE_E.search(text) else None
    if scale is None:
        return None
    allowed = parse_performance_limits(text, scale)
    if allowed is None:
        return None
    patient = _patient_ps(facts, scale)
    if patient is None:
        return Finding(None, [], "The note gives no performance status")
    evidence = _find_sentences(sentences, re.compile(r"\b(ecog|karnofsky|kps|lansky|performance)\b", re.I))
    if patient <= allowed:
        return Finding(True, evidence, f"{facts.performance_status} is within the criterion")
    if not patient & allowed:
        return Finding(False, evidence, f"{facts.performance_status} is outside the criterion")
    return Finding(
        None, evidence, f"{facts.performance_status} cannot be placed exactly on the criterion's scale"
    )


# ----------------------------------------------------------------------------------------------
# Prior therapy and disease status

THERAPY_CUE = re.compile(
    r"\b(prior|previous|previously|received|receiving|treated|treatment with|therapy with|history of|failed|"
    r"failure of|after|following|exposure|exposed|na[iï]ve|refractory to|relapsed after|post|had|underwent|undergone)\b",
    re.I,
)


# "No prior CAR-T", "not previously treated with", "naive to": negation right before the therapy.
THERAPY_NEGATION = re.compile(
    r"\b(?:no|not|never|without|na[iï]ve to|free of)\s+(?:(?:prior|previous(?:ly)?|received|receiving|treated|"
    r"treatment|therapy|with|had|have|any|history|of|exposure|to|been|a|an|the|undergone|underwent|by)\s+){0,4}$",
    re.I,
)
THERAPY_NAIVE_AFTER = re.compile(r"^[\s-]*na[iï]ve\b", re.I)
# A treatment the criterion plans rather than asks about ("a donor and agreement to proceed to HSCT").
FUTURE_CUE = re.compile(
    r"\b(?:proceed(?:ing)? to|candidate for|eligible for|planned|scheduled|donor|willing to|to undergo|to receive|"
    r"agreement|bridg\w* to|prior to|before|consolidat\w* with|intend\w*)\b",
    re.I,
)
# "Within 100 days of HSCT", "at least 4 weeks since": whether it holds depends on dates the note rarely gives.
TIMING = re.compile(
    r"\bwithin\b|\bin the (?:last|past|previous|preceding)\b|\b(?:less|more|fewer|greater) than \d|\bat least \d+\s*"
    r"(?:days?|weeks?|months?)|\d+\s*(?:days?|weeks?|months?|years?)\s+(?:before|prior|of|since|after|from|post)|"
    r"\bsince\b|\brecent(?:ly)?\b|[<>≤≥]",
    re.I,
)

# "(prior inotuzumab is allowed)", "except hydroxyurea": a treatment the criterion lets through.
EXCEPTION_CUE = re.compile(r"\b(?:allowed|permitted|acceptable|except|other than|excluding|apart from)\b", re.I)


def _is_exception(text: str, start: int) -> bool:
    """True when the treatment at `start` sits in a parenthesis or clause that makes it an exception."""
    opened = text.rfind("(", 0, start)
    if opened > text.rfind(")", 0, start):
        closed = text.find(")", start)
        return bool(EXCEPTION_CUE.search(text[opened : closed if closed > 0 else len(text)]))
    clause_start = max(text.rfind(c, 0, start) for c in ";:.,")
    return bool(EXCEPTION_CUE.search(text[clause_start + 1 : start]))


# The last case's history: matching runs in several threads (jobs, the UI), so reading and replacing it is
# done under a lock; a thread never sees another case's history or an emptied memo.
_history_lock = threading.Lock()
_history_memo: dict[tuple, TherapyHistory] = {}


def case_history(facts: CaseFacts, sentences: Sequence[str]) -> TherapyHistory:
    """The case's treatment history, read once per case (every criterion of every trial asks for it)."""
    key = (id(facts), facts.summary, tuple(facts.prior_therapies), tuple(facts.negations), tuple(sentences))
    with _history_lock:
        history = _history_memo.get(key)
    if history is None:
        history = read_history(facts, sentences)  # outside the lock: reading a case is the slow part
        with _history_lock:
            _history_memo.clear()
            _history_memo[key] = history
    return history


# Words a prior-treatment criterion may use besides the treatments and still ask nothing else.
_THERAPY_CRITERION_WORDS = _wordset(
    """prior previous previously received receive receiving treated treatment treatments therapy therapies history
    after following exposure exposed naive naïve refractory relapse relapsed relapsing progression progressed
    post any had have has failed failure no not never without patients patient who including include allowed
    permitted line lines course courses cycle cycles regimen regimens agent agents drug drugs documented"""
)


def _words_besides_therapies(text: str, mentions: Sequence) -> set[str]:
    kept, pos = [], 0
    for m in mentions:
        kept.append(text[pos : m.start])
        pos = max(pos, m.end)
    kept.append(text[pos:])
    return _content_words(" ".join(kept)) - _THERAPY_CRITERION_WORDS


def rule_prior_therapy(text: str, sentences: Sequence[str], facts: CaseFacts) -> Finding | None:
    """Prior treatments named in the criterion ('prior CAR-T', 'no previous transplant'), read against
    the case's history: a class is met by any member ('prior BTK inhibitor' by ibrutinib), a regimen by
    its drugs ('prior anthracycline' by R-CHOP)."""
    if not THERAPY_CUE.search(text):
        return None
    mentions = [
        m
        for m in find_therapies(text)
        if not FUTURE_CUE.search(re.split(r"[;:.]", text[: m.start])[-1]) and not _is_exception(text, m.start)
    ]
    if not mentions:
        return None
    history = case_history(facts, sentences)
    named = list(dict.fromkeys(m.concept for m in mentions))
    negative = any(
        THERAPY_NEGATION.search(text[max(0, m.start - 40) : m.start]) or THERAPY_NAIVE_AFTER.search(text[m.end :])
        for m in mentions
    )
    had = {c: ids for c in named if (ids := history.has_had(c)) is not None}
    decisive = len(_words_besides_therapies(text, mentions)) <= 2
    if had:
        what = ", ".join(had)
        evidence = sorted({i for ids in had.values() for i in ids})
        if TIMING.search(text):
            return Finding(None, evidence, f"The case reports prior {what}, but not whether the timing fits", decisive=False)
        return Finding(not negative, evidence, f"The case reports prior {what}", decisive=decisive)
    denied = {c: ids for c in named if (ids := history.denies(c)) is not None}
    if denied and len(denied) == len(named):
        evidence = sorted({i for ids in denied.values() for i in ids})
        return Finding(
            negative, evidence, f"The case says the patient has not had {', '.join(denied)}", decisive=decisive
        )
    return Finding(
        None, [], f"The case does not say whether the patient had {', '.join(named)}", decisive=False
    )


ORDINALS = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4, "fifth": 5}
_ORDINAL = r"(first|1st|second|2nd|third|3rd|fourth|4th|fifth)"
CASE_RELAPSE_NUMBER = re.compile(rf"\b{_ORDINAL}\s+(?:\w+\s+){{0,2}}?relapse\b|\brelapsed\s+(?:a\s+)?{_ORDINAL}\s+time", re.I)
CRIT_RELAPSE_ATLEAST = re.compile(
    rf"\b{_ORDINAL}\s+or\s+(?:later|greater|subsequent|more|further|higher)\s+(?:\w+\s+){{0,2}}?relapse|"
    rf"\b(?:≥|>=)\s*{_ORDINAL}\s+relapse|\b(?:≥|>=|at least)\s*(\d)\s+relapses",
    re.I,
)
CRIT_RELAPSE_EXACT = re.compile(rf"^\W*(?:in\s+|at\s+)?{_ORDINAL}\s+(?:\w+\s+){{0,2}}?relapse\b", re.I)
CRIT_NO_PRIOR_RELAPSE = re.compile(r"^\W*no\s+(?:prior|previous|earlier)\s+relapses?\W*$", re.I)


def case_relapse_number(facts: CaseFacts) -> int | None:
    """Which relapse the case is in ("second relapse" -> 2), from its diagnosis, status and summary."""
    for text in (facts.disease_status or "", facts.diagnosis, facts.summary):
        m = CASE_RELAPSE_NUMBER.search(text)
        if m:
            return ORDINALS[(m.group(1) or m.group(2)).lower()]
    return None


def rule_relapse_number(text: str, sentences: Sequence[str], facts: CaseFacts) -> Finding | None:
    """'First relapse', 'second or later relapse', 'no prior relapse' against which relapse the case is in."""
    at_least, exact, none_before = (
        CRIT_RELAPSE_ATLEAST.search(text), CRIT_RELAPSE_EXACT.search(text), CRIT_NO_PRIOR_RELAPSE.search(text)
    )  # fmt: skip
    if not (at_least or exact or none_before):
        return None
    number = case_relapse_number(facts)
    if number is None:
        return None
    evidence = _find_sentences(sentences, CASE_RELAPSE_NUMBER)
    said = f"The case is in relapse number {number}"
    if none_before:
        return Finding(number == 1, evidence, said)
    if at_least:
        word = at_least.group(1) or at_least.group(2) or at_least.group(3)
        needed = ORDINALS.get(word.lower()) if not word.isdigit() else int(word)
        return Finding(number >= (needed or 1), evidence, said, decisive=len(text) < 60)
    needed = ORDINALS[exact.group(1).lower()]  # type: ignore[union-attr]
    return Finding(number == needed, evidence, said, decisive=len(text) < 40)


CRIT_RELAPSED = re.compile(
    r"\b(relapsed|relapse|recurrent|recurrence|refractory|resistant|second or (?:later|greater))\b", re.I
)
CRIT_NEWLY = re.compile(
    r"\b(newly[\s-]diagnosed|previously untreated|untreated|treatment[\s-]na[iï]ve|de novo|first[\s-]line)\b",
    re.I,
)


def rule_disease_status(text: str, sentences: Sequence[str], facts: CaseFacts) -> Finding | None:
    """Relapsed/refractory versus newly diagnosed disease."""
    wants_relapsed, wants_newly = bool(CRIT_RELAPSED.search(text)), bool(CRIT_NEWLY.search(text))
    if wants_relapsed == wants_newly or facts.disease_status is None:
        return None
    patient_relapsed = facts.disease_status != "newly diagnosed"
    evidence = _find_sentences(sentences, re.compile(r"relaps|recurr|refractor|newly|untreated", re.I))
    holds = patient_relapsed == wants_relapsed
    return Finding(holds, evidence, f"The patient's disease is {facts.disease_status}", decisive=False)


# ----------------------------------------------------------------------------------------------
# Conditions named in the criterion

LEAD_NEGATION = re.compile(
    r"^\s*(?:\d+[.)]\s*)?(?:no|not|without|absence of|free of|negative for|non-|never had|does not have)\b",
    re.I,
)
ALTERNATIVES = re.compile(r",|;|\bor\b|/|\band/or\b", re.I)
COMPLEX = re.compile(
    r"\d|\bif\b|\bunless\b|\bexcept\b|\bdefined\b|\bsuch as\b|\be\.g\.|\bincluding\b|:", re.I
)


CURRENT_QUALIFIER = re.compile(
    r"\b(active|current|currently|ongoing|acute|recent|recently|uncontrolled|untreated)\b", re.I
)
PAST_ONLY = re.compile(
    r"\b(history of|previous|previously|prior|past|treated|resolved|remote|childhood|years ago)\b", re.I
)


def rule_condition(text: str, sentences: Sequence[str], facts: CaseFacts) -> Finding | None:
    """A short criterion naming conditions: asserted in the note -> holds; denied -> does not."""
    stripped = LEAD_NEGATION.sub("", text)
    negative = stripped != text
    if COMPLEX.search(stripped) or len(stripped) > 120:
        return None
    alternatives = [content_stems(part) for part in ALTERNATIVES.split(stripped)]
    alternatives = [a for a in alternatives if a]
    if not alternatives or any(len(a) > 4 for a in alternatives):
        return None
    note = list(sentences)
    # Facts entered at intake may not appear in the summary's sentences: match them too.
    known = [set(content_stems(c)) for c in [facts.diagnosis, *facts.conditions, *facts.biomarkers] if c]
    absent = [set(content_stems(n)) for n in facts.negations]
    asserted_any: list[int] = []
    asserted_in_facts = False
    denied_all = True
    denied_any = False
    denied_ids: list[int] = []
    uncertain_ids: list[int] = []
    for stems in alternatives:
        hits = find_concept(stems, note)
        asserted, denied = hits.asserted, hits.denied
        uncertain_ids += hits.uncertain
        in_facts = any(set(stems) <= k for k in known)
        asserted_any += asserted
        asserted_in_facts = asserted_in_facts or in_facts
        is_denied = (bool(denied) or any(set(stems) <= a for a in absent)) and not (asserted or in_facts)
        denied_ids += denied if is_denied else []
        denied_any = denied_any or is_denied
        denied_all = denied_all and is_denied
    # "Active tuberculosis" is not shown by "a history of tuberculosis".
    if (
        asserted_any
        and CURRENT_QUALIFIER.search(stripped)
        and all(PAST_ONLY.search(sentences[i]) for i in asserted_any)
    ):
        return Finding(
            None, asserted_any[:3], "The note reports this in the past; whether it is current is unclear"
        )
    if asserted_any or asserted_in_facts:
        return Finding(not negative, asserted_any[:3], "The case reports this")
    if uncertain_ids:
        return Finding(None, uncertain_ids[:3], "The note raises this only as a possibility")
    if denied_all and denied_any:
        return Finding(negative, denied_ids[:3], "The case says the patient does not have this")
    return None


# A criterion that states the disease a trial is for ("Diagnosis of asthma", "Patients with confirmed
# relapsed AML"), as opposed to one naming a disease in passing (history, other cancers, family, prior).
_DIAGNOSIS_STATEMENT = re.compile(
    r"\bdiagnos\w*|^\W*(?:patients?|participants?|subjects?|children|adults|adolescents|men|women|boys|girls)"
    r"\b|\b(?:confirmed|documented|proven|established)\b",
    re.I,
)
_PASSING_MENTION = re.compile(
    r"\b(?:no|not|non|without|free of|history of|prior|previous(?:ly)?|past|other than|except|excluding|"
    r"family|relatives?|secondary|second|another|other|contact|exposure|risk of|suspected)\b",
    re.I,
)
_FIRST_CLAUSE = re.compile(r"[;:(\n]|\band\b|,")


# What a diagnosis statement may say besides the disease and still be fully checked.
_DIAGNOSIS_WORDS = _wordset(
    """diagnosis diagnosed diagnoses confirmed documented proven established histologically cytologically
    pathologically histological cytological pathological biopsy biopsy-proven morphologically
    patients patient participants subjects children adults adolescents men women boys girls with of have has
    relapsed relapse refractory recurrent recurrence progressive primary disease positive expressing cell cells
    type known active previously untreated newly new de novo treated"""
)


def rule_main_diagnosis(text: str, sentences: Sequence[str], facts: CaseFacts) -> Finding | None:
    """A criterion stating the disease a trial is for: another disease than the case's does not hold; the
    case's own disease (or a narrower one) holds, decisively when the criterion asks nothing else."""
    if not _DIAGNOSIS_STATEMENT.search(text) or not facts.diagnosis.strip():
        return None
    first = _FIRST_CLAUSE.split(text, maxsplit=1)[0]
    if _PASSING_MENTION.search(first):
        return None
    required = named_diseases(first)
    fit = judge_fit(required, case_diseases(facts), facts.diagnosis)
    if fit is None:
        return None
    if fit.fit == "other disease":
        return Finding(False, [], fit.reason)
    if fit.fit == "unsettled":
        return Finding(None, [], fit.reason, decisive=False)
    leftover = _strip_disease_names(text, required) - _DIAGNOSIS_WORDS
    evidence = related_sentences(facts.diagnosis, sentences, limit=1)
    return Finding(True, evidence, fit.reason, decisive=not leftover)


def _strip_disease_names(text: str, diseases: Sequence[str]) -> set[str]:
    table = disease_table()
    kept, pos = [], 0
    for m in table.mentions(text):
        kept.append(text[pos : m.start])
        pos = max(pos, m.end)
    kept.append(text[pos:])
    return _content_words(re.sub(r"\d+", " ", " ".join(kept)))


_ANY_CANCER = re.compile(
    r"^\W*(?:(?:active|current|known|concurrent|ongoing)\s+)?(?:malignan\w*|cancers?|neoplas\w*)\W*$", re.I
)


def rule_any_cancer(text: str, sentences: Sequence[str], facts: CaseFacts) -> Finding | None:
    """"Malignancy" (any cancer, as an exclusion of a non-cancer trial) holds for a case diagnosed with a cancer."""
    if not _ANY_CANCER.match(text) or not facts.diagnosis.strip():
        return None
    table = disease_table()
    if not any(table.is_a(d, "cancer") for d in case_diseases(facts)):
        return None
    return Finding(True, [], f"The case's diagnosis ({facts.diagnosis}) is a cancer")


ENROLMENT_HISTORY = re.compile(
    r"\b(?:previously|already|prior(?:ly)?)\s+(?:been\s+)?(?:enrolled|randomi[sz]ed|included|participated)\s+"
    r"(?:in|into)\s+(?:this|the)\s+(?:study|trial)|\bprevious(?:ly)? (?:enrolment|enrollment|participation) in "
    r"(?:this|the) (?:study|trial)",
    re.I,
)


def rule_enrolment_history(text: str, sentences: Sequence[str], facts: CaseFacts) -> Finding | None:
    """'Previously enrolled in this study' cannot concern a case being matched for the first time."""
    if ENROLMENT_HISTORY.search(text):
        return Finding(None, [], "This concerns earlier enrolment in the same study", not_applicable=True)
    return None


RULES = (
    rule_enrolment_history,
    rule_pregnancy,
    rule_demographics,
    rule_consent,
    rule_performance,
    rule_prior_therapy,
    rule_relapse_number,
    rule_disease_status,
    rule_main_diagnosis,
    rule_any_cancer,
    rule_condition,
)


def _label(kind: Kind, finding: Finding) -> str:
    if finding.not_applicable or (kind == "exclusion" and finding.exclusion_not_applicable):
        return "not applicable"
    if finding.holds is None:
        return "not enough information"
    if kind == "inclusion":
        return "included" if finding.holds else "not included"
    return "excluded" if finding.holds else "not excluded"


def assess_criterion(
    criterion_text: str,
    kind: Kind,
    sentences: list[str],
    facts: CaseFacts,
    *,
    position: int = 0,
) -> CriterionVerdict:
    """Label one criterion from the case's sentences and facts, with evidence sentence ids."""
    if kind not in ("inclusion", "exclusion"):
        raise ValueError(f"criterion kind must be 'inclusion' or 'exclusion', got {kind!r}")
    text = criterion_text.strip()
    partial: Finding | None = None
    for rule in RULES:
        finding = rule(text, sentences, facts)
        if finding is None:
            continue
        # A failed requirement settles the criterion even when the rest of it was not checked.
        if finding.not_applicable or finding.decisive or finding.holds is False:
            return _verdict(
                kind, position, criterion_text, _label(kind, finding), finding.evidence, finding.explanation
            )
        partial = partial or finding
    explanation = (
        "The note does not report this condition"
        if kind == "exclusion"
        else "The note does not settle this criterion"
    )
    evidence = partial.evidence if partial else related_sentences(text, sentences)
    return _verdict(kind, position, criterion_text, SILENT_LABEL[kind], evidence, explanation)


def related_sentences(text: str, sentences: Sequence[str], *, limit: int = 3) -> list[int]:
    """Sentences sharing concept words with the criterion: where a reviewer should look first."""
    stems = set(content_stems(text))
    if not stems:
        return []
    scored = []
    for index, sentence in enumerate(sentences):
        shared = len(stems & set(read_sentence(sentence)[0]))
        if shared:
            scored.append((-shared, index))
    return sorted(i for _, i in sorted(scored)[:limit])


def _verdict(
    kind: Kind, position: int, text: str, label: str, evidence: list[int], explanation: str
) -> CriterionVerdict:
    return CriterionVerdict(
        kind=kind, position=position, criterion_text=text, verdict=label,  # type: ignore[arg-type]
        evidence_sentences=sorted(set(evidence)), source="rules", explanation=explanation,
    )  # fmt: skip


# Positions of the implicit criteria, shown as inclusions before the listed ones: the trial's conditions
# (its main diagnosis) and the antigen its treatment is aimed at.
CONDITIONS_POSITION = -1
TARGET_POSITION = -2
_LABELS = {"fits": "included", "unsettled": "not enough information", "other disease": "not included",
           "no target": "not included"}  # fmt: skip


def assess_conditions(conditions: Sequence[str], title: str, facts: CaseFacts) -> CriterionVerdict | None:
    """The implicit first criterion of every trial: is the case's diagnosis one the trial is for? None when
    the trial names neither conditions nor a disease in its title."""
    studied = "; ".join(c for c in conditions if c.strip())
    if not studied and not title.strip():
        return None
    label = f"Conditions studied: {studied or title}"
    fit = judge_fit(
        trial_diseases(conditions, title), case_diseases(facts), facts.diagnosis,
        open_ended=widens_beyond_named([*conditions, title]),
    )
    markers = judge_markers(required_markers(conditions), facts)
    # where the note states the diagnosis: the evidence a reviewer checks the verdict against
    evidence = related_sentences(facts.diagnosis, split_sentences(facts.summary), limit=1) if facts.diagnosis.strip() else []
    if fit is None:
        return _verdict("inclusion", CONDITIONS_POSITION, label, "not enough information", evidence,
                        _why_not_compared(studied or title, facts))  # fmt: skip
    label_of = _LABELS[fit.fit]
    if markers is not None and fit.fit != "other disease":
        # the trial is for its disease with one of the markers it lists: both must hold
        label_of = {"fits": label_of, "unsettled": "not enough information", "absent": "not included"}[markers.fit]
        if label_of == "included" and markers.fit != "fits":
            label_of = "not enough information"
        return _verdict("inclusion", CONDITIONS_POSITION, label, label_of, evidence, f"{fit.reason}. {markers.reason}")
    return _verdict("inclusion", CONDITIONS_POSITION, label, label_of, evidence, fit.reason)


def _why_not_compared(studied: str, facts: CaseFacts) -> str:
    """Which side of the comparison names no disease the knowledge tables know, in the words it uses."""
    if not facts.diagnosis.strip():
        return f"The trial is for {studied}; the case names no diagnosis to compare with it"
    if not case_diseases(facts):
        return (
            f"The trial is for {studied}; the case's diagnosis ({facts.diagnosis}) is not a disease the knowledge "
            "tables know, so a reviewer must compare them"
        )
    return (
        f"The trial's conditions ({studied}) name no disease the knowledge tables know; the case's diagnosis "
        f"({facts.diagnosis}) is {' and '.join(case_diseases(facts))}, so a reviewer must compare them"
    )


def assess_target(targets: Sequence[str], facts: CaseFacts) -> CriterionVerdict | None:
    """The implicit criterion of a treatment aimed at an antigen: does the case's disease carry it?"""
    fit = judge_targets(targets, facts)
    if fit is None:
        return None
    return _verdict(
        "inclusion", TARGET_POSITION, f"Treatment target: {' and '.join(fit.targets)}", _LABELS[fit.fit], [], fit.reason
    )


def assess_trial(
    criteria: Sequence[ParsedCriterion],
    sentences: list[str],
    facts: CaseFacts,
    conditions: Sequence[str] = (),
    *,
    title: str = "",
    targets: Sequence[str] = (),
) -> list[CriterionVerdict]:
    """Assess every criterion of a trial, in order, after the implicit ones.

    With the trial's `conditions` (and `title`), a verdict on whether the case's diagnosis is one the trial
    is for comes first: a trial for another disease (an asthma trial, a B-ALL trial for a child with T-ALL)
    is "not included" even when its listed criteria say nothing of the disease. With `targets`, a verdict on
    whether the case carries the antigen the treatment is aimed at follows. A reviewer can override both.
    """
    verdicts = settle_alternatives(
        criteria, [assess_criterion(c.text, c.kind, sentences, facts, position=c.position) for c in criteria]
    )
    implicit = [assess_conditions(conditions, title, facts) if (conditions or title) else None, assess_target(targets, facts)]
    return [v for v in implicit if v is not None] + verdicts


# A parent line that lists alternatives ("defined as one of the following:"): its items are either-or.
ALTERNATIVES_PARENT = re.compile(r"\b(?:one|any|either|at least one) of the following\b|\beither\b|\bany of\b", re.I)


def settle_alternatives(
    criteria: Sequence[ParsedCriterion], verdicts: list[CriterionVerdict]
) -> list[CriterionVerdict]:
    """Items of an either-or list do not block one by one: a failed item is one alternative gone, and only
    when every item fails does each stay "not included"."""
    groups: dict[tuple[str, str], list[int]] = {}
    for index, c in enumerate(criteria):
        if c.level > 0 and c.context and ALTERNATIVES_PARENT.search(c.context):
            groups.setdefault((c.kind, c.context), []).append(index)
    out = list(verdicts)
    for members in groups.values():
        failing = [i for i in members if out[i].blocks_eligibility]
        if not failing or len(failing) == len(members):
            continue
        open_label = "not enough information"
        for i in failing:
            v = out[i]
            out[i] = v.model_copy(
                update={"verdict": open_label, "explanation": f"One of several alternatives; this one does not hold: {v.explanation}"}
            )
    return out


def assess_trial_record(trial: NormalizedTrial, sentences: list[str], facts: CaseFacts) -> list[CriterionVerdict]:
    """assess_trial for a stored trial: its criteria, conditions, title and treatment targets."""
    return assess_trial(
        trial.criteria, sentences, facts, trial.conditions, title=trial.brief_title, targets=trial_targets(trial)
    )


def summarise_verdicts(verdicts: Sequence[CriterionVerdict]) -> EligibilitySummary:
    """Count met / unknown / not-met criteria; the first blocking verdict decides ineligibility.

    "Likely eligible" needs no blocking verdict and the main condition met: the conditions verdict
    "included" when there is one (a trial whose disease the case may not have is never likely eligible),
    else at least one criterion met (nothing checked is not a fit)."""
    met = unknown = not_met = 0
    deciding: CriterionVerdict | None = None
    main = next((v for v in verdicts if v.kind == "inclusion" and v.position == CONDITIONS_POSITION), None)
    for v in verdicts:
        if v.blocks_eligibility:
            not_met += 1
            if deciding is None:
                deciding = v
        elif v.is_unknown:
            unknown += 1
        elif v.verdict in ("included", "not excluded"):
            met += 1
    main_met = main.verdict == "included" if main is not None else met > 0
    return EligibilitySummary(
        met=met, unknown=unknown, not_met=not_met, likely_eligible=not_met == 0 and main_met, deciding=deciding
    )
