"""Find a case's known identifiers (the contact's name, e-mail, phone, address and phrases a reviewer marked
private) in a text, in any spelling: case, accents, order, spelled-out e-mails, phones written any way."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache

import phonenumbers
from pydantic import BaseModel, Field

from core.privacy.folding import fold
from core.privacy.recognisers import place_first_names, used_as_place
from core.privacy.spans import IdentifierSpan, IdentifierType
from core.privacy.vocabulary import vocabulary

# Regions tried when a phone number is written without its country code.
PHONE_REGIONS = ("US", "GB", "IE", "DE", "FR", "NL", "BE", "ES", "IT", "PT", "CH", "AT", "SE", "NO", "DK", "CA", "AU")
MIN_PHONE_DIGITS = 7
_DIGIT_RUN = re.compile(r"(?<![\w+])\+?\(?\d[\d\s().\-/]{5,}\d(?!\w)")
_SEP = r"(?:\s*[.,'’\-]?\s*)"
_AT = r"(?:\s*@\s*|\s+at\s+|\s*[\(\[{<]\s*at\s*[\)\]}>]\s*)"
_DOT = r"(?:\s*\.\s*|\s+dot\s+|\s*[\(\[{<]\s*dot\s*[\)\]}>]\s*)"


class KnownIdentifiers(BaseModel):
    """What is known to identify the family of one case, by kind."""

    names: list[str] = Field(default_factory=list)
    emails: list[str] = Field(default_factory=list)
    phones: list[str] = Field(default_factory=list)
    addresses: list[str] = Field(default_factory=list)
    private_phrases: list[str] = Field(default_factory=list)  # marked private by a reviewer

    def values(self) -> list[str]:
        """Every known value, as the flat list the LLM client's last-line guard compares against."""
        return [v for v in (*self.names, *self.emails, *self.phones, *self.addresses, *self.private_phrases) if v]


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def looks_like_phone(value: str) -> bool:
    """True when a value is mostly digits with phone separators (at least seven digits)."""
    digits = _digits(value)
    return len(digits) >= MIN_PHONE_DIGITS and len(digits) >= 0.6 * len(re.sub(r"[\s()+.\-/]", "", value) or "x")


def classify_values(values: Iterable[str]) -> KnownIdentifiers:
    """Sort a flat list of personal details into kinds: e-mail (has @), phone, address (has digits), else a name."""
    known = KnownIdentifiers()
    for raw in values:
        value = (raw or "").strip()
        if not value:
            continue
        if "@" in value:
            known.emails.append(value)
        elif looks_like_phone(value):
            known.phones.append(value)
        elif any(c.isdigit() for c in value) or "," in value:
            known.addresses.append(value)
        else:
            known.names.append(value)
    return known


def as_known(identifiers: KnownIdentifiers | Sequence[str] | None) -> KnownIdentifiers:
    """Accept typed identifiers or the flat list of personal details the drafting code passes around."""
    if identifiers is None:
        return KnownIdentifiers()
    if isinstance(identifiers, KnownIdentifiers):
        return identifiers
    return classify_values(identifiers)


def phone_national_numbers(value: str) -> set[str]:
    """The national significant numbers a written phone number can stand for (one per plausible region)."""
    found: set[str] = set()
    text = value.strip()
    if text.startswith("00"):
        text = "+" + text[2:]
    regions = (None,) if text.startswith("+") else PHONE_REGIONS
    for region in regions:
        try:
            number = phonenumbers.parse(text, region)
        except phonenumbers.NumberParseException:
            continue
        national = str(number.national_number)
        if len(national) >= MIN_PHONE_DIGITS:
            found.add(national)
    if not found:  # unparseable: compare the digits without a trunk zero
        digits = _digits(text).lstrip("0")
        if len(digits) >= MIN_PHONE_DIGITS:
            found.add(digits)
    return found


def _folded_word_pattern(word: str) -> str:
    # German sharp s is written "ss" as often as "ß".
    return re.escape(fold(word)).replace("ß", "(?:ß|ss)").replace("ss", "(?:ss|ß)")


def _phrase_pattern(words: Sequence[str]) -> str:
    return r"(?<!\w)" + r"[\s\-]+".join(_folded_word_pattern(w) for w in words) + r"(?!\w)"


