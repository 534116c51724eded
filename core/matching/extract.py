"""Extract de-identified clinical facts (age, sex, diagnosis, therapy, status, negations) from free text."""

from __future__ import annotations

import re
from functools import lru_cache

from core.domain.case_facts import CaseFacts
from core.matching.differential import names_a_disease
from core.matching.diseases import disease_table, past_diseases
from core.matching.knowledge import loader
from core.matching.therapies import find_therapies
from core.nlp.negation import context_scopes, is_in, is_negated_at
from core.nlp.sentences import split_sentences

WORD_NUMBERS: dict[str, int] = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20,
}  # fmt: skip
_NUM = r"(\d+(?:\.\d+)?|" + "|".join(WORD_NUMBERS) + r")"
_UNIT_YEARS = {
    "year": 1.0,
    "yr": 1.0,
    "y": 1.0,
    "month": 1 / 12,
    "mo": 1 / 12,
    "week": 7 / 365.25,
    "wk": 7 / 365.25,
    "day": 1 / 365.25,
}

AGE_PATTERNS: tuple[re.Pattern[str], ...] = (
    # 58-year-old, 3-month-old, 16 years old, two-year-old
    re.compile(_NUM + r"[\s-]*(year|yr|month|mo|week|wk|day)s?[\s-]*old\b", re.I),
    # aged 7, aged 7 years, age 45, at age 3 months
    re.compile(r"\bage(?:d)?\s*:?\s*" + _NUM + r"(?:\s*(year|yr|month|mo|week|wk|day)s?)?\b", re.I),
    # a 16 yo, 16 y/o, 16 y.o., 16yo
    re.compile(_NUM + r"\s*(y)(?:/o|\.o\.?|o)\b", re.I),
    # "45 M", "45F" right after an article at the start: "A 45 F with ..."
    re.compile(r"\b(?:a|an)\s+" + _NUM + r"\s*(y)?(?:-|\s)?(?:[MF])\b"),
)

FEMALE_WORDS = re.compile(
    r"\b(woman|women|female|girl|lady|mother of|wife|she|her|hers|herself|pregnant|postmenopausal|premenopausal)\b",
    re.I,
)
MALE_WORDS = re.compile(r"\b(man|men|male|boy|gentleman|husband|he|him|his|himself)\b", re.I)
# Descriptors of the patient outweigh pronouns, which may refer to relatives or clinicians.
STRONG_SEX = re.compile(r"\b(woman|female|girl|lady|man|male|boy|gentleman)\b", re.I)

# A list item that opens with one of these starts a new clause ("no GVHD, now off immunosuppression",
# "known to have ALL, now in second relapse"): the negation's or the condition's list has ended.
CLAUSE_OPENER = re.compile(r"^\s*(?:now|currently|still|then|recently|today|again|later|since|off|on)\b", re.I)
LIST_SPLIT = re.compile(r",\s*(?:and\s+|or\s+|nor\s+)?|\s+(?:and|or|nor)\s+", re.I)
TRIVIAL_NEGATED = {"", "other", "any", "the", "a", "one", "acute distress", "change", "changes"}

CONDITION_CUES = re.compile(
    r"\b(?:diagnosed with|diagnosis of|history of|known to have|known|suffers from|suffering from|"
    r"presents? with|presented with|presenting with|admitted (?:for|with)|with a history of|hx of|"
    r"found to have|complains of|c/o|"
    r"(?:year[\s-]old|yo|y/o|woman|man|boy|girl|child|infant|patient|male|female|gentleman|lady)\s+with)\s+",
    re.I,
)
CONDITION_STOP = re.compile(
    r"[.;:()]|\b(?:who|that|which|for|since|after|but|is|was|were|are|has|had|have|started|began|become|"
    r"becomes|became|when|while|in|on|at|to|from|over|during|lasting|now|currently|of the|and (?:is|was|has|had))\b",
    re.I,
)
# Words that show a captured phrase is a clause fragment, not a condition.
NOT_A_CONDITION = re.compile(
    r"^(?:had|has|have|no|not|increased|decreased|become|been|being|her|his|their|a few)\b", re.I
)

