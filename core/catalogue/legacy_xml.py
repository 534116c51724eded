"""Parse one legacy ClinicalTrials.gov <clinical_study> XML record into a NormalizedTrial."""

from __future__ import annotations

import re
import textwrap
from typing import Any

from lxml import etree

from core.catalogue.assemble import assemble_trial
from core.catalogue.normalise import (
    FieldError,
    normalise_age,
    normalise_date,
    normalise_expanded_access_types,
    normalise_phases,
    normalise_sex,
    normalise_site_status,
    normalise_status,
    normalise_study_type,
    normalise_yes_no,
    to_int,
)
from core.domain.trial import NormalizedTrial

# No DTDs, no entity expansion, no network: the record is untrusted input.
_PARSER = etree.XMLParser(
    resolve_entities=False,
    no_network=True,
    load_dtd=False,
    dtd_validation=False,
    huge_tree=False,
    remove_comments=True,
)
_ENUM_WORD = re.compile(r"[^A-Z0-9]+")
# Legacy labels carry a parenthesised gloss: "None (Open Label)", "Double (Participant, Investigator)".
_GLOSS = re.compile(r"\s*\(.*\)\s*$")


def parse_clinical_study_xml(xml: bytes | str, *, file: str) -> NormalizedTrial:
    """A legacy <clinical_study> document -> NormalizedTrial; malformed XML or bad fields raise FieldError."""
    if isinstance(xml, str):
        xml = xml.encode("utf-8")
    try:
        root = etree.fromstring(xml, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise FieldError("xml", f"not well-formed XML in {file}: {exc}") from None
    return parse_clinical_study_element(root, raw=xml.decode("utf-8", errors="replace"))


def parse_clinical_study_element(root: Any, *, raw: str | None = None) -> NormalizedTrial:
    """An already parsed <clinical_study> element -> NormalizedTrial."""
    if root.tag != "clinical_study":
        raise FieldError("xml", f"root element is <{root.tag}>, expected <clinical_study>")
    ea = root.find("expanded_access_info")
    ea_names = [] if ea is None else [c.tag.removeprefix("expanded_access_type_") for c in ea if _yes(c.text)]
    design = root.find("study_design_info")
    fields: dict[str, Any] = {
        "registry_id": _text(root, "id_info/nct_id"),
        "source_format": "ctgov_legacy_xml",
        "brief_title": _text(root, "brief_title") or "",
        "official_title": _text(root, "official_title"),
        "acronym": _text(root, "acronym"),
        "brief_summary": _block(root, "brief_summary/textblock"),
        "detailed_description": _block(root, "detailed_description/textblock"),
        "overall_status": normalise_status(_text(root, "overall_status"), field="overall_status"),
        "study_type": normalise_study_type(_text(root, "study_type"), field="study_type"),
        "phases": normalise_phases(_text(root, "phase"), field="phase"),
        "has_expanded_access": normalise_yes_no(
            _text(root, "has_expanded_access"), field="has_expanded_access"
        ),
        "expanded_access_types": normalise_expanded_access_types(ea_names, field="expanded_access_info"),
        "conditions": _texts(root, "condition"),
        "keywords": _texts(root, "keyword"),
        "mesh_terms": list(
            dict.fromkeys(
                _texts(root, "condition_browse/mesh_term") + _texts(root, "intervention_browse/mesh_term")
            )
        ),
        "interventions": [
            _read_intervention(iv) for iv in root.findall("intervention") if _text(iv, "intervention_name")
        ],
        "arms": [_read_arm(arm) for arm in root.findall("arm_group") if _text(arm, "arm_group_label")],
        "sponsor": _text(root, "sponsors/lead_sponsor/agency"),
        "collaborators": _texts(root, "sponsors/collaborator/agency"),
        "start_date": normalise_date(_text(root, "start_date"), field="start_date"),
        "primary_completion_date": normalise_date(
            _text(root, "primary_completion_date"), field="primary_completion_date"
        ),
        "completion_date": normalise_date(_text(root, "completion_date"), field="completion_date"),
        "first_posted_date": normalise_date(
            _text(root, "study_first_posted") or _text(root, "firstreceived_date"), field="study_first_posted"
        ),
        "last_update_date": normalise_date(
            _text(root, "last_update_posted") or _text(root, "lastchanged_date"), field="last_update_posted"
        ),
        "enrollment": to_int(_text(root, "enrollment"), field="enrollment"),
        "allocation": _enum(design, "allocation"),
        "masking": _enum(design, "masking"),
        "primary_purpose": _enum(design, "primary_purpose"),
        "minimum_age_years": normalise_age(
            _text(root, "eligibility/minimum_age"), field="eligibility/minimum_age"
        ),
        "maximum_age_years": normalise_age(
            _text(root, "eligibility/maximum_age"), field="eligibility/maximum_age"
        ),
        "sex": normalise_sex(_text(root, "eligibility/gender"), field="eligibility/gender"),
        "healthy_volunteers": _healthy_volunteers(_text(root, "eligibility/healthy_volunteers")),
        "eligibility_text": _block(root, "eligibility/criteria/textblock", unwrap=False) or "",
        "sites": [_read_site(loc, i) for i, loc in enumerate(root.findall("location"))],
        "central_contacts": [
            _read_contact(c, "CONTACT")
            for c in root.findall("overall_contact") + root.findall("overall_contact_backup")
        ],
        "raw": raw,
    }
    if fields["registry_id"] is None:
        raise FieldError("id_info/nct_id", "missing registry id")
    return assemble_trial(fields, eligibility_field="eligibility/criteria/textblock")


def _findtext(el: Any, path: str) -> str | None:
    """An element's whole text without unexpanded entities. findtext stops at the first entity ("CD7 &x; cells"
    gave "CD7 "), which cut titles short without a word; the importer warns about the entities instead."""
    found = el.find(path)
    return None if found is None else _element_text(found)


def _element_text(el: Any) -> str:
    parts = [el.text or ""]
    for child in el:
        if child.tag is not etree.Entity:  # an entity's own text is its "&name;" reference
            parts.append(_element_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _text(el: Any, path: str) -> str | None:
    if el is None:
        return None
    found = _findtext(el, path)
    if found is None:
        return None
    found = found.strip()
    return found or None


def _texts(el: Any, path: str) -> list[str]:
    return [t.strip() for t in (_element_text(e) for e in el.findall(path)) if t and t.strip()]


def _yes(value: str | None) -> bool:
    return (value or "").strip().lower() == "yes"


def _block(el: Any, path: str, *, unwrap: bool = True) -> str | None:
    """A <textblock>: dedented; prose paragraphs unwrapped to one line each like API v2 stores them."""
    text = _findtext(el, path)
    if text is None:
        return None
    text = textwrap.dedent(text.replace("\r\n", "\n").replace("\r", "\n")).strip()
    if not text:
        return None
    if not unwrap:
        return text
    paragraphs = re.split(r"\n\s*\n", text)
    return "\n\n".join(" ".join(p.split()) for p in paragraphs if p.strip())


def _enum(el: Any, tag: str) -> str | None:
    value = _text(el, tag)
    if value is None:
        return None
    key = _ENUM_WORD.sub("_", _GLOSS.sub("", value).upper()).strip("_")
    return "NA" if key == "N_A" else key or None


def _healthy_volunteers(value: str | None) -> bool | None:
    if value and value.strip().lower().startswith("accepts"):
        return True
    return normalise_yes_no(value, field="eligibility/healthy_volunteers")


def _read_intervention(iv: Any) -> dict[str, Any]:
    kind = _text(iv, "intervention_type")
    return {
        "type": _ENUM_WORD.sub("_", kind.upper()).strip("_") if kind else None,
        "name": _text(iv, "intervention_name"),
        "description": _block(iv, "description"),
        "other_names": _texts(iv, "other_name"),
        "arm_labels": _texts(iv, "arm_group_label"),
    }


def _read_arm(arm: Any) -> dict[str, Any]:
    kind = _text(arm, "arm_group_type")
    return {
        "label": _text(arm, "arm_group_label"),
        "type": _ENUM_WORD.sub("_", kind.upper()).strip("_") if kind else None,
        "description": _block(arm, "description"),
    }


def _read_contact(el: Any, role: str | None) -> dict[str, Any]:
    names = [_text(el, t) for t in ("first_name", "middle_name", "last_name")]
    name = " ".join(n for n in names if n) or None
    suffix = _text(el, "degrees")
    return {
        "name": f"{name}, {suffix}" if name and suffix else name,
        "role": role,
        "phone": _text(el, "phone"),
        "email": _text(el, "email"),
    }


def _read_site(loc: Any, index: int) -> dict[str, Any]:
    contacts = [_read_contact(c, "CONTACT") for c in loc.findall("contact") + loc.findall("contact_backup")]
    return {
        "facility": _text(loc, "facility/name"),
        "city": _text(loc, "facility/address/city"),
        "state": _text(loc, "facility/address/state"),
        "zip": _text(loc, "facility/address/zip"),
        "country": _text(loc, "facility/address/country"),
        "status": normalise_site_status(_text(loc, "status"), field=f"location[{index}]/status"),
        "contacts": contacts,
    }
