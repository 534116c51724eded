"""Parse one ClinicalTrials.gov API v2 study (JSON dict) into a NormalizedTrial."""

from __future__ import annotations

from typing import Any

from core.catalogue.assemble import assemble_trial
from core.catalogue.normalise import (
    FieldError,
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
    to_int,
)
from core.catalogue.records import NormalizedTrial

P = "protocolSection"


def parse_study_v2(study: dict, *, source: str = "ctgov_v2_json") -> NormalizedTrial:
    """One API v2 study (as /studies/{nctId} returns it) -> NormalizedTrial; bad fields raise FieldError."""
    if not isinstance(study, dict):
        raise FieldError("study", f"expected a JSON object, got {type(study).__name__}")
    ps = get_obj(study, P, P)
    if not ps:
        raise FieldError(P, "missing protocolSection: not an API v2 study")
    ident = get_obj(ps, "identificationModule", f"{P}.identificationModule")
    status = get_obj(ps, "statusModule", f"{P}.statusModule")
    sponsors = get_obj(ps, "sponsorCollaboratorsModule", f"{P}.sponsorCollaboratorsModule")
    desc = get_obj(ps, "descriptionModule", f"{P}.descriptionModule")
    conds = get_obj(ps, "conditionsModule", f"{P}.conditionsModule")
    design = get_obj(ps, "designModule", f"{P}.designModule")
    arms = get_obj(ps, "armsInterventionsModule", f"{P}.armsInterventionsModule")
    elig = get_obj(ps, "eligibilityModule", f"{P}.eligibilityModule")
    cl = get_obj(ps, "contactsLocationsModule", f"{P}.contactsLocationsModule")

    ip = f"{P}.identificationModule"
    registry_id = get_str(ident, "nctId", f"{ip}.nctId")
    if registry_id is None:
        raise FieldError(f"{ip}.nctId", "missing registry id")

    sp, dp, ep = f"{P}.statusModule", f"{P}.designModule", f"{P}.eligibilityModule"
    design_info = get_obj(design, "designInfo", f"{dp}.designInfo")
    ea_types = get_obj(design, "expandedAccessTypes", f"{dp}.expandedAccessTypes")
    ea_info = get_obj(status, "expandedAccessInfo", f"{sp}.expandedAccessInfo")
    lead = get_obj(sponsors, "leadSponsor", f"{P}.sponsorCollaboratorsModule.leadSponsor")

    fields: dict[str, Any] = {
        "registry_id": registry_id,
        "source_format": source,
        "brief_title": get_str(ident, "briefTitle", f"{ip}.briefTitle") or "",
        "official_title": get_str(ident, "officialTitle", f"{ip}.officialTitle"),
        "acronym": get_str(ident, "acronym", f"{ip}.acronym"),
        "brief_summary": get_str(desc, "briefSummary", f"{P}.descriptionModule.briefSummary"),
        "detailed_description": get_str(
            desc, "detailedDescription", f"{P}.descriptionModule.detailedDescription"
        ),
        "overall_status": normalise_status(status.get("overallStatus"), field=f"{sp}.overallStatus"),
        "has_expanded_access": normalise_yes_no(
            ea_info.get("hasExpandedAccess"), field=f"{sp}.expandedAccessInfo.hasExpandedAccess"
        ),
        "study_type": normalise_study_type(design.get("studyType"), field=f"{dp}.studyType"),
        "phases": normalise_phases(design.get("phases"), field=f"{dp}.phases"),
        "expanded_access_types": normalise_expanded_access_types(
            [k for k, v in ea_types.items() if v is True], field=f"{dp}.expandedAccessTypes"
        ),
        "enrollment": to_int(
            get_obj(design, "enrollmentInfo", f"{dp}.enrollmentInfo").get("count"),
            field=f"{dp}.enrollmentInfo.count",
        ),
        "allocation": get_str(design_info, "allocation", f"{dp}.designInfo.allocation"),
        "masking": get_str(
            get_obj(design_info, "maskingInfo", f"{dp}.designInfo.maskingInfo"),
            "masking",
            f"{dp}.designInfo.maskingInfo.masking",
        ),
        "primary_purpose": get_str(design_info, "primaryPurpose", f"{dp}.designInfo.primaryPurpose"),
        "conditions": get_str_list(conds, "conditions", f"{P}.conditionsModule.conditions"),
        "keywords": get_str_list(conds, "keywords", f"{P}.conditionsModule.keywords"),
        "mesh_terms": _read_mesh_terms(study),
        "interventions": _read_interventions(arms),
        "sponsor": get_str(lead, "name", f"{P}.sponsorCollaboratorsModule.leadSponsor.name"),
        "collaborators": _read_names(
            sponsors, "collaborators", f"{P}.sponsorCollaboratorsModule.collaborators"
        ),
        "eligibility_text": get_str(elig, "eligibilityCriteria", f"{ep}.eligibilityCriteria") or "",
        "minimum_age_years": normalise_age(elig.get("minimumAge"), field=f"{ep}.minimumAge"),
        "maximum_age_years": normalise_age(elig.get("maximumAge"), field=f"{ep}.maximumAge"),
        "sex": normalise_sex(elig.get("sex"), field=f"{ep}.sex"),
        "healthy_volunteers": normalise_yes_no(
            elig.get("healthyVolunteers"), field=f"{ep}.healthyVolunteers"
        ),
        "sites": _read_sites(cl),
        "central_contacts": _read_contacts(
            cl, "centralContacts", f"{P}.contactsLocationsModule.centralContacts"
        ),
        "raw": study,
    }
    for name, key in (
        ("start_date", "startDateStruct"),
        ("primary_completion_date", "primaryCompletionDateStruct"),
        ("completion_date", "completionDateStruct"),
        ("first_posted_date", "studyFirstPostDateStruct"),
        ("last_update_date", "lastUpdatePostDateStruct"),
    ):
        struct = get_obj(status, key, f"{sp}.{key}")
        fields[name] = normalise_date(struct.get("date"), field=f"{sp}.{key}.date")
    return assemble_trial(fields, eligibility_field=f"{ep}.eligibilityCriteria")


