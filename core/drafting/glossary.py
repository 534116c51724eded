"""A plain-language glossary: finds medical jargon in text and gives the everyday words for it."""

from __future__ import annotations

import re
from functools import lru_cache

from pydantic import BaseModel


class GlossaryEntry(BaseModel):
    """One term, the spellings that count as it, and its plain-language meaning."""

    term: str
    plain: str
    variants: tuple[str, ...] = ()  # regular expressions, matched case-insensitively on word boundaries
    acronyms: tuple[str, ...] = ()  # regular expressions matched with their capitals ("CART", not "cart")


class JargonHit(BaseModel):
    """One place where a glossary term occurs in a text."""

    term: str
    plain: str
    start: int
    end: int


# Plain meanings are written for a reading age of about 12 and avoid any promise of benefit.
GLOSSARY: tuple[GlossaryEntry, ...] = (
    GlossaryEntry(
        term="allogeneic",
        plain="made from cells of a donor, not the patient",
        variants=(r"allogeneic", r"allogenic"),
    ),
    GlossaryEntry(term="autologous", plain="made from the patient's own cells", variants=(r"autologous",)),
    GlossaryEntry(
        term="CAR-T",
        plain="a treatment made from the patient's own immune cells, changed in a lab to find the illness",
        variants=(r"chimeric antigen receptor(?: T[- ]cells?)?",),
        acronyms=(r"CAR[- ]?T(?:[- ]cells?)?", r"CART"),
    ),
    GlossaryEntry(
        term="refractory", plain="did not get better with earlier treatment", variants=(r"refractory",)
    ),
    GlossaryEntry(term="relapsed", plain="came back after treatment", variants=(r"relapsed?", r"relapsing")),
    GlossaryEntry(
        term="randomised",
        plain="people are put into groups by chance, like a coin toss",
        variants=(r"randomi[sz]ed", r"randomi[sz]ation"),
    ),
    GlossaryEntry(term="placebo", plain="a dummy treatment with no medicine in it", variants=(r"placebos?",)),
    GlossaryEntry(
        term="phase 1",
        plain="an early study in a small group that looks at side effects and the right dose",
        variants=(r"phase (?:1|I)(?![/\d])", r"early phase 1"),
    ),
    GlossaryEntry(
        term="phase 1/2",
        plain="an early study that looks at side effects and the dose, then at how well it works",
        variants=(r"phase (?:1|I) ?/ ?(?:2|II)",),
    ),
    GlossaryEntry(
        term="phase 2",
        plain="a study in a larger group that looks at how well a treatment works and at side effects",
        variants=(r"phase (?:2|II)(?![/\dI])",),
    ),
    GlossaryEntry(
        term="phase 3",
        plain="a large study that compares a new treatment with the usual one",
        variants=(r"phase (?:3|III)(?![/\d])",),
    ),
    GlossaryEntry(
        term="open-label",
        plain="everyone, including the patient and doctors, knows which treatment is given",
        variants=(r"open[- ]label",),
    ),
    GlossaryEntry(
        term="lymphodepletion",
        plain="a short course of chemotherapy before the cell treatment to make room for the new cells",
        variants=(r"lymphodepletion", r"lymphodepleting", r"lympho-depletion"),
    ),
    GlossaryEntry(
        term="cytokine release syndrome",
        plain="a strong reaction of the immune system that can cause fever and low blood pressure",
        variants=(r"cytokine release syndrome",),
        acronyms=(r"CRS",),
    ),
    GlossaryEntry(
        term="neurotoxicity",
        plain="side effects on the brain and nerves, such as confusion",
        variants=(r"neurotoxicity", r"neurotoxic"),
        acronyms=(r"ICANS",),
    ),
    GlossaryEntry(
        term="stem cell transplant",
        plain="a treatment that replaces the blood-making cells with healthy ones",
        variants=(
            r"(?:haematopoietic |hematopoietic |allogeneic |autologous )?stem[- ]cell transplant(?:ation)?",
            r"bone marrow transplant(?:ation)?",
        ),
        acronyms=(r"HSCT",),
    ),
    GlossaryEntry(
        term="bispecific",
        plain="a medicine that sticks to two targets at once, often the illness and an immune cell",
        variants=(r"bispecific(?: antibod(?:y|ies))?",),
        acronyms=(r"BiTE",),
    ),
    GlossaryEntry(
        term="monoclonal antibody",
        plain="a lab-made protein that sticks to one target on cells",
        variants=(r"monoclonal antibod(?:y|ies)",),
        acronyms=(r"mAbs?",),
    ),
    GlossaryEntry(
        term="remission", plain="signs of the illness have gone away for now", variants=(r"remissions?",)
    ),
    GlossaryEntry(
        term="minimal residual disease",
        plain="a very small amount of illness left that only special tests can find",
        variants=(r"minimal residual disease", r"measurable residual disease"),
        acronyms=(r"MRD",),
    ),
    GlossaryEntry(
        term="expanded access",
        plain="a way to get a treatment that is still being studied, outside a study",
        variants=(r"expanded access(?: program(?:me)?)?",),
    ),
    GlossaryEntry(
        term="compassionate use",
        plain="another name for getting a treatment that is still being studied, outside a study",
        variants=(r"compassionate use",),
    ),
    GlossaryEntry(
        term="gene therapy",
        plain="a treatment that adds or changes genes in cells",
        variants=(r"gene therap(?:y|ies)", r"gene transfer"),
    ),
    GlossaryEntry(
        term="lentiviral",
        plain="uses a harmless, changed virus to carry a new gene into cells",
        variants=(r"lentivir(?:al|us)(?: vector)?",),
    ),
    GlossaryEntry(
        term="AAV vector",
        plain="a harmless, changed virus used to carry a new gene into cells",
        variants=(r"adeno-associated virus(?: vectors?)?",),
        acronyms=(r"AAV(?:\d+)?(?: vectors?)?",),
    ),
    GlossaryEntry(
        term="ECOG",
        plain="a score of how well a person can do daily activities; a lower score means more active",
        acronyms=(r"ECOG(?: performance status)?",),
    ),
    GlossaryEntry(
        term="Karnofsky",
        plain="a score of how well a person can do daily activities; a higher score means more active",
        variants=(r"Karnofsky(?: performance status)?",),
    ),
    GlossaryEntry(
        term="Lansky",
        plain="a score of how well a child can play and do daily activities; a higher score means more active",
        variants=(r"Lansky(?: performance status| play scale)?",),
    ),
    GlossaryEntry(term="haematologic", plain="about the blood", variants=(r"ha?ematologic(?:al)?",)),
    GlossaryEntry(term="malignancy", plain="cancer", variants=(r"malignanc(?:y|ies)",)),
    GlossaryEntry(term="efficacy", plain="how well a treatment works", variants=(r"efficacy",)),
    GlossaryEntry(term="toxicity", plain="harmful side effects", variants=(r"toxicit(?:y|ies)",)),
    GlossaryEntry(
        term="infusion", plain="medicine given slowly through a drip into a vein", variants=(r"infusions?",)
    ),
    GlossaryEntry(
        term="leukapheresis",
        plain="collecting white blood cells from the blood with a machine",
        variants=(r"leuka?pheresis", r"apheresis"),
    ),
    GlossaryEntry(
        term="maximum tolerated dose",
        plain="the highest dose that does not cause too many side effects",
        variants=(r"maximum tolerated dose",),
        acronyms=(r"MTD",),
    ),
    GlossaryEntry(term="cohort", plain="a group of people in the study", variants=(r"cohorts?",)),
    GlossaryEntry(
        term="subcutaneous", plain="given as an injection under the skin", variants=(r"subcutaneous(?:ly)?",)
    ),
    GlossaryEntry(
        term="intravenous", plain="given into a vein", variants=(r"intravenous(?:ly)?",), acronyms=(r"IV",)
    ),
    GlossaryEntry(
        term="graft-versus-host disease",
        plain="when donor cells attack the patient's body",
        variants=(r"graft[- ]versus[- ]host disease",),
        acronyms=(r"GVHD",),
    ),
    GlossaryEntry(
        term="lymphoblastic",
        plain="a kind of blood cancer that starts in young white blood cells",
        variants=(r"lymphoblastic",),
    ),
)

