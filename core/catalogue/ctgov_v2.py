"""Parse one ClinicalTrials.gov API v2 study (JSON dict) into a NormalizedTrial."""

from __future__ import annotations

from math import isfinite
from typing import Any

from core.catalogue.assemble import assemble_trial
from core.catalogue.normalise import (
    FieldError,
    get_int,
    get_list,
    get_obj,
    get_str,
    get_str_list,
    normalise_age,
    normalise_date,
    normalise_expanded_access_types,
    normalise_phases,
    normalise_sex,
    normalise_site_status,
    normalise_status,
    normalise_study_type,
    normalise_yes_no,
    to_float,
)
from core.domain.trial import NormalizedTrial

P = "protocolSection"
_IP, _SP, _DP, _EP = (
    f"{P}.{m}" for m in ("identificationModule", "statusModule", "designModule", "eligibilityModule")
)
_SCP, _CLP = f"{P}.sponsorCollaboratorsModule", f"{P}.contactsLocationsModule"
_DATES = (
    ("start_date", "startDateStruct"),
    ("primary_completion_date", "primaryCompletionDateStruct"),
    ("completion_date", "completionDateStruct"),
    ("first_posted_date", "studyFirstPostDateStruct"),
    ("last_update_date", "lastUpdatePostDateStruct"),
)


def parse_study_v2(study: dict, *, source: str = "ctgov_v2_json") -> NormalizedTrial:
    """One API v2 study (as /studies/{nctId} returns it) -> NormalizedTrial; bad fields raise FieldError."""
    if not isinstance(study, dict):
        raise FieldError("study", f"expected a JSON object, got {type(study).__name__}")
    ps = get_obj(study, P, "")
    if not ps:
        raise FieldError(P, "missing protocolSection: not an API v2 study")
    ident = get_obj(ps, "identificationModule", P)
    status = get_obj(ps, "statusModule", P)
    sponsors = get_obj(ps, "sponsorCollaboratorsModule", P)
    desc = get_obj(ps, "descriptionModule", P)
    conds = get_obj(ps, "conditionsModule", P)
    design = get_obj(ps, "designModule", P)
    arms = get_obj(ps, "armsInterventionsModule", P)
    elig = get_obj(ps, "eligibilityModule", P)
    cl = get_obj(ps, "contactsLocationsModule", P)

    registry_id = get_str(ident, "nctId", _IP)
    if registry_id is None:
        raise FieldError(f"{_IP}.nctId", "missing registry id")

    design_info = get_obj(design, "designInfo", _DP)
    ea_types = get_obj(design, "expandedAccessTypes", _DP)
    ea_info = get_obj(status, "expandedAccessInfo", _SP)
    masking = get_obj(design_info, "maskingInfo", f"{_DP}.designInfo")
    dp_desc, dp_cond = f"{P}.descriptionModule", f"{P}.conditionsModule"

    fields: dict[str, Any] = {
        "registry_id": registry_id,
        "source_format": source,
        "brief_title": get_str(ident, "briefTitle", _IP) or "",
        "official_title": get_str(ident, "officialTitle", _IP),
        "acronym": get_str(ident, "acronym", _IP),
        "brief_summary": get_str(desc, "briefSummary", dp_desc),
        "detailed_description": get_str(desc, "detailedDescription", dp_desc),
        "overall_status": normalise_status(status.get("overallStatus"), field=f"{_SP}.overallStatus"),
        "has_expanded_access": normalise_yes_no(
            ea_info.get("hasExpandedAccess"), field=f"{_SP}.expandedAccessInfo.hasExpandedAccess"
        ),
        "study_type": normalise_study_type(design.get("studyType"), field=f"{_DP}.studyType"),
        "phases": normalise_phases(design.get("phases"), field=f"{_DP}.phases"),
        "expanded_access_types": normalise_expanded_access_types(
            [k for k, v in ea_types.items() if v is True], field=f"{_DP}.expandedAccessTypes"
        ),
        "enrollment": get_int(get_obj(design, "enrollmentInfo", _DP), "count", f"{_DP}.enrollmentInfo"),
        "allocation": get_str(design_info, "allocation", f"{_DP}.designInfo"),
        "masking": get_str(masking, "masking", f"{_DP}.designInfo.maskingInfo"),
        "primary_purpose": get_str(design_info, "primaryPurpose", f"{_DP}.designInfo"),
        "conditions": get_str_list(conds, "conditions", dp_cond),
        "keywords": get_str_list(conds, "keywords", dp_cond),
        "mesh_terms": _read_mesh_terms(study),
        "interventions": _read_interventions(arms),
        "arms": _read_arms(arms),
        "sponsor": get_str(get_obj(sponsors, "leadSponsor", _SCP), "name", f"{_SCP}.leadSponsor"),
        "collaborators": [
            n
            for i, o in _objects(sponsors, "collaborators", _SCP)
            if (n := get_str(o, "name", f"{_SCP}.collaborators[{i}]"))
        ],
        "eligibility_text": get_str(elig, "eligibilityCriteria", _EP) or "",
        "minimum_age_years": normalise_age(elig.get("minimumAge"), field=f"{_EP}.minimumAge"),
        "maximum_age_years": normalise_age(elig.get("maximumAge"), field=f"{_EP}.maximumAge"),
        "sex": normalise_sex(elig.get("sex"), field=f"{_EP}.sex"),
        "healthy_volunteers": normalise_yes_no(
            elig.get("healthyVolunteers"), field=f"{_EP}.healthyVolunteers"
        ),
        "sites": _read_sites(cl),
        "central_contacts": _read_contacts(cl, "centralContacts", _CLP),
        "raw": study,
    }
    for name, key in _DATES:
        value = get_obj(status, key, _SP).get("date")
        fields[name] = None if value is None else normalise_date(value, field=f"{_SP}.{key}.date")
    return assemble_trial(fields, eligibility_field=f"{_EP}.eligibilityCriteria")


