"""Read a trial record's structure: each intervention's role, the product's kind and source, how it is given and when."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, field_validator

from core.data_files import load_yaml_list, valid_regex, valid_regexes
from core.domain.trial import Intervention, NormalizedTrial
from core.nlp.sentences import split_sentences

KNOWLEDGE = Path(__file__).resolve().parent / "knowledge"
Role = Literal["tested", "conditioning", "supportive", "placebo", "comparator", "procedure", "backbone"]
Source = Literal["donor", "own"]
CELL_TYPES = frozenset({"BIOLOGICAL", "GENETIC"})


class RoleRule(BaseModel):
    """A rule that gives an intervention a role (see knowledge/intervention_roles.yaml)."""

    role: Role
    description: tuple[str, ...] = ()
    names: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    arm_types: tuple[str, ...] = ()
    context: Literal["transplant"] | None = None  # holds only in a transplant study
    _valid = field_validator("description", "names")(valid_regexes)


class ProductKind(BaseModel):
    """A kind of treatment and how drafts name it (see knowledge/product_kinds.yaml)."""

    key: str
    patterns: tuple[str, ...]
    noun: str
    term: str | None = None
    cells: bool = False
    transplant: bool = False
    _valid = field_validator("patterns")(valid_regexes)


class SourceRule(BaseModel):
    """Words that say a cell product or transplant comes from a donor or the patient's own cells."""

    source: Source
    patterns: tuple[str, ...]
    plain: str
    transplant: str
    sentence: str
    _valid = field_validator("patterns")(valid_regexes)


class Negation(BaseModel):
    """Words just before a source wording that turn it around ("unlike autologous products")."""

    pattern: str
    _valid = field_validator("pattern")(valid_regex)


class PhraseRule(BaseModel):
    """Record wording and the plain words for it; the pattern's named groups fill the plain text."""

    patterns: tuple[str, ...]
    plain: str
    _valid = field_validator("patterns")(valid_regexes)


@lru_cache(maxsize=1)
def _roles() -> list[RoleRule]:
    return load_yaml_list(KNOWLEDGE / "intervention_roles.yaml", "roles", RoleRule)


@lru_cache(maxsize=1)
def _kinds() -> list[ProductKind]:
    return load_yaml_list(KNOWLEDGE / "product_kinds.yaml", "kinds", ProductKind)


@lru_cache(maxsize=1)
def _sources() -> list[SourceRule]:
    return load_yaml_list(KNOWLEDGE / "product_sources.yaml", "sources", SourceRule)


@lru_cache(maxsize=1)
def _negations() -> list[Negation]:
    return load_yaml_list(KNOWLEDGE / "product_sources.yaml", "negations", Negation)


@lru_cache(maxsize=3)
def _phrases(key: str) -> list[PhraseRule]:
    return load_yaml_list(KNOWLEDGE / "administration.yaml", key, PhraseRule)


class Part(BaseModel):
    """One intervention as a family needs to hear about it."""

    name: str
    role: Role
    kind: ProductKind | None = None
    source: Source | None = None  # for cell products and transplants
    source_plain: str | None = None  # "from the cells of a donor, ..." for a product
    transplant_plain: str | None = None  # "from a donor" for a transplant
    transplant_sentence: str | None = None  # "The transplant uses cells from a donor." when it is what is tested
    given: str | None = None  # "once, as a drip into a vein"
    timing: str | None = None  # "about 4 to 8 weeks after the infusion"


class RecordReading(BaseModel):
    """The parts of a study's treatment plan, and the record features the glossary chooses meanings by."""

    parts: list[Part]

    def by_role(self, role: Role) -> list[Part]:
        """The parts with this role, in record order."""
        return [p for p in self.parts if p.role == role]

    @property
    def features(self) -> dict[str, str | None]:
        """Facts about the record that decide which glossary meaning fits, e.g. product_source=donor."""
        tested = next((p for p in self.by_role("tested") if p.source), None)
        transplant = next(
            (p for p in self.parts if p.kind and p.kind.key == "stem_cell_transplant" and p.source), None
        )
        return {
            "product_source": tested.source if tested else None,
            "transplant_source": transplant.source if transplant else None,
        }


def _search(patterns: tuple[str, ...], text: str) -> bool:
    return any(re.search(p, text, re.IGNORECASE) for p in patterns)


def _own_text(iv: Intervention) -> str:
    return " ".join([iv.name, *iv.other_names, iv.description or ""])


def _arm_text(trial: NormalizedTrial, iv: Intervention) -> str:
    return " ".join(a.description or "" for a in trial.arms if a.label in iv.arm_labels)


