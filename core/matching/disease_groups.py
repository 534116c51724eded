"""Broad disease groups (blood cancer, solid tumour, airway disease, ...) named in a text, for the main-diagnosis rule.

A trial that requires a diagnosis from one group cannot fit a case whose diagnoses all lie in other
groups (an asthma trial for a child with leukaemia). Within a group the rules decide nothing: B-cell
versus T-cell leukaemia is left to the LLM or the reviewer. Words that cover several groups ("cancer",
"malignancy", "tumour", "rare disease") make a text undecidable, so no group is read from it.
"""

from __future__ import annotations

import re
from functools import lru_cache

# group -> pattern (case-insensitive unless the alternative is an upper-case acronym, see _ACRONYMS)
_GROUPS: dict[str, str] = {
    "blood cancer": r"leuka?emi\w*|lymphoma\w*|myeloma\w*|myelodysplas\w*|myeloproliferative|lymphoblastic|"
    r"waldenstr\w*|macroglobulinemia|(?:haemato|hemato)\w* malignan\w*|blood cancers?|histiocytosis",
    "solid tumour": r"\w*carcinoma\w*|\w*sarcoma\w*|glioma\w*|glioblastoma\w*|astrocytoma\w*|ependymoma\w*|"
    r"\w+blastoma\w*|melanoma\w*|mesothelioma\w*|solid tumou?rs?|(?:breast|lung|prostate|colorectal|colon|"
    r"rectal|pancrea\w*|ovarian|cervical|gastric|liver|bladder|kidney|renal|thyroid|head and neck|skin|"
    r"brain|bone|testicular|germ cell) (?:cancer|tumou?r)s?|germ cell tumou?rs?",
    "airway disease": r"asthma\w*|chronic obstructive pulmonary|copd|bronchiectasis|cystic fibrosis|"
    r"pulmonary fibrosis|interstitial lung disease",
    "heart and vessel disease": r"heart failure|coronary (?:artery|heart) disease|myocardial infarction|"
    r"atrial fibrillation|cardiomyopathy|pulmonary (?:arterial )?hypertension|peripheral arter\w* disease",
    "metabolic disease": r"diabet\w*|obesity|lysosomal storage|gaucher|fabry|pompe|mucopolysaccharidosis|"
    r"phenylketonuria|hypercholesterol\w*|dyslipid\w*|adrenoleukodystroph\w*|metachromatic leukodystroph\w*",
    "neurological disease": r"alzheimer\w*|parkinson\w*|multiple sclerosis|epileps\w*|spinal muscular atrophy|"
    r"muscular dystroph\w*|amyotrophic lateral sclerosis|huntington\w*|migraine\w*|stroke|dementia",
    "inborn immune deficiency": r"wiskott[- ]aldrich|severe combined immunodeficiency|chronic granulomatous disease|"
    r"primary immunodeficienc\w*|inborn errors? of immunity",
    "inherited blood disorder": r"sickle[- ]cell|thalassa?emia\w*|ha?emophilia\w*|aplastic ana?emia|"
    r"fanconi ana?emia|diamond[- ]blackfan",
    "autoimmune disease": r"rheumatoid arthritis|lupus|psoria\w*|crohn\w*|ulcerative colitis|atopic dermatitis|"
    r"ankylosing spondylitis|systemic sclerosis",
    "eye disease": r"retinitis pigmentosa|leber\w*|macular degeneration|glaucoma|retinal dystroph\w*",
    "chronic infection": r"hiv infection|human immunodeficiency virus infection|chronic hepatitis [bc]",
}
_ACRONYMS: dict[str, str] = {
    "blood cancer": r"T-ALL|B-ALL|ALL|AML|CLL|CML|MDS|DLBCL|LBCL|MCL|NHL|T-LBL|LBL|JMML|CMML",
    "inborn immune deficiency": r"SCID|CGD",
    "airway disease": r"COPD|CF",
}
# Words that span groups: a text using them names no single group.
_UMBRELLA = re.compile(
    r"\b(?:cancers?|malignan\w*|neoplas\w*|tumou?rs?|rare diseases?|any (?:disease|condition)|"
    r"condition listed|disorders? listed)\b",
    re.IGNORECASE,
)
_COMPILED = {
    group: re.compile(rf"(?<![\w-])(?:{pattern})(?![\w-])", re.IGNORECASE) for group, pattern in _GROUPS.items()
}
_COMPILED_ACRONYMS = {group: re.compile(rf"(?<![\w-])(?:{p})(?![\w-])") for group, p in _ACRONYMS.items()}


def _named(text: str) -> set[str]:
    found = {g for g, pattern in _COMPILED.items() if pattern.search(text)}
    found |= {g for g, pattern in _COMPILED_ACRONYMS.items() if pattern.search(text)}
    return found


@lru_cache(maxsize=4096)  # the same diagnosis is read once per criterion of every shortlisted trial
def disease_groups(text: str) -> frozenset[str]:
    """The disease groups a text names; empty when it names none or uses a word spanning groups."""
    found = _named(text)
    if not found:
        return frozenset()
    # "cancer" beside a named cancer ("breast cancer") is part of the name, not an umbrella
    without_named = text
    for pattern in (*_COMPILED.values(), *_COMPILED_ACRONYMS.values()):
        without_named = pattern.sub(" ", without_named)
    return frozenset() if _UMBRELLA.search(without_named) else frozenset(found)