_BY_TERM: dict[str, GlossaryEntry] = {entry.term.lower(): entry for entry in GLOSSARY}


@lru_cache(maxsize=1)
def _compiled() -> list[tuple[re.Pattern[str], GlossaryEntry]]:
    patterns: list[tuple[re.Pattern[str], GlossaryEntry]] = []
    for entry in GLOSSARY:
        variants = entry.variants or (() if entry.acronyms else (re.escape(entry.term),))
        for variant in variants:
            patterns.append((re.compile(rf"(?<![\w-]){variant}(?![\w-])", re.IGNORECASE), entry))
        for acronym in entry.acronyms:
            patterns.append((re.compile(rf"(?<![\w-]){acronym}(?![\w-])"), entry))
    return patterns


def plain_alternative(term: str) -> str | None:
    """Return the plain-language meaning of a glossary term or any of its spellings, or None."""
    entry = _BY_TERM.get(term.strip().lower())
    if entry is not None:
        return entry.plain
    hits = find_jargon(term.strip())
    if hits and hits[0].start == 0 and hits[0].end == len(term.strip()):
        return hits[0].plain
    return None


def find_jargon(text: str) -> list[JargonHit]:
    """Return the glossary terms in text, longest match first where they overlap, in text order."""
    candidates: list[JargonHit] = []
    for pattern, entry in _compiled():
        for match in pattern.finditer(text):
            candidates.append(
                JargonHit(term=entry.term, plain=entry.plain, start=match.start(), end=match.end())
            )
    candidates.sort(key=lambda h: (h.start, -(h.end - h.start)))
    hits: list[JargonHit] = []
    for hit in candidates:
        if hits and hit.start < hits[-1].end:
            continue
        hits.append(hit)
    return hits