ECOG = re.compile(
    r"\b(?:ECOG|WHO|Zubrod)(?:\s+performance)?(?:\s+status)?(?:\s*(?:score|of|is|was|=|:))*\s*(?:PS\s*)?([0-4])\b",
    re.I,
)
PS_GENERIC = re.compile(r"\bperformance status(?:\s*(?:score|of|is|was|=|:))*\s*([0-4])\b", re.I)
KARNOFSKY = re.compile(
    r"\b(?:Karnofsky|KPS)(?:\s+performance)?(?:\s+(?:status|score|scale))?(?:\s*(?:of|is|was|=|:))*\s*(\d{2,3})\s*%?",
    re.I,
)
LANSKY = re.compile(
    r"\bLansky(?:\s+(?:play|performance))?(?:\s+(?:status|score|scale))?(?:\s*(?:of|is|was|=|:))*\s*(\d{2,3})\s*%?",
    re.I,
)

RELAPSED = re.compile(r"\b(relapsed|relapse[sd]?|recurrent|recurrence|recurred|second remission)\b", re.I)
REFRACTORY = re.compile(
    r"\b(refractory|primary induction failure|did not respond|no response to|progressed on|progression on)\b",
    re.I,
)
NEWLY = re.compile(
    r"\b(newly[\s-]diagnosed|new diagnosis|recently diagnosed|treatment[\s-]na[iï]ve|untreated)\b", re.I
)

# Current pregnancy only: "an ectopic pregnancy at age 26" is history, not a present state.
PREGNANT = re.compile(
    r"\b(is pregnant|currently pregnant|pregnant (?:woman|women|patient|female|at)|(?:\d+|\w+) weeks?'? (?:of )?gestation|"
    r"weeks? pregnant|gestational age|gravid|(?:first|second|third) trimester|in (?:her|the) (?:\w+ )?pregnancy|"
    r"she is pregnant|pregnant)\b",
    re.I,
)
PAST_PREGNANCY = re.compile(
    r"\b(ectopic|previous|prior|past|history of|miscarriage|terminated|former)\b", re.I
)
NOT_PREGNANT = re.compile(
    r"\b(not pregnant|non-?pregnant|negative (?:urine |serum )?(?:pregnancy|hcg|beta-hcg)|"
    r"pregnancy test\b[^.;]{0,80}\bnegative|(?:beta-)?hcg\b[^.;]{0,40}\bnegative|"
    r"postmenopausal|post-menopausal|menopause|hysterectomy|denies (?:being )?pregnan)",
    re.I,
)

@lru_cache(maxsize=1)
def _biomarker_pattern() -> re.Pattern[str]:
    """Surface antigens (CD19-negative, CD7+), the genetic markers of knowledge/markers.yaml, and MRD status."""
    genes = sorted((n for e in loader.markers().markers.values() for n in e.names), key=len, reverse=True)
    return re.compile(
        r"\b(CD\d{1,3}(?:\s*[+-](?!\w)|[\s-](?:positive|negative|expressing))?|"
        + "|".join(genes)
        + r"|MRD[\s-]?(?:positive|negative|\+|-))(?![\w])"
    )
LINES_OF_THERAPY = re.compile(
    r"\b(\d|one|two|three|four|five|six)\s+(?:prior\s+|previous\s+)?lines?\s+of\s+(?:therapy|treatment|chemotherapy)",
    re.I,
)
ORDINAL_RELAPSE = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5}

# "Family history of X", "her mother has X": a relative's condition, not the patient's.
RELATIVE_BEFORE = re.compile(
    r"\b(?:family|mother|father|parents?|siblings?|brothers?|sisters?|grand\w+|aunts?|uncles?|maternal|paternal)\W+(?:\w+\W+){0,2}$",
    re.I,
)

RELATIVE_ITEM = re.compile(r"(?:family|maternal|paternal|mother|father|sibling|brother|sister)\b", re.I)

def _to_number(token: str) -> float:
    low = token.lower()
    return float(WORD_NUMBERS[low]) if low in WORD_NUMBERS else float(token)


def extract_age(text: str) -> float | None:
    """Age in years (months, weeks and days become fractions of a year); None when absent."""
    best: tuple[int, int, float] | None = None
    for pattern in AGE_PATTERNS:
        for m in pattern.finditer(text):
            value = _to_number(m.group(1))
            unit = (m.group(2) or "year").lower() if m.lastindex and m.lastindex >= 2 else "year"
            years = value * _UNIT_YEARS.get(unit, 1.0)
            if not 0 <= years <= 125:
                continue
            # "Diagnosed at age 3" or "when aged 5" dates an event; "now 9 years old" is the age.
            historical = bool(
                re.search(
                    r"\b(?:at|since|from|by|when|until|before|after)\s+$",
                    text[max(0, m.start() - 8) : m.start()],
                    re.I,
                )
            )
            rank = (1 if historical else 0, m.start())
            if best is None or rank < best[:2]:
                best = (*rank, round(years, 3))
    return best[2] if best else None


