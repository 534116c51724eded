"""Tag a normalised trial with the themes families ask about (cell/gene therapy, CAR-T, access, children)."""

from __future__ import annotations

import re

from core.domain.trial import NormalizedTrial

TAG_ORDER = ("car_t", "cell_therapy", "gene_therapy", "expanded_access", "children")

_CAR_T = re.compile(
    r"\bCAR[\s-]?T\b|\bCAR[\s-]?(?:NK|modified|engineered|transduced)\b|chimeric antigen receptor|"
    r"\bCAR\d*[\s-]?T\b|\wCAR[\s-]?T\b|\bUltraCAR\b|\bCAR\b[\s-]+(?:[\w.]+[\s-]+)?(?:T|NKT?|VSTs?|cells?)\b",
    re.I,
)
# "CART" is case-sensitive: "cart" and "cartilage" are ordinary words.
_CART = re.compile(r"\bCART(?:[\s-]?\d+\b|-[A-Za-z0-9]+|\b)")
# Strong wording only: "T-cell" alone names many leukaemias and lymphomas, not a treatment.
_CELL = re.compile(
    r"cell(?:ular)?[\s-]+(?:therap|immunotherap|product)|natural killer cell (?:therap|infusion)|\bTILs?\b|"
    r"tumou?r[\s-]infiltrating lymphocytes?|dendritic cell (?:vaccine|therap)|virus[\s-]specific T|\bVSTs?\b|"
    r"cytotoxic T[\s-]lymphocytes? (?:therap|infusion)|mesenchymal (?:stem|stromal) cells?|\bTCR[\s-]?T\b|"
    r"adoptive (?:cell|immuno|T)|donor lymphocyte infusion|\bCIK\b",
    re.I,
)
# In an intervention name, any "... cells" product counts, except a transplant.
_CELL_PRODUCT = re.compile(r"\bcells\b|\b(?:T|NK)[\s-]?cell\b", re.I)
_TRANSPLANT = re.compile(r"transplant|\bHSCT\b|\bPBSCT\b|\bBMT\b", re.I)
_GENE = re.compile(
    r"gene[\s-]+(?:therap|transfer|edit|modif|correct)|genetically (?:modified|engineered)|gene[\s-]modified|"
    r"\bAAV\d*\b|adeno[\s-]associated|\blentivir|\bretrovir(?:al|us)[\s-]+(?:vector|transduc)|\bCRISPR\b|"
    r"base[\s-]edit|viral vector|\btransduced\b",
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


# Cheap substring checks run first: the regexes are slow and most trials match none of them.
_HINTS = {
    "car_t": ("car", "chimeric"),
    "cell": ("cell", "til", "lymphocyte", "vst", "cik", "tcr"),
    "gene": ("gene", "aav", "adeno", "vir", "crispr", "edit", "vector", "transduc"),
    "access": ("access", "compassion", "named", "single"),
    "child": (
        "child",
        "ediatric",
        "infant",
        "adolesc",
        "juvenil",
        "neonat",
        "newborn",
        "toddler",
        "kid",
        "young",
    ),
}


def _matches(pattern: re.Pattern[str], hint: str, text: str, lowered: str) -> bool:
    return any(h in lowered for h in _HINTS[hint]) and pattern.search(text) is not None


def tag_trial(trial: NormalizedTrial) -> list[str]:
    """Tags from titles, conditions, keywords and interventions (not summaries, which cite past treatment)."""
    titles = "\n".join(t for t in (trial.brief_title, trial.official_title or "", trial.acronym or "") if t)
    topics = "\n".join(trial.conditions + trial.keywords + trial.mesh_terms)
    iv_names = [n for iv in trial.interventions for n in [iv.name, *iv.other_names]]
    # Conditions are left out on purpose: "T-cell leukaemia" or "gene mutation" describe the disease.
    about = "\n".join([titles, *trial.keywords, *iv_names])
    cell_products = [
        n
        for iv in trial.interventions
        if (iv.type or "").upper() in {"BIOLOGICAL", "GENETIC", "OTHER", "COMBINATION_PRODUCT"}
        for n in [iv.name, *iv.other_names]
        if _CELL_PRODUCT.search(n) and not _TRANSPLANT.search(n)
    ]
    tags: set[str] = set()
    about_lower = about.lower()
    if _matches(_CAR_T, "car_t", about, about_lower) or ("CART" in about and _CART.search(about)):
        tags |= {"car_t", "cell_therapy"}
    if cell_products or _matches(_CELL, "cell", about, about_lower):
        tags.add("cell_therapy")
    if any((iv.type or "").upper() == "GENETIC" for iv in trial.interventions) or _matches(
        _GENE, "gene", about, about_lower
    ):
        tags.add("gene_therapy")
    if (
        trial.study_type == "EXPANDED_ACCESS"
        or trial.has_expanded_access
        or trial.expanded_access_types
        or _matches(_ACCESS, "access", titles, titles.lower())
    ):
        tags.add("expanded_access")
    under_18 = trial.maximum_age_years is not None and trial.maximum_age_years < 18
    child_text = titles + "\n" + topics
    if under_18 or _matches(_CHILD, "child", child_text, child_text.lower()):
        tags.add("children")
    return [t for t in TAG_ORDER if t in tags]
