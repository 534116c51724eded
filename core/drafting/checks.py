"""Automatic checks on a draft version: each says whether it passed, whether it blocks approval, where and why."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Literal

from pydantic import BaseModel, Field

from core.domain.case_facts import CaseFacts
from core.domain.trial import NormalizedTrial
from core.drafting.active_content import find_active_content
from core.drafting.glossary import JargonHit, find_jargon
from core.drafting.grounding import SourceCorpus, build_corpus, ungrounded_tokens
from core.drafting.key_facts import TrialKeyFacts, check_key_facts, read_trial_key_facts
from core.drafting.promises import find_promises
from core.drafting.readability import measure_readability
from core.drafting.schema import SECTION_TITLES, required_sections
from core.nlp.sentences import split_sentences
from core.privacy.known import KnownIdentifiers, as_known
from core.privacy.personal_data import PersonalDataScanner

CHECK_NAMES: tuple[str, ...] = (
    "required_sections",
    "grounding",
    "no_promises",
    "no_personal_data",
    "no_active_content",
    "readability",
    "length",
    "jargon",
)
DEFAULT_BLOCKING: dict[str, bool] = {
    "required_sections": True,
    "grounding": True,
    "no_promises": True,
    "no_personal_data": True,
    "no_active_content": True,
    "readability": False,
    "length": False,
    "jargon": False,
}


class Finding(BaseModel):
    """One problem: the section and sentence it is in, the offending words and why they matter."""

    section: str
    sentence: str = ""
    token: str = ""
    why: str


class CheckResult(BaseModel):
    """The outcome of one check on one draft version (stored as JSON beside the version)."""

    name: str
    passed: bool
    blocking: bool
    message: str
    findings: list[Finding] = Field(default_factory=list)


class ChecksConfig(BaseModel):
    """Settings an admin may change: which checks block approval, and the limits they use."""

    blocking: dict[str, bool] = Field(default_factory=lambda: dict(DEFAULT_BLOCKING))
    target_grade: float = 8.0
    max_sentence_words: int = 25
    section_min_words: int = 5
    section_max_words: int = 220
    total_min_words: dict[str, int] = Field(default_factory=lambda: {"trial": 60, "case": 30})
    total_max_words: dict[str, int] = Field(default_factory=lambda: {"trial": 1000, "case": 900})

    def is_blocking(self, name: str) -> bool:
        """Return whether a failure of the named check blocks approval."""
        return self.blocking.get(name, DEFAULT_BLOCKING.get(name, False))


def count_words(text: str) -> int:
    """Words as the length check counts them (hyphenated and apostrophe words count once)."""
    return len(re.findall(r"\w+(?:[-']\w+)*", text))


def _title(key: str) -> str:
    return SECTION_TITLES.get(key, key)


def _sentences(sections: dict[str, str]) -> list[tuple[str, str]]:
    return [(key, sentence) for key, text in sections.items() for sentence in split_sentences(text)]


def check_required_sections(sections: dict[str, str], kind: str, study_type: str | None) -> list[Finding]:
    """Flag required sections that are absent or empty."""
    findings = []
    for key in required_sections(kind, study_type):  # type: ignore[arg-type]
        if key not in sections:
            findings.append(Finding(section=key, why=f"The section “{_title(key)}” is missing."))
        elif not sections[key].strip():
            findings.append(Finding(section=key, why=f"The section “{_title(key)}” is empty."))
    return findings


# Prepared once per source, not per draft or per row: `check-text` and the review page check many texts
# against the same trial and case. Keys are the sources' JSON, so an edited record or case is a new entry.
PREPARED_CACHE_SIZE = 32


@lru_cache(maxsize=PREPARED_CACHE_SIZE)
def _grounding_sources(trial_json: str, facts_json: str, context_texts: tuple[str, ...]) -> tuple[SourceCorpus, TrialKeyFacts | None]:
    trial = NormalizedTrial.model_validate_json(trial_json) if trial_json else None
    return build_corpus(trial, CaseFacts.model_validate_json(facts_json), context_texts), (
        read_trial_key_facts(trial) if trial is not None else None)


@lru_cache(maxsize=PREPARED_CACHE_SIZE)
def _personal_data_scanner(known_json: str, narrative: tuple[str, ...], public_text: str) -> PersonalDataScanner:
    return PersonalDataScanner(KnownIdentifiers.model_validate_json(known_json), narrative_texts=narrative,
                               public_text=public_text)


def check_grounding(
    sections: dict[str, str], trial: NormalizedTrial | None, facts: CaseFacts, context_texts: Sequence[str]
) -> list[Finding]:
    """Flag numbers, ages, doses, phases, registry ids, drug and place names not found in the sources."""
    corpus, key_facts = _grounding_sources(
        trial.model_dump_json() if trial is not None else "", facts.model_dump_json(), tuple(context_texts))
    findings = []
    for key, sentence in _sentences(sections):
        tokens = ungrounded_tokens(sentence, corpus)
        for token in tokens:
            findings.append(
                Finding(
                    section=key,
                    sentence=sentence,
                    token=token.token,
                    why=f"This {token.kind.replace('_', ' ')} is not in the trial record or the case facts.",
                )
            )
        if key_facts is not None:
            for fact in check_key_facts(sentence, key_facts, facts):
                if not any(t.token in fact.token for t in tokens):  # one finding per wrong fact
                    findings.append(Finding(section=key, sentence=sentence, token=fact.token, why=fact.why))
    return findings


def check_no_promises(sections: dict[str, str]) -> list[Finding]:
    """Flag wording that promises a benefit or calls a treatment safe or best."""
    findings = []
    for key, sentence in _sentences(sections):
        for hit in find_promises(sentence):
            findings.append(
                Finding(
                    section=key,
                    sentence=sentence,
                    token=hit.phrase,
                    why=f"“{hit.phrase}” {hit.why}; no outcome may be promised.",
                )
            )
    return findings


def _public_text(trial: NormalizedTrial | None, context_texts: Sequence[str]) -> str:
    record = trial.model_dump_json(exclude={"raw"}) if trial is not None else ""
    return record + "\n" + "\n".join(context_texts)


def check_no_personal_data(
    sections: dict[str, str],
    personal_data: KnownIdentifiers | Sequence[str],
    facts: CaseFacts | None = None,
    trial: NormalizedTrial | None = None,
    context_texts: Sequence[str] = (),
) -> list[Finding]:
    """Flag the family's details in any spelling, identifiers from the case notes, and e-mails, phones, record
    numbers or street addresses that the trial record does not contain (study-team contacts may be quoted)."""
    narrative = [t for t in ((facts.summary, facts.location_label or "", facts.diagnosis) if facts else ()) if t]
    scanner = _personal_data_scanner(as_known(personal_data).model_dump_json(), tuple(narrative), _public_text(trial, context_texts))
    findings = []
    for key, sentence in _sentences(sections):
        for hit in scanner.find(sentence):
            findings.append(
                Finding(section=key, sentence=sentence, token=hit.token, why=f"{hit.why} must not appear in a report.")
            )
    return findings


def check_no_active_content(sections: dict[str, str]) -> list[Finding]:
    """Flag HTML, scripts, Markdown images and links, and script URLs: a report for a family is plain text."""
    findings = []
    for key, text in sections.items():
        for hit in find_active_content(text):
            sentence = next((s for s in split_sentences(text) if hit.token in s), "")
            findings.append(Finding(section=key, sentence=sentence, token=hit.token, why=f"This is {hit.why}; remove it."))
    return findings


def check_readability(sections: dict[str, str], config: ChecksConfig) -> tuple[list[Finding], str]:
    """Flag sections above the target reading grade and sentences that are too long."""
    findings = []
    whole = measure_readability(" ".join(sections.values()))
    for key, text in sections.items():
        if not text.strip():
            continue
        score = measure_readability(text)
        if score.flesch_kincaid_grade > config.target_grade or score.smog_grade > config.target_grade + 2:
            findings.append(
                Finding(
                    section=key,
                    why=(
                        f"Reading grade {score.flesch_kincaid_grade:g} (Flesch-Kincaid), SMOG {score.smog_grade:g}; "
                        f"the target is grade {config.target_grade:g} or lower."
                    ),
                )
            )
        for sentence in split_sentences(text):
            if count_words(sentence) > config.max_sentence_words:
                findings.append(
                    Finding(
                        section=key,
                        sentence=sentence,
                        why=f"{count_words(sentence)} words; sentences over {config.max_sentence_words} words are hard to read.",
                    )
                )
    message = (
        f"Whole draft: Flesch-Kincaid grade {whole.flesch_kincaid_grade:g}, SMOG {whole.smog_grade:g} "
        f"(target {config.target_grade:g} or lower)."
    )
    return findings, message


def check_length(sections: dict[str, str], kind: str, config: ChecksConfig) -> list[Finding]:
    """Flag sections and whole drafts that are too short to help or too long to read."""
    findings = []
    for key, text in sections.items():
        n = count_words(text)
        if 0 < n < config.section_min_words:
            findings.append(Finding(section=key, why=f"Only {n} words; too short to be useful."))
        elif n > config.section_max_words:
            findings.append(
                Finding(section=key, why=f"{n} words; more than {config.section_max_words} is too long.")
            )
    total = sum(count_words(t) for t in sections.values())
    low, high = config.total_min_words.get(kind, 0), config.total_max_words.get(kind, 10**6)
    if total < low:
        findings.append(
            Finding(section="(whole draft)", why=f"{total} words in all; at least {low} expected.")
        )
    elif total > high:
        findings.append(
            Finding(section="(whole draft)", why=f"{total} words in all; at most {high} expected.")
        )
    return findings


_EXPLAINED_AFTER = re.compile(
    r"\s*(?:\(|,? which means|,? meaning| means| is a| is when|”? means)", re.IGNORECASE
)
# "CAR-T cells. These are the patient's own cells..." explains the term in the next sentence.
_EXPLAINED_NEXT = re.compile(
    r"[^.!?]*[.!?][\"'”’)]*\s+(?:This|These|That|It|They) (?:means?|is|are|uses?|works?)\b", re.IGNORECASE
)


def is_explained(text: str, hit: JargonHit) -> bool:
    """Whether text explains the term at hit: its plain meaning anywhere, or a meaning right after it."""
    return bool(
        hit.plain.lower() in text.lower()
        or _EXPLAINED_AFTER.match(text, hit.end)
        or _EXPLAINED_NEXT.match(text, hit.end)
    )


def check_jargon(sections: dict[str, str]) -> list[Finding]:
    """Flag medical terms that the section neither replaces nor explains, with a plain alternative."""
    findings = []
    seen: set[tuple[str, str]] = set()
    for key, text in sections.items():
        explained: set[str] = set()  # a term explained once in a section reads plainly in the rest of it
        for hit in find_jargon(text):
            if is_explained(text, hit):
                explained.add(hit.term)
                continue
            if hit.term in explained or (key, hit.term) in seen:
                continue
            seen.add((key, hit.term))
            sentence = next((s for s in split_sentences(text) if text[hit.start : hit.end] in s), "")
            findings.append(
                Finding(
                    section=key,
                    sentence=sentence,
                    token=text[hit.start : hit.end],
                    why=f"Medical term; in plain words: “{hit.plain}”.",
                )
            )
    return findings


def _result(name: str, findings: list[Finding], config: ChecksConfig, ok: str, bad: str) -> CheckResult:
    passed = not findings
    where = "; ".join(
        f"{_title(f.section)}: {('“' + f.token + '” ') if f.token else ''}{f.why}" for f in findings[:5]
    )
    more = f" (and {len(findings) - 5} more)" if len(findings) > 5 else ""
    return CheckResult(
        name=name,
        passed=passed,
        blocking=config.is_blocking(name),
        message=ok if passed else f"{bad}: {where}{more}",
        findings=findings,
    )


def run_checks(
    sections: dict[str, str],
    *,
    kind: Literal["trial", "case"],
    trial: NormalizedTrial | None,
    facts: CaseFacts,
    personal_data: KnownIdentifiers | Sequence[str],
    context_texts: Sequence[str] = (),
    config: ChecksConfig | None = None,
) -> list[CheckResult]:
    """Run every check on a draft's section texts and return one result per name in CHECK_NAMES.

    context_texts are further sources a draft may rest on: for a trial summary the distances to its
    sites (see grounding_context_for_sites), for a case overview the selected trials' fields.
    """
    config = config or ChecksConfig()
    study_type = trial.study_type if trial is not None else None
    runners: dict[str, Callable[[], CheckResult]] = {
        "required_sections": lambda: _result(
            "required_sections",
            check_required_sections(sections, kind, study_type),
            config,
            "All required sections are present.",
            "Required sections are missing or empty",
        ),
        "grounding": lambda: _result(
            "grounding",
            check_grounding(sections, trial, facts, context_texts),
            config,
            "Every number, id, phase, drug and place was found in the sources.",
            "Facts not found in the trial record or the case facts",
        ),
        "no_promises": lambda: _result(
            "no_promises",
            check_no_promises(sections),
            config,
            "No promise of an outcome was found.",
            "Wording that promises an outcome",
        ),
        "no_personal_data": lambda: _result(
            "no_personal_data",
            check_no_personal_data(sections, personal_data, facts, trial, context_texts),
            config,
            "No personal data of the family was found.",
            "Personal data of the family",
        ),
        "no_active_content": lambda: _result(
            "no_active_content",
            check_no_active_content(sections),
            config,
            "No HTML, script, Markdown image or link was found.",
            "Active content (HTML, scripts, images or links)",
        ),
        "readability": lambda: _readability_result(sections, config),
        "length": lambda: _result(
            "length",
            check_length(sections, kind, config),
            config,
            "Section lengths are within limits.",
            "Length outside limits",
        ),
        "jargon": lambda: _result(
            "jargon",
            check_jargon(sections),
            config,
            "No unexplained medical terms.",
            "Medical terms without a plain explanation",
        ),
    }
    return [runners[name]() for name in CHECK_NAMES]


def _readability_result(sections: dict[str, str], config: ChecksConfig) -> CheckResult:
    findings, summary = check_readability(sections, config)
    result = _result("readability", findings, config, summary, "Hard to read")
    if findings:
        result.message = f"{summary} {result.message}"
    return result


def blocking_failures(results: Sequence[CheckResult]) -> list[CheckResult]:
    """Return the results that failed and block approval."""
    return [r for r in results if r.blocking and not r.passed]
