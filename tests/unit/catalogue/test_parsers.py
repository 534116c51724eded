"""Tests for the per-format parsers against real ClinicalTrials.gov and TrialGPT records."""

import json

import pytest

from core.catalogue.csv_export import parse_age_range
from core.catalogue.ctgov_v2 import parse_study_v2
from core.catalogue.demo_data import TRIALS_DIR
from core.catalogue.legacy_xml import parse_clinical_study_xml
from core.catalogue.normalise import FieldError
from core.catalogue.trialgpt import parse_plain, parse_trialgpt
from tests.support.paths import SHARED_DATA

CTGOV = SHARED_DATA / "ctgov"
RECORDS = SHARED_DATA / "records"
DEMO_TRIALS = TRIALS_DIR


def _v2(path):
    return json.loads(path.read_text())


@pytest.fixture(scope="module")
def pallas_json():
    return parse_study_v2(_v2(CTGOV / "api-v2" / "mcode" / "NCT02513394.json"))


@pytest.fixture(scope="module")
def pallas_xml():
    path = CTGOV / "legacy-xml" / "mcode" / "NCT02513394.xml"
    return parse_clinical_study_xml(path.read_bytes(), file=str(path))


def test_v2_full_study(pallas_json):
    t = pallas_json
    assert t.registry_id == "NCT02513394" and t.source_format == "ctgov_v2_json" and not t.is_demo
    assert t.acronym == "PALLAS"
    assert t.overall_status == "ACTIVE_NOT_RECRUITING"
    assert t.study_type == "INTERVENTIONAL" and t.phases == ["PHASE3"]
    assert t.has_expanded_access is False
    assert (t.allocation, t.masking, t.primary_purpose) == ("RANDOMIZED", "NONE", "TREATMENT")
    assert t.enrollment == 5796
    assert t.sponsor == "Alliance Foundation Trials, LLC." and "Pfizer" in t.collaborators
    assert t.keywords == ["HR+/HER2- breast cancer", "Palbociclib"]
    assert t.mesh_terms == ["Breast Neoplasms", "Palbociclib"]
    assert t.minimum_age_years == 18.0 and t.maximum_age_years is None and t.sex == "ALL"
    assert len(t.sites) == 437 and t.sites[0].latitude == pytest.approx(30.69436)
    assert t.start_date.isoformat() == "2015-08-01"
    assert t.criteria[0].text == "Signed informed consent prior to study specific procedures."
    assert sum(c.kind == "exclusion" for c in t.criteria) == 13
    assert isinstance(t.raw, dict) and "resultsSection" in t.raw


def test_v2_and_legacy_xml_give_the_same_record(pallas_json, pallas_xml):
    # The XML snapshot is from 2020 and the JSON from 2023, so fields the sponsor updated in between
    # genuinely differ: the primary completion date (estimated Sept 2020, then actual Nov 2020), the
    # last update date and the site list (233 sites then, 437 now; legacy XML also has no coordinates).
    # The eligibility text has the same words in a different layout (hard-wrapped "-" bullets in XML,
    # "*" markdown in JSON), so it is compared through the parsed criteria instead.
    differs = {
        "raw",
        "source_format",
        "primary_completion_date",
        "last_update_date",
        "sites",
        "eligibility_text",
    }
    assert pallas_json.model_dump(exclude=differs) == pallas_xml.model_dump(exclude=differs)
    assert pallas_json.criteria == pallas_xml.criteria
    assert pallas_xml.source_format == "ctgov_legacy_xml"
    assert all(s.latitude is None for s in pallas_xml.sites)
    assert {s.city for s in pallas_xml.sites} & {s.city for s in pallas_json.sites}


def test_v2_expanded_access_fixture():
    t = parse_study_v2(
        _v2(RECORDS / "api-v2-json" / "aact_fixture_expanded_access_study_data_initialize.json")
    )
    assert t.study_type == "EXPANDED_ACCESS"
    assert t.expanded_access_types == ["INDIVIDUAL", "INTERMEDIATE", "TREATMENT"]
    assert t.has_expanded_access is True
    assert "expanded_access" in t.tags
    assert t.interventions[1].other_names == ["Prandin"]


