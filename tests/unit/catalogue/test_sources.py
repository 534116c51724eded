"""Tests for format detection, streaming and the rejection of bad input."""

import io
import json
import zipfile
from pathlib import Path

from core.catalogue.sources import ImportLimits, estimate_total, iter_import_bytes, iter_import_items
from core.domain.trial import NormalizedTrial, RejectedRecord
from tests.support.paths import SHARED_DATA

CTGOV = SHARED_DATA / "ctgov"
FIXTURES = CTGOV / "api-v2" / "aact-fixtures"
HERE = Path(__file__).parent
CSV_FIXTURE = HERE / "fixtures" / "ctgov_export_fictional.csv"


def _study(nct="NCT00763412"):
    return json.loads((FIXTURES / f"{nct}.json").read_text())


def _with_id(study, new_id):
    study = json.loads(json.dumps(study))
    study["protocolSection"]["identificationModule"]["nctId"] = new_id
    return study


def _items(paths, **kw):
    return list(iter_import_items([str(p) for p in paths], **kw))


def _rejections(items):
    return [i.rejection for i in items if not i.ok]


def _trials(items):
    return [i.trial for i in items if i.ok]


def test_single_study_file_and_seen_counter(tmp_path):
    items = _items([FIXTURES / "NCT00763412.json", FIXTURES / "NCT02210780.json"])
    assert [i.trial.registry_id for i in items] == ["NCT00763412", "NCT02210780"]
    assert [i.seen for i in items] == [1, 2]
    assert (items[1].file, items[1].position) == (str(FIXTURES / "NCT02210780.json"), "file")


def test_a_list_of_non_records_is_one_rejection():
    [item] = _items([CTGOV / "aact" / "aact-v2-json-to-table-mapping.json"])
    assert "unrecognised JSON" in item.rejection.reason


def test_studies_page_detected_by_content(tmp_path):
    page = {"studies": [_study(), _with_id(_study(), "NCT00000002")], "nextPageToken": "abc"}
    path = tmp_path / "page.txt"  # the extension says nothing; the content decides
    path.write_text(json.dumps(page))
    items = _items([path])
    assert [i.trial.registry_id for i in items] == ["NCT00763412", "NCT00000002"]
    assert estimate_total([path]) == 2


def test_folder_is_read_recursively(tmp_path):
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "one.json").write_text(json.dumps(_study()))
    (tmp_path / "a" / "b" / "two.xml").write_bytes(
        (CTGOV / "legacy-xml" / "mcode" / "NCT02513394.xml").read_bytes()
    )
    formats = sorted(t.source_format for t in _trials(_items([tmp_path])))
    assert formats == ["ctgov_legacy_xml", "ctgov_v2_json"]


def test_zip_of_study_files_like_the_bulk_download(tmp_path):
    path = tmp_path / "ctg-studies.json.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for nct in ("NCT00763412", "NCT02210780", "NCT03630471"):
            zf.writestr(f"ctg-studies/{nct}.json", (FIXTURES / f"{nct}.json").read_text())
    items = _items([path])
    assert [i.trial.registry_id for i in items] == ["NCT00763412", "NCT02210780", "NCT03630471"]
    assert estimate_total([path]) == 3


def test_zip_members_name_archive_and_member_and_give_ids(tmp_path):
    meta = (SHARED_DATA / "records" / "trialgpt-format-json" / "NCT05694364.json").read_text()
    study = json.dumps(_study())
    data = _zip_bytes([("x/NCT05694364.json", meta), ("x/a.json", study), ("x/b.json", study)])
    items = list(iter_import_bytes(data, name="batch.zip"))
    assert items[0].trial.registry_id == "NCT05694364"  # from the member's name
    assert (items[2].file, items[2].position) == ("batch.zip", "member x/b.json")
    assert items[2].rejection.reason == "duplicate id NCT00763412: first seen in batch.zip, member x/a.json"