def _rule_role(trial: NormalizedTrial, iv: Intervention, described: str) -> Role | None:
    arm_types = {a.type for a in trial.arms if a.label in iv.arm_labels}
    for rule in _roles():
        if rule.context is not None:
            continue  # the transplant rules are _transplant_role's
        if rule.description and _search(rule.description, described):
            return rule.role
        if rule.names and _search(rule.names, " ".join([iv.name, *iv.other_names])):
            return rule.role
        if rule.types and (iv.type or "").upper() in rule.types:
            return rule.role
        if rule.arm_types and arm_types and arm_types <= set(rule.arm_types):
            return rule.role
    return None


def _given_before(trial: NormalizedTrial, iv: Intervention, products: list[str]) -> bool:
    """True when an arm or summary sentence gives iv first, 'then' or 'followed by' a product (regexes)."""
    texts = [a.description or "" for a in trial.arms] + _sentences_naming(trial, [iv.name])
    for text in texts:
        lowered = text.lower()
        at = lowered.find(iv.name.lower())
        step = re.search(r"\b(?:then|followed by|before)\b", lowered[at + 1 :]) if at >= 0 else None
        after = text[at + 1 + step.end() :] if step else ""
        if step and any(re.search(p, after, re.IGNORECASE) for p in products):
            return True
    return False


def _named_in(title: str, iv: Intervention) -> bool:
    return any(
        re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", title, re.IGNORECASE)
        for name in [iv.name, *iv.other_names]
        if len(name) > 2
    )


def _tested_by_title(trial: NormalizedTrial) -> list[bool]:
    """Which interventions the brief title names (else the official title or acronym): what the study is about."""
    for title in (trial.brief_title, f"{trial.official_title or ''} {trial.acronym or ''}"):
        named = [_named_in(title, iv) for iv in trial.interventions]
        if any(named):
            return named
    return [False] * len(trial.interventions)


def kind_of(text: str) -> ProductKind | None:
    """The first kind of treatment whose words occur in text."""
    return next((k for k in _kinds() if _search(k.patterns, text)), None)


def _sentences_naming(trial: NormalizedTrial, names: list[str]) -> list[str]:
    texts = [trial.official_title or "", trial.brief_summary or "", trial.detailed_description or ""]
    sentences = [s for t in texts for s in split_sentences(t)]
    if not names:
        return sentences
    return [s for s in sentences if any(n and n.lower() in s.lower() for n in names)]


_NEGATION_WINDOW = 30  # characters before a wording that may turn it around


def _negated(text: str, start: int) -> bool:
    before = text[max(0, start - _NEGATION_WINDOW) : start]
    return any(re.search(n.pattern, before, re.IGNORECASE) for n in _negations())


def _source_of(texts: list[str]) -> SourceRule | None:
    """The source the first text that says one gives: its earliest wording that the text does not negate."""
    for text in texts:
        hits = [
            (m.start(), rule)
            for rule in _sources()
            for p in rule.patterns
            for m in re.finditer(p, text, re.IGNORECASE)
            if not _negated(text, m.start())
        ]
        if hits:
            return min(hits, key=lambda h: h[0])[1]
    return None


def _fill(rule: PhraseRule, text: str) -> tuple[int, str] | None:
    for pattern in rule.patterns:
        match = re.search(pattern, text, re.IGNORECASE)
        if match:
            groups = {k: v.lower() if k in ("unit", "event") else v for k, v in match.groupdict().items()}
            return match.start(), rule.plain.format(**groups)
    return None


def _given(text: str) -> str | None:
    frequencies = sorted(hit for rule in _phrases("frequencies") if (hit := _fill(rule, text)))
    route = next((hit[1] for rule in _phrases("routes") if (hit := _fill(rule, text))), None)
    how = ", then ".join(dict.fromkeys(plain for _, plain in frequencies[:2]))
    if how and route:
        return f"{how}, {route}"
    return how or route


def _timing(texts: list[str]) -> str | None:
    for text in texts:
        hits = sorted(hit for rule in _phrases("timings") if (hit := _fill(rule, text)))
        if hits:
            return hits[0][1]
    return None


def _kind(iv: Intervention) -> ProductKind | None:
    """The kind its names and description say; a procedure by its names first ("CAR T" in a transplant's note)."""
    if (iv.type or "").upper() == "PROCEDURE":
        return kind_of(" ".join([iv.name, *iv.other_names])) or kind_of(iv.description or "")
    return kind_of(_own_text(iv))