def extract_sex(text: str) -> str:
    """'female', 'male' or 'unknown' from descriptors, falling back to pronoun counts."""
    strong = STRONG_SEX.search(text)
    if strong:
        return "female" if FEMALE_WORDS.fullmatch(strong.group(1)) else "male"
    f = len(FEMALE_WORDS.findall(text))
    m = len(MALE_WORDS.findall(text))
    if f > m:
        return "female"
    if m > f:
        return "male"
    return "unknown"


LEADING_FILLER = re.compile(
    r"^(?:no|not|without|denies|never|any|a|an|the|known|significant|prior|previous|past|other|"
    r"history of|diagnosis of|(?:chief )?complaints? of|episodes? of)\s+",
    re.I,
)


def _clean_item(item: str) -> str:
    item = item.strip()
    while True:
        shorter = LEADING_FILLER.sub("", item)
        if shorter == item:
            break
        item = shorter
    return item.strip(" ,.-").lower()


def extract_negations(text: str) -> list[str]:
    """Things the summary says are absent ('denies smoking' -> 'smoking'), lower-cased, in order."""
    found: list[str] = []
    for sentence in split_sentences(text):
        for scope in context_scopes(sentence):
            if scope.category != "negated":
                continue
            for part in LIST_SPLIT.split(sentence[scope.start : scope.end]):
                if CLAUSE_OPENER.match(part):
                    break
                item = _clean_item(part)
                if item in TRIVIAL_NEGATED or len(item) > 60 or len(item.split()) > 6 or item in found:
                    continue
                if NOT_A_CONDITION.match(item):
                    continue
                found.append(item)
    return found


def extract_conditions(text: str) -> list[str]:
    """Diagnoses and comorbidities the summary asserts (not the negated ones)."""
    found: list[str] = []
    for sentence in split_sentences(text):
        for m in CONDITION_CUES.finditer(sentence):
            if is_negated_at(sentence, m.start()) or RELATIVE_BEFORE.search(sentence[: m.start()]):
                continue
            rest = sentence[m.end() :]
            if re.match(r"(?:no|not|never|none)\b", rest, re.I):
                continue
            stop = CONDITION_STOP.search(rest)
            scope = rest[: stop.start()] if stop else rest
            for part in LIST_SPLIT.split(scope):
                if CLAUSE_OPENER.match(part):
                    break
                item = _clean_item(part)
                if not 2 < len(item) <= 60 or len(item.split()) > 6 or NOT_A_CONDITION.match(item):
                    continue
                if RELATIVE_ITEM.match(item):
                    continue
                if item not in found and item not in TRIVIAL_NEGATED:
                    found.append(item)
    return found


# What follows a disease's name in "B-ALL relapsed a second time": the course, not the name.
_COURSE_AFTER_NAME = re.compile(
    r"(?<=\w)\s+(?:relapsed|relapsing|progressed|progressing|recurred|returned|came back|was treated|treated|"
    r"was diagnosed|diagnosed|that|who)\b.*$",
    re.I,
)


def _as_written(text: str, item: str) -> str:
    """`item` (a lower-cased phrase of `text`) with the text's own capitals: "b-all" is "B-ALL"."""
    at = text.lower().find(item)
    return text[at : at + len(item)] if at >= 0 and item else item


def extract_diagnosis(text: str) -> str:
    """The main diagnosis, as written: the first 'diagnosed with' phrase, else the first asserted condition
    that names a disease, else the first disease of knowledge/diseases.yaml the text asserts."""
    # A disease named only as past ("history of Hodgkin lymphoma treated 2015, now AML") is not the diagnosis.
    past = set(past_diseases(text))

    def is_past(phrase: str) -> bool:
        named = disease_table().named(phrase)
        return bool(named) and set(named) <= past

    for m in re.finditer(r"\b(?:diagnosed with|diagnosis of|diagnosis:)\s+([^.;:()]+)", text, re.I):
        phrase = CONDITION_STOP.split(m.group(1))[0]
        phrase = re.split(r"\b(?:and was|in \d{4}|at age|\d+ (?:years|months) ago)\b|,\s", phrase)[0]
        if not is_past(phrase):
            return _as_written(text, _clean_item(LIST_SPLIT.split(phrase)[0]))
    # "presents with cough" names a complaint, not a diagnosis: a case described only by its findings
    # has no diagnosis yet (matching then looks for the diagnoses the findings suggest).
    conditions = [_COURSE_AFTER_NAME.sub("", c) for c in extract_conditions(text) if names_a_disease(c)]
    conditions = [c for c in conditions if not is_past(c)]
    if conditions:
        return _as_written(text, conditions[0])
    for sentence in split_sentences(text):
        for mention in disease_table().mentions(sentence):
            if mention.concept in past:
                continue
            if not any(is_in(sentence, mention.start, c) for c in ("negated", "hypothetical", "possible", "family")):
                return sentence[mention.start : mention.end]
    return ""