@pytest.mark.parametrize(
    "path", sorted((CTGOV / "api-v2" / "aact-fixtures").glob("NCT*.json")), ids=lambda p: p.stem
)
def test_all_real_v2_fixtures_parse(path):
    t = parse_study_v2(_v2(path))
    assert t.registry_id.startswith("NCT")
    assert t.raw is not None


def test_v2_rejects_unknown_phase_and_missing_id():
    with pytest.raises(FieldError) as err:
        parse_study_v2(_v2(CTGOV / "api-v2" / "aact-fixtures" / "study_data_phases.json"))
    assert err.value.field == "protocolSection.designModule.phases"
    with pytest.raises(FieldError) as err:
        parse_study_v2(_v2(CTGOV / "api-v2" / "aact-fixtures" / "eligibility.json"))
    assert err.value.field == "protocolSection.identificationModule.nctId"


def test_v2_wrong_type_names_path():
    study = {
        "protocolSection": {
            "identificationModule": {"nctId": "NCT00000001"},
            "conditionsModule": {"conditions": "x"},
        }
    }
    with pytest.raises(FieldError) as err:
        parse_study_v2(study)
    assert err.value.field == "protocolSection.conditionsModule.conditions"


def test_v2_site_status_central_contacts_and_demo_flag():
    study = {
        "protocolSection": {
            "identificationModule": {"nctId": "DEMO-0042", "briefTitle": "Demo"},
            "contactsLocationsModule": {
                "centralContacts": [{"name": "Desk", "role": "CONTACT", "email": "desk@example.invalid"}],
                "locations": [
                    {"facility": "H", "city": "Leeds", "country": "United Kingdom", "status": "RECRUITING"}
                ],
            },
        }
    }
    t = parse_study_v2(study, source="ctgov_v2_api")
    assert t.is_demo and t.source_format == "ctgov_v2_api"
    assert t.sites[0].status == "RECRUITING" and t.central_contacts[0].email == "desk@example.invalid"


@pytest.mark.parametrize(
    ("nct", "types", "status"),
    [
        ("NCT01220531", ["INTERMEDIATE", "TREATMENT"], "AVAILABLE"),
        ("NCT03133988", ["INDIVIDUAL"], "AVAILABLE"),
        ("NCT03147742", ["INTERMEDIATE"], "AVAILABLE"),
        ("NCT03245528", ["TREATMENT"], "AVAILABLE"),
        ("NCT00493532", [], "NO_LONGER_AVAILABLE"),
        ("NCT00499720", [], "APPROVED_FOR_MARKETING"),
    ],
)
def test_legacy_expanded_access_records(nct, types, status):
    path = RECORDS / "legacy-xml" / f"{nct}.xml"
    t = parse_clinical_study_xml(path.read_bytes(), file=str(path))
    assert t.study_type == "EXPANDED_ACCESS"
    assert t.expanded_access_types == types
    assert t.overall_status == status
    assert "expanded_access" in t.tags


def test_legacy_t_all_record_and_contacts():
    path = RECORDS / "legacy-xml" / "NCT00003837.xml"
    t = parse_clinical_study_xml(path.read_text(), file=str(path))
    assert t.interventions[0].name == "nelarabine" and t.interventions[0].type == "DRUG"
    assert t.criteria and t.sites
    xml = (CTGOV / "legacy-xml" / "aact-fixtures" / "NCT03133988.xml").read_bytes()
    contacts = parse_clinical_study_xml(xml, file="x").central_contacts
    assert [c.name for c in contacts] == ["Sutton Edlich", "Emily Ashley"]


def test_legacy_xml_is_parsed_safely():
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">'
        b'<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b"<clinical_study><id_info><nct_id>NCT00000002</nct_id></id_info><brief_title>T&b;&x;</brief_title>"
        b"</clinical_study>"
    )
    t = parse_clinical_study_xml(bomb, file="bomb.xml")
    assert t.brief_title == "T"  # entities neither expanded nor fetched


def test_legacy_rejects_search_results_and_bad_xml():
    with pytest.raises(FieldError, match="rss"):
        parse_clinical_study_xml(
            (CTGOV / "legacy-xml" / "aact-fixtures" / "covid_search.xml").read_bytes(), file="s"
        )
    with pytest.raises(FieldError) as err:
        parse_clinical_study_xml(b"<clinical_study><brief_title>x", file="t.xml")
    assert "t.xml" in err.value.reason