def test_csv_export(tmp_path):
    items = _items([CSV_FIXTURE])
    trials, rejected = _trials(items), _rejections(items)
    assert [t.registry_id for t in trials] == ["DEMO-0001", "DEMO-0002", "DEMO-0003"]
    assert all(t.is_demo and t.source_format == "ctgov_csv" for t in trials)
    assert trials[0].interventions[1].type == "BIOLOGICAL" and trials[0].phases == ["PHASE1", "PHASE2"]
    assert (trials[0].minimum_age_years, trials[0].maximum_age_years) == (1.0, 17.0)
    assert trials[0].sites[0].city == "Springfield" and trials[0].sites[1].country == "France"
    assert {"car_t", "children"} <= set(trials[0].tags)
    assert (rejected[0].position, rejected[0].field) == ("row 5", "Study Status")
    assert rejected[0].registry_id == "DEMO-0004"
    assert (rejected[1].position, rejected[1].field) == ("row 6", "NCT Number")


def test_classic_csv_export_column_names():
    [item] = _items([HERE / "fixtures" / "ctgov_classic_export_fictional.csv"])
    t = item.trial
    assert (t.registry_id, t.brief_title, t.overall_status) == (
        "DEMO-0101",
        "FICTIONAL: Classic-export Row",
        "RECRUITING",
    )
    assert [(iv.type, iv.name) for iv in t.interventions] == [
        ("DRUG", "Nelarabine"),
        ("BIOLOGICAL", "Invented CAR T cells"),
    ]
    assert (t.allocation, t.masking, t.primary_purpose) == ("NON_RANDOMIZED", "NONE", "TREATMENT")
    assert (t.minimum_age_years, t.maximum_age_years, t.phases) == (1.0, 21.0, ["PHASE1", "PHASE2"])
    assert t.start_date.isoformat() == "2023-05-05" and t.primary_completion_date.isoformat() == "2026-06-01"


def test_trialgpt_and_plain_jsonl(tmp_path):
    items = _items([SHARED_DATA / "criteria" / "trials.jsonl"])
    assert len(items) == 101 and all(i.ok for i in items)
    assert {i.trial.source_format for i in items} == {"trialgpt_jsonl"}
    first = next(iter_import_items([str(SHARED_DATA / "sigir" / "corpus.jsonl")]))
    assert first.trial.source_format == "plain_jsonl"
    one = _items([SHARED_DATA / "records" / "trialgpt-format-json" / "NCT03763604.json"])
    assert one[0].trial.registry_id == "NCT03763604" and "expanded_access" in one[0].trial.tags


def test_classic_v1_is_recognised_and_refused():
    rejected = _rejections(_items([CTGOV / "classic-api-v1" / "NCT00023673.json"]))
    assert "classic v1" in rejected[0].reason


def test_truncated_json_names_file_and_place(tmp_path):
    path = tmp_path / "cut.json"
    path.write_text(json.dumps(_study())[:500])
    [item] = _items([path])
    assert not item.ok
    assert (
        item.rejection.file == str(path)
        and "truncated" in item.rejection.reason
        and "line 1" in item.rejection.reason
    )


def test_non_json_file_and_empty_file(tmp_path):
    (tmp_path / "notes.json").write_bytes(b"\x00\x01 this is not json")
    (tmp_path / "empty.json").write_bytes(b"")
    reasons = {r.file.rsplit("/", 1)[-1]: r.reason for r in _rejections(_items([tmp_path]))}
    assert "unrecognised format" in reasons["notes.json"]
    assert reasons["empty.json"] == "empty file"


def test_bad_jsonl_lines_do_not_stop_the_batch(tmp_path):
    path = tmp_path / "mixed.jsonl"
    good = json.dumps({"_id": "NCT00000011", "text": "fine"})
    path.write_text(
        "\n".join([good, '{"_id": "NCT0000', "[1, 2]", json.dumps({"_id": "NCT00000012", "text": "ok"})])
    )
    items = _items([path])
    assert [i.ok for i in items] == [True, False, False, True]
    assert items[1].rejection.position == "line 2" and "truncated" in items[1].rejection.reason
    assert items[2].rejection.position == "line 3"