def extract_prior_therapies(text: str) -> list[str]:
    """Treatments the patient has had (knowledge/therapies.yaml names: 'CAR T-cell therapy', 'R-CHOP',
    'allogeneic stem cell transplant', drugs), not those denied, planned or a relative's."""
    found: list[str] = []
    for sentence in split_sentences(text):
        for m in find_therapies(sentence):
            if any(is_in(sentence, m.start, c) for c in ("negated", "hypothetical", "family")):
                continue
            if m.concept not in found:
                found.append(m.concept)
    return found


def extract_disease_status(text: str) -> str | None:
    """'relapsed', 'refractory', 'relapsed/refractory', 'newly diagnosed' or None."""
    relapsed, refractory = bool(RELAPSED.search(text)), bool(REFRACTORY.search(text))
    if relapsed and refractory:
        return "relapsed/refractory"
    if relapsed:
        return "relapsed"
    if refractory:
        return "refractory"
    if NEWLY.search(text):
        return "newly diagnosed"
    return None


def extract_performance_status(text: str) -> str | None:
    """'ECOG n', 'Karnofsky n' or 'Lansky n' as written in the summary."""
    for rx, label in ((ECOG, "ECOG"), (KARNOFSKY, "Karnofsky"), (LANSKY, "Lansky"), (PS_GENERIC, "ECOG")):
        m = rx.search(text)
        if m:
            value = int(m.group(1))
            if label != "ECOG" and not 0 <= value <= 100:
                continue
            return f"{label} {value}"
    return None


def extract_pregnancy(text: str, sex: str) -> bool | None:
    """True/False when the summary says so; None when it is silent (and always None for males)."""
    if sex == "male":
        return None
    if NOT_PREGNANT.search(text):
        return False
    for sentence in split_sentences(text):
        for m in PREGNANT.finditer(sentence):
            before = sentence[max(0, m.start() - 40) : m.start()]
            if is_negated_at(sentence, m.start()) or PAST_PREGNANCY.search(before):
                continue
            if "test" in sentence[m.end() : m.end() + 8].lower():
                continue
            return True
    return None


def extract_biomarkers(text: str) -> list[str]:
    """Markers and genetic lesions as written (CD19-positive, BCR-ABL, FLT3-ITD, MRD-positive...)."""
    found: list[str] = []
    for sentence in split_sentences(text):
        for m in _biomarker_pattern().finditer(sentence):
            marker = m.group(1).strip()
            if marker not in found and not is_negated_at(sentence, m.start()):
                found.append(marker)
    return found


def extract_lines_of_therapy(text: str) -> int | None:
    """'after two lines of therapy' -> 2; 'in second relapse' -> 2 (at least two lines)."""
    m = LINES_OF_THERAPY.search(text)
    if m:
        return int(_to_number(m.group(1)))
    m = re.search(r"\b(first|second|third|fourth|fifth) relapse\b", text, re.I)
    if m:
        return ORDINAL_RELAPSE[m.group(1).lower()]
    return None


def extract_case_facts(text: str) -> CaseFacts:
    """Read a free-text clinical summary into CaseFacts for the reviewer to check and correct."""
    sex = extract_sex(text)
    return CaseFacts(
        age_years=extract_age(text),
        sex=sex,  # type: ignore[arg-type]
        diagnosis=extract_diagnosis(text),
        conditions=extract_conditions(text),
        disease_status=extract_disease_status(text),
        prior_therapies=extract_prior_therapies(text),
        lines_of_therapy=extract_lines_of_therapy(text),
        biomarkers=extract_biomarkers(text),
        performance_status=extract_performance_status(text),
        pregnant=extract_pregnancy(text, sex),
        summary=text,
        negations=extract_negations(text),
    )