@pytest.mark.parametrize(
    ("text", "ages"),
    [
        ("18 Years and older (Adult, Older Adult)", (18.0, None)),
        ("1 Year to 17 Years (Child)", (1.0, 17.0)),
        ("up to 17 Years (Child)", (None, 17.0)),
        ("6 Months to 21 Years (Child, Adult)", (0.5, 21.0)),
        ("Child, Adult", (None, None)),
    ],
)
def test_csv_age_ranges(text, ages):
    assert parse_age_range(text) == ages


def test_trialgpt_file_and_corpus_line():
    meta = json.loads((RECORDS / "trialgpt-format-json" / "NCT05694364.json").read_text())
    t = parse_trialgpt(meta, registry_id="NCT05694364")
    assert t.phases == ["PHASE1"] and t.enrollment == 88
    assert "Acute Lymphoblastic Leukemia" in t.conditions
    assert [iv.name for iv in t.interventions] == ["Fludarabine", "Cyclophosphamide", "PRGN-3007"]
    assert {"car_t", "cell_therapy"} <= set(t.tags)
    assert any(c.kind == "exclusion" for c in t.criteria)
    line = (SHARED_DATA / "criteria" / "trials.jsonl").open().readline()
    t = parse_trialgpt(json.loads(line))
    assert t.registry_id == "NCT01520155" and t.source_format == "trialgpt_jsonl"
    assert [c.text for c in t.criteria] == [
        "Patients with systemic Lupus erythematosus",
        "Patients without systemic Lupus erythematosus",
    ]
    assert [c.kind for c in t.criteria] == ["inclusion", "exclusion"]


def test_plain_jsonl_record():
    line = (SHARED_DATA / "sigir" / "corpus.jsonl").open().readline()
    t = parse_plain(json.loads(line))
    assert t.registry_id == "NCT00000408" and t.source_format == "plain_jsonl"
    assert t.brief_summary.startswith("Back pain")
    with pytest.raises(FieldError, match="registry id"):
        parse_plain({"text": "no id"})


_LEGACY = sorted(
    [
        *(CTGOV / "legacy-xml").rglob("NCT*.xml"),
        *(RECORDS / "legacy-xml").glob("*.xml"),
        SHARED_DATA / "criteria" / "NCT00497471.xml",
    ]
)


@pytest.mark.parametrize("path", _LEGACY, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_all_real_legacy_xml_records_parse(path):
    t = parse_clinical_study_xml(path.read_bytes(), file=str(path))
    assert path.stem.startswith(t.registry_id)
    assert t.brief_title and isinstance(t.raw, str)


@pytest.mark.parametrize(
    "path", sorted((RECORDS / "trialgpt-format-json").glob("*.json")), ids=lambda p: p.stem
)
def test_all_trialgpt_records_parse(path):
    t = parse_trialgpt(json.loads(path.read_text()), registry_id=path.stem)
    assert t.registry_id == path.stem and t.brief_title and t.criteria


def test_v2_site_coordinates_must_be_finite_numbers():
    study = _v2(CTGOV / "api-v2" / "aact-fixtures" / "NCT00763412.json")
    study["protocolSection"]["contactsLocationsModule"]["locations"][0]["geoPoint"] = {
        "lat": float("nan"),
        "lon": 1.0,
    }
    with pytest.raises(FieldError) as err:
        parse_study_v2(study)
    assert err.value.field == "protocolSection.contactsLocationsModule.locations[0].geoPoint.lat"


def test_arms_and_the_interventions_they_give_are_read_from_both_formats(pallas_json, pallas_xml):
    for trial in (pallas_json, pallas_xml):
        assert {a.type for a in trial.arms} == {"EXPERIMENTAL", "OTHER"}
        labels = {a.label for a in trial.arms}
        assert all(set(iv.arm_labels) <= labels and iv.arm_labels for iv in trial.interventions)
    demo = parse_study_v2(_v2(DEMO_TRIALS / "DEMO-0018.json"))
    comparator = next(a for a in demo.arms if a.type == "ACTIVE_COMPARATOR")
    assert "autologous stem cell transplant" in (comparator.description or "")
    transplant = next(iv for iv in demo.interventions if iv.type == "PROCEDURE")
    assert transplant.arm_labels == [comparator.label]