def test_jsonl_with_a_broken_first_line_is_still_jsonl(tmp_path):
    path = tmp_path / "export.json"  # misleading extension; content decides
    lines = [
        '{"_id": "NCT0000',
        json.dumps({"_id": "NCT00000021", "text": "a"}),
        json.dumps({"_id": "NCT00000022", "text": "b"}),
    ]
    path.write_text("\n".join(lines) + "\n")
    items = _items([path])
    assert [i.ok for i in items] == [False, True, True]
    assert items[0].rejection.position == "line 1"


def test_pretty_printed_json_is_one_document(tmp_path):
    path = tmp_path / "pretty.json"
    path.write_text(json.dumps({"studies": [_study()]}, indent=2))
    [item] = _items([path])
    assert item.ok and item.position == "study 1"


def test_wrong_types_and_unknown_enums_name_the_field(tmp_path):
    wrong = _study()
    wrong["protocolSection"]["eligibilityModule"]["minimumAge"] = 18
    unknown = _with_id(_study(), "NCT00000003")
    unknown["protocolSection"]["statusModule"]["overallStatus"] = "SORT_OF_OPEN"
    page = tmp_path / "page.json"
    page.write_text(json.dumps({"studies": [wrong, unknown]}))
    r1, r2 = _rejections(_items([page]))
    assert (r1.position, r1.field, r1.registry_id) == (
        "study 1",
        "protocolSection.eligibilityModule.minimumAge",
        "NCT00763412",
    )
    assert (r2.position, r2.field) == ("study 2", "protocolSection.statusModule.overallStatus")
    assert "SORT_OF_OPEN" in r2.reason


def test_missing_registry_id(tmp_path):
    study = _study()
    del study["protocolSection"]["identificationModule"]["nctId"]
    [item] = list(iter_import_bytes(json.dumps(study).encode(), name="upload.json"))
    assert item.rejection.field == "protocolSection.identificationModule.nctId"
    assert "registry id" in item.rejection.reason


def test_duplicate_ids_within_a_batch_name_the_first_position(tmp_path):
    (tmp_path / "a.json").write_text(json.dumps(_study()))
    (tmp_path / "b.jsonl").write_text(json.dumps({"_id": "NCT00763412", "text": "again"}) + "\n")
    items = _items([tmp_path / "a.json", tmp_path / "b.jsonl"])
    assert items[0].ok and not items[1].ok
    rejected = items[1].rejection
    assert rejected.field == "registry_id" and rejected.position == "line 1"
    assert str(tmp_path / "a.json") in rejected.reason


def test_megabytes_of_criteria_are_rejected_with_size():
    study = _study()
    study["protocolSection"]["eligibilityModule"]["eligibilityCriteria"] = "* x\n" * 1_000_000
    [item] = list(iter_import_bytes(json.dumps(study).encode(), name="huge.json"))
    assert item.rejection.field == "protocolSection.eligibilityModule.eligibilityCriteria"
    assert "200,000" in item.rejection.reason and "4,000,000" in item.rejection.reason


def test_html_and_script_are_kept_as_text():
    study = _study()
    study["protocolSection"]["identificationModule"]["briefTitle"] = "<b>Bold</b> <script>alert(1)</script>"
    study["protocolSection"]["eligibilityModule"]["eligibilityCriteria"] = "* <img src=x onerror=alert(1)>"
    [item] = list(iter_import_bytes(json.dumps(study).encode(), name="x.json"))
    assert item.trial.brief_title == "<b>Bold</b> <script>alert(1)</script>"
    assert item.trial.criteria[0].text == "<img src=x onerror=alert(1)>"


def _zip_bytes(members, compression=zipfile.ZIP_DEFLATED):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as zf:
        for name, data in members:
            zf.writestr(name, data)
    return buf.getvalue()


