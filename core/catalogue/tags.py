"""Tag a normalised trial with the themes families ask about (cell/gene therapy, CAR-T, access, children)."""

from __future__ import annotations

import re

from core.catalogue.records import NormalizedTrial

TAG_ORDER = ("car_t", "cell_therapy", "gene_therapy", "expanded_access", "children")

_CAR_T = re.compile(
    r"\bCAR[\s-]?T\b|\bCAR[\s-]?(?:NK|modified|engineered|transduced)\b|chimeric antigen receptor|"
    r"\bCAR\d*[\s-]?T\b|\b\w+CAR[\s-]?T\b|\bUltraCAR\b",
    re.I,
)
# "CART" is case-sensitive: "cart" and "cartilage" are ordinary words.
_CART = re.compile(r"\bCART(?:[\s-]?\d+\b|-[A-Za-z0-9]+|\b)")
_CELL = re.compile(
    r"cell(?:ular)?[\s-]+therap|\bT[\s-]?cells?\b|\bNK[\s-]?cells?\b|natural killer|\bTILs?\b|"
    r"tumou?r[\s-]infiltrating lymphocytes?|dendritic cell|virus[\s-]specific T|\bVSTs?\b|"
    r"\bCTLs?\b|cytotoxic T[\s-]lymphocytes?|mesenchymal (?:stem|stromal)|\bTCR[\s-]?T\b|T[\s-]cell receptor|"
    r"adoptive (?:cell|immuno)|donor lymphocyte infusion|\bDLI\b|\bCIK\b",
    re.I,
)
_GENE = re.compile(
    r"gene[\s-]+(?:therap|transfer|edit|modif|correct)|genetically (?:modified|engineered)|gene[\s-]modified|"
    r"\bAAV\d*\b|adeno[\s-]associated|lentivir|retrovir|\bCRISPR\b|base edit|\bvector\b|transduced",
    re.I,
)
_ACCESS = re.compile(
    r"expanded[\s-]access|compassionate[\s-]use|named[\s-]patient|managed[\s-]access|early[\s-]access|"
    r"single[\s-]patient (?:IND|use|protocol)|pre[\s-]approval access",
    re.I,
)
_CHILD = re.compile(
    r"\bchild(?:ren|hood)?\b|p(?:a)?ediatric|\binfants?\b|\binfantile\b|\badolescen|\bjuvenile\b|"
    r"\bneonat|\bnewborns?\b|\btoddlers?\b|\bkids?\b|\byoung people\b",
    re.I,
)


def tag_trial(trial: NormalizedTrial) -> list[str]:
    """Tags from titles, conditions, keywords and interventions (not from summaries, which cite history)."""
    titles = "\n".join(t for t in (trial.brief_title, trial.official_title or "", trial.acronym or "") if t)
    topics = "\n".join(trial.conditions + trial.keywords + trial.mesh_terms)
    iv_names = "\n".join(n for iv in trial.interventions for n in [iv.name, *iv.other_names])
    cellular_ivs = "\n".join(
        n
        for iv in trial.interventions
        if (iv.type or "").upper() in {"BIOLOGICAL", "GENETIC"}
        for n in [iv.name, *iv.other_names]
    )
    about = "\n".join((titles, topics, iv_names))
    tags: set[str] = set()
    if _CAR_T.search(about) or _CART.search(about):
        tags |= {"car_t", "cell_therapy"}
    if _CELL.search(about) or re.search(r"\bcells?\b", cellular_ivs, re.I):
        tags.add("cell_therapy")
    if any((iv.type or "").upper() == "GENETIC" for iv in trial.interventions) or _GENE.search(about):
        tags.add("gene_therapy")
    if (
        trial.study_type == "EXPANDED_ACCESS"
        or trial.has_expanded_access
        or trial.expanded_access_types
        or _ACCESS.search(titles)
    ):
        tags.add("expanded_access")
    if (trial.maximum_age_years is not None and trial.maximum_age_years < 18) or _CHILD.search(
        titles + "\n" + topics
    ):
        tags.add("children")
    return [t for t in TAG_ORDER if t in tags]