@lru_cache(maxsize=1)
def _not_name_words() -> frozenset[str]:
    vocab = vocabulary()
    return frozenset(fold(w) for w in (*vocab.relations, *vocab.honorifics))


@lru_cache(maxsize=1)
def _common_words() -> frozenset[str]:
    """Name parts that are also ordinary words: alone they identify only when capitalised."""
    vocab = vocabulary()
    return frozenset(fold(w) for w in (*vocab.not_first_names, *vocab.keep_words, *vocab.name_particles))


def _name_parts(name: str) -> list[str]:
    drop = _not_name_words()
    cleaned = re.sub(r"\([^)]*\)", " ", name)
    return [p for p in re.split(r"[\s,]+", cleaned) if p and fold(p).strip(".") not in drop]


def _name_matches(text: str, folded: str, name: str, parts_alone: bool = True,
                  capitalised_only: bool = False) -> list[IdentifierSpan]:
    parts = _name_parts(name)
    if not parts:
        return []
    spans = []
    sequences = [parts, list(reversed(parts))]
    for seq in sequences:
        pattern = r"(?<!\w)" + r"(?:\s*,\s*|[\s\-]+)".join(re.escape(fold(w)) for w in seq) + r"(?!\w)"
        spans += [IdentifierSpan(start=m.start(), end=m.end(), type="NAME", rule="known_name") for m in re.finditer(pattern, folded)]
    if not parts_alone:
        return spans
    common = _common_words()
    # Each half of a double-barrelled name also identifies alone ("Ångström" of "Ångström-Test"), but only
    # capitalised: a half is often an ordinary word.
    halves = [h for p in parts if "-" in p for h in p.split("-") if len(h) >= 3]
    for part in [*parts, *halves]:
        key = fold(part).strip(".")
        if len(key) < 2 or (len(key) == 2 and not part[:1].isupper()):
            continue
        # A surname alone identifies; a part that is also an ordinary word ("Will", "Rose") only when capitalised.
        needs_capital = capitalised_only or key in common or len(key) <= 3 or part not in parts
        for m in re.finditer(_phrase_pattern([part.strip(".")]), folded):
            if needs_capital and not text[m.start()].isupper():
                continue
            if key in place_first_names() and used_as_place(text, m.start(), m.end()):
                continue  # the contact is Georgia, but "lives in Georgia" is the state
            spans.append(IdentifierSpan(start=m.start(), end=m.end(), type="NAME", rule="known_name_part"))
    return spans


def _email_matches(folded: str, email: str) -> list[IdentifierSpan]:
    local, _, domain = fold(email.strip()).partition("@")
    if not local or not domain:
        return []
    local_words = re.split(r"\.", local)
    local_pattern = _DOT.join(re.escape(w) for w in local_words)
    domain_pattern = _DOT.join(re.escape(w) for w in domain.split("."))
    spans = [
        IdentifierSpan(start=m.start(), end=m.end(), type="EMAIL", rule="known_email")
        for m in re.finditer(rf"(?<![\w.]){local_pattern}{_AT}{domain_pattern}(?!\w)", folded)
    ]
    # The user name alone still points at the person when it is no ordinary word ("maria.g", "delgado72";
    # not "family" or "info").
    if len(re.sub(r"\W", "", local)) >= 5 and not local.isalpha():
        spans += [
            IdentifierSpan(start=m.start(), end=m.end(), type="EMAIL", rule="known_email_user")
            for m in re.finditer(rf"(?<![\w.]){local_pattern}(?![\w])", folded)
        ]
    return spans


def phone_runs(text: str) -> list[re.Match[str]]:
    """Every run of digits written with phone separators (seven digits or more)."""
    return [m for m in _DIGIT_RUN.finditer(text) if len(_digits(m.group(0))) >= MIN_PHONE_DIGITS]


def _phone_matches(text: str, phone: str) -> list[IdentifierSpan]:
    wanted = phone_national_numbers(phone)
    spans = []
    for m in phone_runs(text):
        # Whole numbers compared: a shared tail of digits ("...555 0142") is not the same phone.
        if phone_national_numbers(m.group(0)) & wanted:
            spans.append(IdentifierSpan(start=m.start(), end=m.end(), type="PHONE", rule="known_phone"))
    return spans