def test_zip_bomb_members_are_refused():
    data = _zip_bytes([("bomb.json", b"0" * 5_000_000), ("ok.json", json.dumps(_study()).encode())])
    items = list(iter_import_bytes(data, name="bomb.zip"))
    assert (
        "compression ratio" in items[0].rejection.reason and items[0].rejection.position == "member bomb.json"
    )
    assert items[1].ok
    small = ImportLimits(max_member_bytes=1000)
    [item, _] = list(
        iter_import_bytes(_zip_bytes([("big.json", b"1" * 5000), ("x", b"")]), name="z.zip", limits=small)
    )
    assert "exceeds" in item.rejection.reason
    total = ImportLimits(max_total_uncompressed=10)
    items = list(
        iter_import_bytes(_zip_bytes([("a.json", b"{}"), ("b.json", b"0" * 20)]), name="z.zip", limits=total)
    )
    assert "more than 10 bytes" in items[1].rejection.reason


def test_path_traversal_members_are_rejected_by_name_and_never_extracted(tmp_path):
    study = json.dumps(_study()).encode()
    data = _zip_bytes(
        [
            ("../escape.json", study),
            ("/abs/evil.json", study),
            ("C:/win.json", study),
            ("inner.zip", _zip_bytes([])),
        ]
    )
    path = tmp_path / "upload.zip"
    path.write_bytes(data)
    before = sorted(p.name for p in tmp_path.parent.iterdir())
    rejected = _rejections(_items([path]))
    assert [r.position for r in rejected] == [
        "member ../escape.json",
        "member /abs/evil.json",
        "member C:/win.json",
        "member inner.zip",
    ]
    assert "path traversal" in rejected[0].reason and "absolute" in rejected[1].reason
    assert "nested archive" in rejected[3].reason
    assert sorted(p.name for p in tmp_path.parent.iterdir()) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["upload.zip"]


def test_broken_zip_and_missing_path(tmp_path):
    path = tmp_path / "broken.zip"
    path.write_bytes(b"PK\x03\x04" + b"\x00" * 50)
    items = _items([path, tmp_path / "nope.json"])
    assert "broken zip" in items[0].rejection.reason
    assert "cannot open" in items[1].rejection.reason


def test_only_trials_or_rejections_come_out_of_the_shared_data():
    items = _items([CTGOV, SHARED_DATA / "records"])
    assert all(isinstance(i.record, NormalizedTrial | RejectedRecord) for i in items)
    assert not [i for i in items if not i.ok and i.rejection.reason.startswith("unexpected")]
    assert sum(i.ok for i in items) >= 30


def test_estimate_total_counts_lines_and_files():
    assert estimate_total([SHARED_DATA / "criteria" / "trials.jsonl"]) == 101
    assert estimate_total([CSV_FIXTURE]) == 5
    assert estimate_total([FIXTURES / "NCT00763412.json"]) == 1


def test_streaming_is_lazy(tmp_path):
    path = tmp_path / "many.jsonl"
    with path.open("w") as fh:
        for i in range(1000):
            fh.write(json.dumps({"_id": f"NCT{i:08d}", "text": "t"}) + "\n")
    stream = iter_import_items([str(path)])
    first = next(stream)
    assert first.trial.registry_id == "NCT00000000" and first.seen == 1


def test_oversized_documents_and_lines_are_rejected_by_size():
    limits = ImportLimits(max_file_bytes=1000, max_member_bytes=100)
    [doc] = list(iter_import_bytes(json.dumps(_study()).encode(), name="big.json", limits=limits))
    assert "larger than 1,000 bytes" in doc.rejection.reason
    line = json.dumps({"_id": "NCT00000031", "text": "x" * 200})
    items = list(
        iter_import_bytes(f'{line}\n{{"_id": "NCT00000032"}}\n'.encode(), name="l.jsonl", limits=limits)
    )
    assert "longer than 100 bytes" in items[0].rejection.reason and items[1].ok