def _part(trial: NormalizedTrial, iv: Intervention, role: Role) -> Part:
    own = _own_text(iv)
    kind = _kind(iv)
    cells = role == "procedure" or _is_cells(iv) or (kind is not None and kind.transplant)
    codes = [c for n in [iv.name, *iv.other_names] for c in re.findall(r"\b[A-Z]{2,}-?\d+\w*\b", n)]
    naming = _sentences_naming(trial, [iv.name, *iv.other_names, *codes])
    # Where a cell product comes from: its own text, then its arms, then sentences naming it, then ones
    # naming its kind (the precedence product_sources.yaml describes).
    about_kind = (
        [t for t in _sentences_naming(trial, []) if kind and _search(kind.patterns, t)]
        if role == "tested"
        else []
    )
    source = _source_of([own, _arm_text(trial, iv), *naming, *about_kind]) if cells else None
    timing = _timing([iv.description or "", *naming]) if role == "procedure" else None
    return Part(
        name=iv.name,
        role=role,
        kind=kind,
        source=source.source if source else None,
        source_plain=source.plain if source else None,
        transplant_plain=source.transplant if source else None,
        transplant_sentence=source.sentence if source else None,
        given=_given(f"{iv.description or ''} {_arm_text(trial, iv)}") if role == "tested" else None,
        timing=timing,
    )


def _transplant_role(iv: Intervention) -> Role | None:
    """The role a transplant study's rules give an intervention by its names (conditioning, care around it)."""
    names = " ".join([iv.name, *iv.other_names])
    return next((r.role for r in _roles() if r.context == "transplant" and _search(r.names, names)), None)


def _is_transplant(iv: Intervention) -> bool:
    # By its names only: a drug's description often mentions the transplant it is given around.
    kind = kind_of(" ".join([iv.name, *iv.other_names]))
    return kind is not None and kind.transplant


def _transplant_study(ivs: list[Intervention]) -> bool:
    """True when a transplant is in the plan and no cell or gene product besides it is tested (a CAR-T then a
    transplant is a CAR-T study)."""
    return any(_is_transplant(iv) for iv in ivs) and not any(
        _is_cells(iv) and not _is_transplant(iv) and _transplant_role(iv) is None for iv in ivs
    )


def read_record(trial: NormalizedTrial) -> RecordReading:
    """Give every intervention of the record a role, and read the tested product's kind, source and schedule."""
    ivs = trial.interventions
    described = [" ".join([*iv.other_names, iv.description or ""]) for iv in ivs]
    roles: list[Role | None] = [_rule_role(trial, iv, text) for iv, text in zip(ivs, described, strict=True)]
    transplant = _transplant_study(ivs)
    settled = [False] * len(ivs)
    if transplant:
        # Around a transplant, fludarabine or ATG prepare the body and ciclosporin protects the graft,
        # even when the title names them ("... With Post-transplant Cyclophosphamide").
        for i, iv in enumerate(ivs):
            role = roles[i] if roles[i] in ("conditioning", "supportive") else _transplant_role(iv)
            if role is not None and not _is_transplant(iv):
                roles[i], settled[i] = role, True
    for i, named in enumerate(_tested_by_title(trial)):
        # What the title names, or a cell product, is what the study tests, whatever its description
        # says about conditioning ("given after conditioning with busulfan"); a comparator stays one.
        if settled[i] or (transplant and _is_transplant(ivs[i])):
            continue
        if (named or _is_cells(ivs[i])) and roles[i] not in ("comparator", "placebo", "procedure"):
            roles[i] = "tested"
    if transplant and "tested" not in roles:
        # Nothing else is tested: the transplant, with its conditioning, is the treatment the study is about.
        roles[next(i for i, iv in enumerate(ivs) if _is_transplant(iv))] = "tested"
    if "tested" not in roles and None in roles:
        roles[roles.index(None)] = "tested"  # the record lists what it studies first
    tested = [iv for iv, r in zip(ivs, roles, strict=True) if r == "tested"]
    cell_products = [
        p
        for iv in tested
        if _is_cells(iv)
        for p in [*(re.escape(n) for n in [iv.name, *iv.other_names]), *_kind_patterns(iv)]
    ]
    for i, iv in enumerate(ivs):
        if roles[i] is not None:
            continue
        # What the record says around an unlabelled medicine: "Lymphodepletion: fludarabine ...".
        roles[i] = _rule_role(
            trial, iv, " ".join(_sentences_naming(trial, [iv.name]) + [_arm_text(trial, iv)])
        )
        if roles[i] is None and cell_products and _given_before(trial, iv, cell_products):
            roles[i] = "conditioning"  # chemotherapy given before a cell product prepares the body for it
    return RecordReading(
        parts=[_part(trial, iv, role or "backbone") for iv, role in zip(ivs, roles, strict=True)]
    )


def _kind_patterns(iv: Intervention) -> tuple[str, ...]:
    kind = _kind(iv)
    return kind.patterns if kind else ()


def _is_cells(iv: Intervention) -> bool:
    kind = _kind(iv)
    return (kind is not None and kind.cells) or (iv.type or "").upper() in CELL_TYPES
