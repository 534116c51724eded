"""Read and validate the knowledge files: patterns compile, weights are in range, names refer to real entries."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from core.data_files import DataFileError, LoadedFile, check_pattern, load_yaml

KNOWLEDGE_DIR = Path(__file__).resolve().parent


def _valid_pattern(pattern: str) -> str:
    check_pattern(pattern)
    return pattern


def _valid_case_sensitive_pattern(pattern: str) -> str:
    check_pattern(pattern, ignore_case=False)
    return pattern


Pattern = Annotated[str, Field(min_length=1), AfterValidator(_valid_pattern)]
CasePattern = Annotated[str, Field(min_length=1), AfterValidator(_valid_case_sensitive_pattern)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class NamedEntry(_Strict):
    """An entry found in text by its names (case-insensitive) or acronyms (case-sensitive)."""

    parents: list[str] = Field(default_factory=list)
    names: list[Pattern] = Field(default_factory=list)
    acronyms: list[CasePattern] = Field(default_factory=list)


class DiseaseEntry(NamedEntry):
    group: bool = False  # a broad group named in explanations ("blood cancer")


class DiseaseFile(_Strict):
    broadening: list[Pattern] = Field(default_factory=list)
    # acronyms that stand for several things: no disease may be found by one of them alone
    ambiguous_acronyms: list[CasePattern] = Field(default_factory=list)
    diseases: dict[str, DiseaseEntry]


class AntigenEntry(_Strict):
    names: list[Pattern] = Field(min_length=1)
    found_on: list[str] = Field(default_factory=list)  # diseases from diseases.yaml


class AntigenFile(_Strict):
    antigens: dict[str, AntigenEntry]


class TherapyEntry(NamedEntry):
    contains: list[str] = Field(default_factory=list)  # for regimens: the drugs or classes given in them


class TherapyFile(_Strict):
    complete_history_cues: list[Pattern] = Field(default_factory=list)
    drug_name_endings: list[Annotated[str, Field(pattern=r"^[a-z]+$")]] = Field(default_factory=list)
    therapies: dict[str, TherapyEntry]


Weight = Annotated[int, Field(ge=1, le=3)]


class FindingFile(_Strict):
    findings: dict[str, Annotated[list[Pattern], Field(min_length=1)]]


class DifferentialEntry(_Strict):
    names: list[Annotated[str, Field(min_length=1)]] = Field(default_factory=list)  # as trials list the disease
    findings: dict[str, Weight] = Field(min_length=1)  # finding -> 1 nonspecific, 2 characteristic, 3 nearly specific


class DifferentialFile(_Strict):
    diseases: dict[str, DifferentialEntry]


class Presentation(_Strict):
    pattern: Pattern
    diagnoses: list[Annotated[str, Field(min_length=1)]] = Field(min_length=1)


class PresentationFile(_Strict):
    presentations: list[Presentation]


Token = Annotated[str, Field(pattern=r"^x[a-z0-9]+$")]


class TermFile(_Strict):
    query_abbreviations: dict[str, str] = Field(default_factory=dict)
    query_synonyms: dict[str, str] = Field(default_factory=dict)
    criterion_terms: dict[Token, Annotated[list[Pattern], Field(min_length=1)]] = Field(default_factory=dict)


class MarkerEntry(_Strict):
    names: list[CasePattern] = Field(min_length=1)


class MarkerFile(_Strict):
    markers: dict[str, MarkerEntry]


def directed_therapy(antigen: str) -> str:
    """The class of treatments aimed at an antigen ("CD19-directed therapy")."""
    return f"{antigen}-directed therapy"


def _check_named(loaded: LoadedFile, table: str, entries: dict[str, NamedEntry], known: set[str]) -> None:
    for name, entry in entries.items():
        if not entry.names and not entry.acronyms:
            raise loaded.error((table, name), "needs at least one of names or acronyms")
        for position, parent in enumerate(entry.parents):
            if parent not in known:
                raise loaded.error((table, name, "parents", position), f"unknown parent {parent!r}")
    _check_acyclic(loaded, table, entries)


def _check_acyclic(loaded: LoadedFile, table: str, entries: dict[str, NamedEntry]) -> None:
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done

    def visit(name: str, path: tuple[str, ...]) -> None:
        if state.get(name) == 2 or name not in entries:
            return
        if state.get(name) == 1:
            raise loaded.error((table, name, "parents"), f"parents form a cycle: {' -> '.join((*path, name))}")
        state[name] = 1
        for parent in entries[name].parents:
            visit(parent, (*path, name))
        state[name] = 2

    for name in entries:
        visit(name, ())


def load_disease_file(path: Path) -> LoadedFile[DiseaseFile]:
    """diseases.yaml: a hierarchy of diseases with the patterns that name them."""
    loaded = load_yaml(path, DiseaseFile)
    entries = loaded.value.diseases
    _check_named(loaded, "diseases", entries, set(entries))
    _check_unambiguous(loaded, entries)
    return loaded


def _check_unambiguous(loaded: LoadedFile[DiseaseFile], entries: dict[str, DiseaseEntry]) -> None:
    """No disease is found by an acronym alone that stands for several things ("RA"), and no two diseases
    share an acronym."""
    owner: dict[str, str] = {}
    for name, entry in entries.items():
        for position, acronym in enumerate(entry.acronyms):
            # an ambiguous acronym written as a word that this pattern would match bare
            for ambiguous in loaded.value.ambiguous_acronyms:
                words = [w for w in _ambiguous_forms(ambiguous) if re.fullmatch(acronym, w)]
                if words:
                    raise loaded.error(
                        ("diseases", name, "acronyms", position),
                        f"{acronym!r} matches the ambiguous acronym {words[0]!r} alone; write a longer, unambiguous form",
                    )
            if acronym in owner and owner[acronym] != name:
                raise loaded.error(("diseases", name, "acronyms", position), f"acronym {acronym!r} is also {owner[acronym]!r}'s")
            owner[acronym] = name


def _ambiguous_forms(pattern: str) -> list[str]:
    """The words an ambiguous-acronym pattern stands for ("ALS?" is "AL" and "ALS")."""
    return [w for w in (pattern.replace("?", ""), re.sub(r".\?", "", pattern)) if w.isalnum()]


def load_antigen_file(path: Path, diseases: set[str]) -> LoadedFile[AntigenFile]:
    """antigens.yaml: treatment targets and the diseases whose cells carry them."""
    loaded = load_yaml(path, AntigenFile)
    for name, entry in loaded.value.antigens.items():
        for position, disease in enumerate(entry.found_on):
            if disease not in diseases:
                raise loaded.error(("antigens", name, "found_on", position), f"unknown disease {disease!r}")
    return loaded


def load_therapy_file(path: Path, antigens: set[str]) -> LoadedFile[TherapyFile]:
    """therapies.yaml: treatments, their classes and the contents of regimens."""
    loaded = load_yaml(path, TherapyFile)
    entries = loaded.value.therapies
    known = set(entries) | {directed_therapy(a) for a in antigens}
    _check_named(loaded, "therapies", entries, known)
    for name, entry in entries.items():
        for position, part in enumerate(entry.contains):
            if part not in known:
                raise loaded.error(("therapies", name, "contains", position), f"unknown therapy {part!r}")
    return loaded


def load_differential_files(findings_path: Path, diseases_path: Path) -> tuple[FindingFile, DifferentialFile]:
    """findings.yaml and differential.yaml: every finding a disease weighs must be one findings.yaml defines."""
    findings = load_yaml(findings_path, FindingFile)
    differential = load_yaml(diseases_path, DifferentialFile)
    known = set(findings.value.findings)
    for name, entry in differential.value.diseases.items():
        for finding in entry.findings:
            if finding not in known:
                raise differential.error(("diseases", name, "findings", finding), f"unknown finding {finding!r}")
    return findings.value, differential.value


@lru_cache(maxsize=1)
def differential() -> tuple[FindingFile, DifferentialFile]:
    """The diagnostic knowledge base shipped with the product: findings and the diseases they suggest."""
    return load_differential_files(KNOWLEDGE_DIR / "findings.yaml", KNOWLEDGE_DIR / "differential.yaml")


@lru_cache(maxsize=1)
def presentations() -> PresentationFile:
    """The presenting-findings table shipped with the product."""
    return load_yaml(KNOWLEDGE_DIR / "presentations.yaml", PresentationFile).value


@lru_cache(maxsize=1)
def markers() -> MarkerFile:
    """The genetic and molecular markers shipped with the product."""
    return load_yaml(KNOWLEDGE_DIR / "markers.yaml", MarkerFile).value


@lru_cache(maxsize=1)
def terms() -> TermFile:
    """Abbreviations and variant wordings shipped with the product."""
    return load_yaml(KNOWLEDGE_DIR / "terms.yaml", TermFile).value


@lru_cache(maxsize=1)
def diseases() -> DiseaseFile:
    """The disease hierarchy shipped with the product."""
    return load_disease_file(KNOWLEDGE_DIR / "diseases.yaml").value


@lru_cache(maxsize=1)
def antigens() -> AntigenFile:
    """The antigen table shipped with the product."""
    return load_antigen_file(KNOWLEDGE_DIR / "antigens.yaml", set(diseases().diseases)).value


@lru_cache(maxsize=1)
def therapies() -> TherapyFile:
    """The treatment table shipped with the product."""
    return load_therapy_file(KNOWLEDGE_DIR / "therapies.yaml", set(antigens().antigens)).value


__all__ = [
    "DataFileError", "antigens", "differential", "diseases", "directed_therapy", "markers", "presentations", "terms",
    "therapies",
]