def _objects(parent: dict[str, Any], key: str, path: str) -> list[tuple[str, dict[str, Any]]]:
    out = []
    for i, item in enumerate(get_list(parent, key, path)):
        if not isinstance(item, dict):
            raise FieldError(f"{path}[{i}]", f"expected an object, got {type(item).__name__}")
        out.append((f"{path}[{i}]", item))
    return out


def _read_names(parent: dict[str, Any], key: str, path: str) -> list[str]:
    return [n for p, o in _objects(parent, key, path) if (n := get_str(o, "name", f"{p}.name"))]


def _read_interventions(arms: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for p, iv in _objects(arms, "interventions", f"{P}.armsInterventionsModule.interventions"):
        name = get_str(iv, "name", f"{p}.name")
        if name is None:
            continue  # an intervention without a name says nothing a family could use
        kind = get_str(iv, "type", f"{p}.type")
        out.append(
            {
                "type": kind.upper() if kind else None,
                "name": name,
                "description": get_str(iv, "description", f"{p}.description"),
                "other_names": get_str_list(iv, "otherNames", f"{p}.otherNames"),
            }
        )
    return out


def _read_contacts(parent: dict[str, Any], key: str, path: str) -> list[dict[str, Any]]:
    return [
        {
            "name": get_str(c, "name", f"{p}.name"),
            "role": get_str(c, "role", f"{p}.role"),
            "phone": get_str(c, "phone", f"{p}.phone"),
            "email": get_str(c, "email", f"{p}.email"),
        }
        for p, c in _objects(parent, key, path)
    ]


def _read_sites(cl: dict[str, Any]) -> list[dict[str, Any]]:
    sites = []
    for p, loc in _objects(cl, "locations", f"{P}.contactsLocationsModule.locations"):
        geo = get_obj(loc, "geoPoint", f"{p}.geoPoint")
        sites.append(
            {
                "facility": get_str(loc, "facility", f"{p}.facility"),
                "city": get_str(loc, "city", f"{p}.city"),
                "state": get_str(loc, "state", f"{p}.state"),
                "zip": get_str(loc, "zip", f"{p}.zip"),
                "country": get_str(loc, "country", f"{p}.country"),
                "status": normalise_site_status(loc.get("status"), field=f"{p}.status"),
                "latitude": to_float(geo.get("lat"), field=f"{p}.geoPoint.lat"),
                "longitude": to_float(geo.get("lon"), field=f"{p}.geoPoint.lon"),
                "contacts": _read_contacts(loc, "contacts", f"{p}.contacts"),
            }
        )
    return sites


def _read_mesh_terms(study: dict[str, Any]) -> list[str]:
    derived = get_obj(study, "derivedSection", "derivedSection")
    terms: list[str] = []
    for module in ("conditionBrowseModule", "interventionBrowseModule"):
        path = f"derivedSection.{module}"
        for p, mesh in _objects(get_obj(derived, module, path), "meshes", f"{path}.meshes"):
            term = get_str(mesh, "term", f"{p}.term")
            if term and term not in terms:
                terms.append(term)
    return terms
