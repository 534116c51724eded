"""Import limits: a record over IMPORT_MAX_RECORD_MB is rejected by name without being read whole; warnings for
records imported without a title or criteria, or with XML entities whose text is missing."""

from __future__ import annotations

import base64
import json
import os
import tracemalloc
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import func, select

from core.catalogue.importer import import_paths
from core.catalogue.legacy_xml import parse_clinical_study_xml
from core.catalogue.sources import ImportLimits, iter_import_bytes, iter_import_items
from core.config import get_settings
from core.db import session_scope
from core.models import Trial
from tests.support.paths import SHARED_DATA

FIXTURES = SHARED_DATA / "ctgov" / "api-v2" / "aact-fixtures"
BIG = 50 * 1024**2


def _study(nct: str = "NCT00763412") -> dict:
    return json.loads((FIXTURES / f"{nct}.json").read_text())


def _huge_study(nct: str) -> dict:
    study = _study()
    study["protocolSection"]["identificationModule"]["nctId"] = nct
    # Incompressible text, so a zip of it is not mistaken for a zip bomb.
    study["protocolSection"]["descriptionModule"]["detailedDescription"] = base64.b64encode(os.urandom(BIG * 3 // 4)).decode()
    return study


def _import_measured(paths: list[Path]) -> tuple[list, int]:
    tracemalloc.start()
    try:
        items = list(iter_import_items([str(p) for p in paths]))
        return items, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.fixture
def huge_jsonl(tmp_path: Path) -> Path:
    path = tmp_path / "batch.jsonl"
    with path.open("w", encoding="utf-8") as fh:
        fh.write(json.dumps(_study()) + "\n")
        fh.write(json.dumps(_huge_study("NCT09999999")) + "\n")
        fh.write(json.dumps(_study("NCT02210780")) + "\n")
    return path


def test_a_50_mb_record_is_rejected_by_name_and_the_catalogue_count_is_unchanged(team, huge_jsonl):
    report = import_paths(team.admin, [huge_jsonl])
    assert (report.new, len(report.rejected)) == (2, 1)
    [rejected] = report.rejected
    assert rejected.registry_id == "NCT09999999" and rejected.file == str(huge_jsonl) and rejected.position == "line 2"
    assert "IMPORT_MAX_RECORD_MB" in rejected.reason and "50.0 MB" in rejected.reason
    with session_scope() as s:
        before = s.scalar(select(func.count(Trial.id)))
    again = import_paths(team.admin, [huge_jsonl])
    with session_scope() as s:
        assert s.scalar(select(func.count(Trial.id))) == before == 2
    assert again.unchanged == 2 and len(again.rejected) == 1


def test_the_cap_holds_without_reading_the_record_whole(huge_jsonl, tmp_path):
    items, peak = _import_measured([huge_jsonl])
    assert [i.ok for i in items] == [True, False, True]
    assert peak < 12 * 1024**2, f"peak {peak / 1024**2:.1f} MB: the 50 MB line was held in memory"

    doc = tmp_path / "NCT09999998.json"
    doc.write_text(json.dumps(_huge_study("NCT09999998")), encoding="utf-8")
    xml = tmp_path / "NCT09999997.xml"
    body = base64.b64encode(os.urandom(BIG * 3 // 4)).decode()
    xml.write_text(f"<clinical_study><id_info><nct_id>NCT09999997</nct_id></id_info><brief_summary><textblock>{body}"
                   "</textblock></brief_summary></clinical_study>", encoding="utf-8")
    archive = tmp_path / "studies.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_STORED) as zf:
        zf.writestr("NCT00763412.json", json.dumps(_study()))
        zf.write(doc, "NCT09999998.json")
    items, peak = _import_measured([doc, xml, archive])
    rejected = [(i.rejection.registry_id, i.rejection.position) for i in items if not i.ok]
    assert rejected == [("NCT09999998", "file"), ("NCT09999997", "file"), ("NCT09999998", "member NCT09999998.json")]
    assert all("IMPORT_MAX_RECORD_MB" in i.rejection.reason for i in items if not i.ok)
    assert [i.trial.registry_id for i in items if i.ok] == ["NCT00763412"]
    assert peak < 12 * 1024**2, f"peak {peak / 1024**2:.1f} MB: a 50 MB record was read whole"


def test_a_big_study_inside_a_studies_page_is_rejected_alone():
    big = _study("NCT02210780")
    big["protocolSection"]["descriptionModule"]["detailedDescription"] = "x" * 30_000
    page = json.dumps({"totalCount": 2, "studies": [_study(), big]}).encode()
    cap = len(json.dumps(_study())) + 5_000
    items = list(iter_import_bytes(page, name="page.json", limits=ImportLimits(max_record_bytes=cap)))
    assert items[0].ok and not items[1].ok
    assert (items[1].rejection.registry_id, items[1].rejection.position) == ("NCT02210780", "study 2")


def test_the_cap_comes_from_the_setting(monkeypatch, tmp_path):
    path = tmp_path / "one.jsonl"
    path.write_text(json.dumps(_study()) + "\n", encoding="utf-8")
    assert [i.ok for i in iter_import_items([path])] == [True]
    monkeypatch.setenv("IMPORT_MAX_RECORD_MB", "0.001")  # about 1 KB
    get_settings.cache_clear()
    try:
        [item] = list(iter_import_items([path]))
        assert not item.ok and item.rejection.registry_id == "NCT00763412"
        assert "1,048 bytes" in item.rejection.reason
    finally:
        get_settings.cache_clear()


def test_records_without_title_or_criteria_import_with_warnings(team, tmp_path):
    bare = _study("NCT02210780")
    bare["protocolSection"]["identificationModule"]["briefTitle"] = ""
    bare["protocolSection"]["eligibilityModule"].pop("eligibilityCriteria", None)
    path = tmp_path / "bare.json"
    path.write_text(json.dumps(bare), encoding="utf-8")
    report = import_paths(team.admin, [path, FIXTURES / "NCT00763412.json"])
    assert report.new == 2 and not report.rejected
    assert {(w.registry_id, w.field) for w in report.warnings} == {
        ("NCT02210780", "brief_title"), ("NCT02210780", "eligibility_text")
    }
    assert all(w.file == str(path) and w.position == "file" for w in report.warnings)
    assert "1 with warnings" in report.summary()
    assert report.as_dict()["warnings"][0]["message"]


def test_an_xml_title_lost_to_an_entity_is_a_warning_and_the_rest_of_a_title_is_kept(tmp_path):
    xml = (SHARED_DATA / "ctgov" / "legacy-xml" / "mcode" / "NCT02513394.xml").read_text(encoding="utf-8")
    start, end = xml.index("<brief_title>"), xml.index("</brief_title>")
    doctype = '<!DOCTYPE clinical_study [<!ENTITY sym "x"><!ENTITY name "y">]>'
    lost = xml[:start] + "<brief_title>&name;</brief_title>" + xml[end + len("</brief_title>"):]
    lost = lost.replace("<clinical_study", doctype + "<clinical_study", 1)
    path = tmp_path / "lost.xml"
    path.write_text(lost, encoding="utf-8")
    [item] = list(iter_import_items([path]))
    assert item.ok and item.trial.brief_title == ""
    assert {w.field for w in item.warnings} == {"xml", "brief_title"}
    assert "&name;" in next(w.message for w in item.warnings if w.field == "xml")

    partial = xml[:start] + "<brief_title>CD7 &sym; CAR-T cells</brief_title>" + xml[end + len("</brief_title>"):]
    trial = parse_clinical_study_xml(partial.replace("<clinical_study", doctype + "<clinical_study", 1), file="p.xml")
    assert trial.brief_title == "CD7  CAR-T cells"  # findtext used to stop at the entity: "CD7"


def test_cli_import_lists_the_rejected_record_and_the_warnings(team, huge_jsonl, tmp_path, capsys):
    from core.cli.main import main

    bare = _study("NCT02210780")
    bare["protocolSection"]["identificationModule"]["briefTitle"] = ""
    bare["protocolSection"]["identificationModule"]["nctId"] = "NCT02210781"
    (tmp_path / "bare.json").write_text(json.dumps(bare), encoding="utf-8")
    assert main(["import", str(huge_jsonl), str(tmp_path / "bare.json"), "--json", "--as", "adam"]) == 1  # one rejected
    out = json.loads(capsys.readouterr().out)
    assert out["new"] == 3 and [r["registry_id"] for r in out["rejected"]] == ["NCT09999999"]
    assert ("NCT02210781", "brief_title") in {(w["registry_id"], w["field"]) for w in out["warnings"]}
    assert main(["import", str(tmp_path / "bare.json"), "--as", "adam"]) == 0
    text = capsys.readouterr().out
    assert "1 with warnings" in text and "warning:" in text and "NCT02210781 brief_title" in text


def test_warnings_kept_in_a_report_are_bounded():
    from core.catalogue.store import ImportReport
    from core.domain.trial import ImportWarning

    report = ImportReport()
    for i in range(ImportReport.MAX_WARNINGS + 50):
        report.add_warnings([ImportWarning(file="f", position=f"line {i}", registry_id=f"X{i}", field="brief_title", message="m")])
    report.add_warnings([])
    assert len(report.warnings) == ImportReport.MAX_WARNINGS and report.records_with_warnings == ImportReport.MAX_WARNINGS + 50
    assert f"{ImportReport.MAX_WARNINGS + 50} with warnings" in report.summary()