def _street_words(words: Sequence[str]) -> tuple[int, int] | None:
    """(first, last) index of the street name's own words when the words read as a street line, else None."""
    vocab = vocabulary()
    suffixes = {fold(w) for w in (*vocab.street_suffixes, *vocab.unit_words)}
    prefixes = {fold(w) for w in vocab.street_prefixes}
    endings = tuple(fold(e) for e in vocab.street_word_endings)
    keys = [fold(w).strip(".,") for w in words]
    named = [i for i, k in enumerate(keys) if not any(c.isdigit() for c in k)]
    if not named:
        return None
    first, last = named[0], named[-1]
    if keys[last] in suffixes and last > first:
        return first, last - 1
    if keys[first] in prefixes and last > first:
        return first + 1, last
    if any(keys[i].endswith(endings) and len(keys[i]) > 4 for i in named):
        return first, last
    return None


def _spans(pattern: str, folded: str, rule: str) -> list[IdentifierSpan]:
    return [IdentifierSpan(start=m.start(), end=m.end(), type="ADDRESS", rule=rule) for m in re.finditer(pattern, folded)]


@lru_cache(maxsize=1)
def _street_suffix_pattern() -> str:
    """Any street suffix ("Street", "St"; an abbreviation's dot may also end the sentence, so it is left out)."""
    suffixes = sorted((fold(w) for w in vocabulary().street_suffixes), key=len, reverse=True)
    return r"(?:" + "|".join(re.escape(w) for w in suffixes) + r")"


def _capitalised(text: str, span: IdentifierSpan, core: Sequence[str]) -> bool:
    """True when every word of the street's name is capitalised in the span (the number and suffix may not be)."""
    keys = {fold(w) for w in core}
    return all(w[:1].isupper() for w in re.findall(r"\w+", text[span.start : span.end]) if fold(w) in keys)


def _street_core_matches(text: str, folded: str, words: Sequence[str], street: tuple[int, int],
                         core: Sequence[str], core_alone: bool) -> list[IdentifierSpan]:
    """Where a street's own name is written without the rest of its address line."""
    vocab = vocabulary()
    suffixed = street[1] + 1 < len(words) and fold(words[street[1] + 1]).strip(".,") in {
        fold(w) for w in (*vocab.street_suffixes, *vocab.unit_words)}
    prefixed = street[0] > 0 and fold(words[street[0] - 1]).strip(".,") in {fold(w) for w in vocab.street_prefixes}
    body = r"[\s\-]+".join(_folded_word_pattern(w) for w in core)
    patterns: list[str] = []
    numbers = [_folded_word_pattern(w) for w in words if any(c.isdigit() for c in w)]
    number = r"(?:" + "|".join(numbers) + r")"
    if numbers:  # "1 Test", "Paix 5": with its house number, written in either order
        patterns += [rf"(?<!\w){number}\s+{body}(?!\w)", rf"(?<!\w){body}\s+{number}(?!\w)"]
    # "Test Street", "Test St": with any street suffix, not only the one the address was typed with.
    patterns.append(rf"(?<!\w){body}\s+{_street_suffix_pattern()}(?!\w)")
    spans = [s for p in patterns for s in _spans(p, folded, "known_address")]
    if not core_alone:
        # In a report "cycle 1 test results" or "the high court" is no address: these forms count with the
        # street's name written as a name, or in any case with the address's own suffix ("main road").
        spans = [s for s in spans if _capitalised(text, s, core)]
        if numbers:  # "1 test st": number, name and suffix together are an address however written
            spans += _spans(rf"(?<!\w){number}\s+{body}\s+{_street_suffix_pattern()}(?!\w)", folded, "known_address")
        if suffixed:
            own = _folded_word_pattern(words[street[1] + 1].strip(".,"))
            spans += _spans(rf"(?<!\w){body}\s+{own}(?!\w)", folded, "known_address")
    if prefixed:
        spans += _spans(_phrase_pattern(words[street[0] - 1 : street[1] + 1]), folded, "known_address")  # no "5"
    if sum(len(w) for w in core) < 4:
        return spans  # "Oak" alone is too short to say anything
    core_pattern = _phrase_pattern(core)
    # Without a suffix or prefix the name itself ends in a street word ("Hauptstrasse"): it identifies alone.
    if core_alone or not (suffixed or prefixed):
        return spans + _spans(core_pattern, folded, "known_address")
    # Alone, the street's name identifies only when written as a proper name: capitalised and no ordinary word
    # ("Test", "Church" and "Main" are streets too, and "the test shows" is no address).
    common = _common_words() | {fold(w) for w in vocab.common_words}
    if all(fold(w) not in common for w in core):
        spans += [s for s in _spans(core_pattern, folded, "known_address") if _capitalised(text, s, core)]
    return spans


