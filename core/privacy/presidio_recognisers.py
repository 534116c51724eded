"""Presidio's pattern recognisers, run without any NLP model: e-mails, phones, URLs, numeric dates and
checksummed national numbers (NHS, SSN, IBAN, cards). No model or suffix list is downloaded at run time."""

from __future__ import annotations

from functools import cache

import tldextract
from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
from presidio_analyzer.nlp_engine import NoOpNlpEngine
from presidio_analyzer.predefined_recognizers import (
    CreditCardRecognizer,
    DateRecognizer,
    EmailRecognizer,
    IbanRecognizer,
    IpRecognizer,
    NhsRecognizer,
    PhoneRecognizer,
    UrlRecognizer,
    UsSsnRecognizer,
)

from core.privacy.known import MIN_PHONE_DIGITS, PHONE_REGIONS
from core.privacy.spans import IdentifierSpan, IdentifierType

# Presidio entity -> our placeholder type, and the lowest score we accept from it.
ENTITY_TYPES: dict[str, tuple[IdentifierType, float]] = {
    "EMAIL_ADDRESS": ("EMAIL", 0.5),
    "PHONE_NUMBER": ("PHONE", 0.3),
    "URL": ("URL", 0.5),
    "DATE_TIME": ("DATE", 0.5),
    "UK_NHS": ("ID", 0.5),
    "US_SSN": ("ID", 0.3),
    "IBAN_CODE": ("ID", 0.5),
    "CREDIT_CARD": ("ID", 0.5),
    "IP_ADDRESS": ("ID", 0.5),
}
# Month/year shapes ("3/24", "03/2024") are left to the context rules: alone they are not identifying and
# they look like ratios and fractions in clinical text.
_DROPPED_DATE_PATTERNS = ("MM/YY", "MM/YYYY")
# The bundled snapshot of the public suffix list: tldextract must not fetch it over the network.
_OFFLINE_TLD = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


class OfflineEmailRecognizer(EmailRecognizer):
    """Presidio's e-mail recogniser, validating the domain against the bundled suffix list only."""

    def validate_result(self, pattern_text: str) -> bool:
        result = _OFFLINE_TLD(pattern_text)
        return result.fqdn != ""


class OfflineUrlRecognizer(UrlRecognizer):
    """Presidio's URL recogniser; bare domains must end in a known public suffix (no download)."""

    def validate_result(self, pattern_text: str) -> bool:
        return _OFFLINE_TLD(pattern_text.split("/")[0].split("//")[-1]).suffix != "" or "://" in pattern_text


@cache
def analyzer() -> AnalyzerEngine:
    """An analyzer with presidio's pattern recognisers only, on the no-op NLP engine (no spaCy model)."""
    engine = NoOpNlpEngine(models=[{"lang_code": "en", "model_name": "none"}])
    registry = RecognizerRegistry(supported_languages=["en"])
    date_patterns = [p for p in DateRecognizer.PATTERNS if not any(tag in p.name for tag in _DROPPED_DATE_PATTERNS)]
    for recognizer in (
        OfflineEmailRecognizer(),
        PhoneRecognizer(supported_regions=PHONE_REGIONS),
        OfflineUrlRecognizer(),
        DateRecognizer(patterns=date_patterns),
        NhsRecognizer(),
        UsSsnRecognizer(),
        IbanRecognizer(),
        CreditCardRecognizer(),
        IpRecognizer(),
    ):
        registry.add_recognizer(recognizer)
    return AnalyzerEngine(nlp_engine=engine, registry=registry, supported_languages=["en"])


def find_presidio_identifiers(text: str) -> list[IdentifierSpan]:
    """Identifiers presidio's recognisers find in text, typed as placeholders."""
    spans = []
    for result in analyzer().analyze(text, language="en", entities=list(ENTITY_TYPES)):
        kind, threshold = ENTITY_TYPES[result.entity_type]
        if kind == "PHONE" and sum(c.isdigit() for c in text[result.start : result.end]) < MIN_PHONE_DIGITS:
            continue  # short numbers valid somewhere ("16404") are distances and counts in our texts
        if result.score >= threshold:
            spans.append(IdentifierSpan(start=result.start, end=result.end, type=kind, rule=f"presidio:{result.entity_type}"))
    return spans