def _objects(parent: dict[str, Any], key: str, where: str) -> list[tuple[int, dict[str, Any]]]:
    """(index, item) for a list of objects; a non-object item -> FieldError naming its index."""
    out = []
    for i, item in enumerate(get_list(parent, key, where)):
        if not isinstance(item, dict):
            raise FieldError(f"{where}.{key}[{i}]", f"expected an object, got {type(item).__name__}")
        out.append((i, item))
    return out


def _read_interventions(arms: dict[str, Any]) -> list[dict[str, Any]]:
    where = f"{P}.armsInterventionsModule"
    out = []
    for i, iv in _objects(arms, "interventions", where):
        p = f"{where}.interventions[{i}]"
        name = get_str(iv, "name", p)
        if name is None:
            continue  # an intervention without a name says nothing a family could use
        kind = get_str(iv, "type", p)
        out.append(
            {
                "type": kind.upper() if kind else None,
                "name": name,
                "description": get_str(iv, "description", p),
                "other_names": get_str_list(iv, "otherNames", p),
                "arm_labels": get_str_list(iv, "armGroupLabels", p),
            }
        )
    return out


def _read_arms(arms: dict[str, Any]) -> list[dict[str, Any]]:
    where = f"{P}.armsInterventionsModule"
    out = []
    for i, arm in _objects(arms, "armGroups", where):
        p = f"{where}.armGroups[{i}]"
        label = get_str(arm, "label", p)
        if label is None:
            continue
        kind = get_str(arm, "type", p)
        out.append(
            {
                "label": label,
                "type": kind.upper() if kind else None,
                "description": get_str(arm, "description", p),
            }
        )
    return out


def _read_contacts(parent: dict[str, Any], key: str, where: str) -> list[dict[str, Any]]:
    out = []
    for i, c in _objects(parent, key, where):
        p = f"{where}.{key}[{i}]"
        out.append(
            {
                "name": get_str(c, "name", p),
                "role": get_str(c, "role", p),
                "phone": get_str(c, "phone", p),
                "email": get_str(c, "email", p),
            }
        )
    return out


_SITE_TEXT = ("facility", "city", "state", "zip", "country")


def _read_sites(cl: dict[str, Any]) -> list[dict[str, Any]]:
    """Sites with a fast path for well-formed locations; some studies list hundreds of them."""
    sites = []
    for i, loc in _objects(cl, "locations", _CLP):
        values = [loc.get(k) for k in _SITE_TEXT]
        if all(v is None or type(v) is str for v in values):
            site: dict[str, Any] = {
                k: (v if v and not v.isspace() else None) for k, v in zip(_SITE_TEXT, values, strict=True)
            }
        else:  # the slow path names the offending field
            p = f"{_CLP}.locations[{i}]"
            site = {k: get_str(loc, k, p) for k in _SITE_TEXT}
        status = loc.get("status")
        if status is not None:
            site["status"] = normalise_site_status(status, field=f"{_CLP}.locations[{i}].status")
        geo = loc.get("geoPoint")
        if geo is not None:
            p = f"{_CLP}.locations[{i}].geoPoint"
            if not isinstance(geo, dict):
                raise FieldError(p, f"expected an object, got {type(geo).__name__}")
            lat, lon = geo.get("lat"), geo.get("lon")
            site["latitude"] = (
                lat if type(lat) is float and isfinite(lat) else to_float(lat, field=f"{p}.lat")
            )
            site["longitude"] = (
                lon if type(lon) is float and isfinite(lon) else to_float(lon, field=f"{p}.lon")
            )
        if "contacts" in loc:
            site["contacts"] = _read_contacts(loc, "contacts", f"{_CLP}.locations[{i}]")
        sites.append(site)
    return sites


def _read_mesh_terms(study: dict[str, Any]) -> list[str]:
    derived = get_obj(study, "derivedSection", "")
    terms: list[str] = []
    for module in ("conditionBrowseModule", "interventionBrowseModule"):
        where = f"derivedSection.{module}"
        for i, mesh in _objects(get_obj(derived, module, "derivedSection"), "meshes", where):
            term = get_str(mesh, "term", f"{where}.meshes[{i}]")
            if term and term not in terms:
                terms.append(term)
    return terms