def _address_matches(text: str, folded: str, address: str, core_alone: bool = True) -> list[IdentifierSpan]:
    vocab = vocabulary()
    particles = {fold(w) for w in vocab.name_particles}
    spans: list[IdentifierSpan] = []
    for component in (c.strip() for c in address.split(",")):
        words = component.split()
        if not words:
            continue
        if fold(words[0]).strip(".") in {fold(w) for w in vocab.unit_words}:  # "Flat 2", "Apt 3B": the whole phrase
            spans += _spans(_phrase_pattern(words), folded, "known_address")
            continue
        street = _street_words(words)
        if street is not None:
            spans += _spans(_phrase_pattern(words), folded, "known_address")
            core = [w for w in words[street[0] : street[1] + 1] if fold(w) not in particles]
            if core:
                spans += _street_core_matches(text, folded, words, street, core, core_alone)
            continue
        # A city with its postcode: only the postcode identifies (the city may stay).
        run: list[str] = []
        for word in [*words, ""]:
            if word and any(c.isdigit() for c in word):
                run.append(word)
            elif run:
                if sum(len(w) for w in run) >= 3:
                    spans += _spans(_phrase_pattern(run), folded, "known_postcode")
                run = []
    return spans


def _phrase_matches(folded: str, phrase: str, kind: IdentifierType) -> list[IdentifierSpan]:
    words = phrase.split()
    if not words:
        return []
    return [IdentifierSpan(start=m.start(), end=m.end(), type=kind, rule="private_phrase")
            for m in re.finditer(_phrase_pattern(words), folded)]


def find_known_identifiers(text: str, known: KnownIdentifiers, *, name_parts: bool = True,
                           proper_names_only: bool = False) -> list[IdentifierSpan]:
    """Every occurrence of the case's known identifiers in text (spans may overlap; merge before use).

    name_parts=False matches whole names only (in any order, case or accents), not a surname alone: for
    texts that also carry public registry text, where a study contact may share the family's surname.
    proper_names_only=True, for checks of text written for the family: a name part or a street's name alone
    counts only when written as a proper name (capitalised; a street's name also no ordinary word), a street's
    name otherwise only with its house number or a street suffix. The de-identifier keeps the default, so
    the LLM never gets a street ("Test" of "1 Test Street") even written in lowercase.
    """
    folded = fold(text)
    spans: list[IdentifierSpan] = []
    for name in known.names:
        spans += _name_matches(text, folded, name, parts_alone=name_parts, capitalised_only=proper_names_only)
    for email in known.emails:
        spans += _email_matches(folded, email)
    for phone in known.phones:
        spans += _phone_matches(text, phone)
    for address in known.addresses:
        spans += _address_matches(text, folded, address, core_alone=not proper_names_only)
    for phrase in known.private_phrases:
        spans += _phrase_matches(folded, phrase, "PRIVATE")
    return spans


def find_leaks(text: str, known: KnownIdentifiers) -> list[IdentifierSpan]:
    """The known identifiers in a text that also carries public text (a trial record): the contact's whole
    name written as a name (every word capitalised: "Hope Cure", "CURE, Hope", not "we hope ... cure"), and
    every e-mail, phone, address and private phrase. A name part alone is no leak here, nor a street's name
    written as an ordinary word ("the main purpose" for "3 Main St"): the de-identifier has already replaced
    them in the case's own text, and registry text shares words with many names and streets."""
    spans = find_known_identifiers(text, known, name_parts=False, proper_names_only=True)
    return [s for s in spans if s.type != "NAME" or all(w[:1].isupper() for w in re.findall(r"\w+", text[s.start : s.end]))]
