"""Find, detect and stream import records from files, folders and zips; bad input becomes rejections."""

# Decisions (see also normalise.py):
# - Unknown enum values (status, study type, phase, sex, expanded-access type, site status) reject the
#   record with the field named: guessing could show a closed trial as open. A missing status is
#   UNKNOWN, as the registry itself allows. Free vocabularies (intervention type, allocation, masking,
#   purpose) are kept as given, upper-cased.
# - Text is never stripped of HTML or script tags; it is stored as text and the UI escapes it.
# - Zip members are read into memory one at a time and never written to disk.
# - Memory: one file's records at most (a JSON document or a zip member); JSONL and CSV stream by line.
# - One record may be at most IMPORT_MAX_RECORD_MB: a 200 MB study once grew the database by 840 MB and slowed
#   every later match. Where the size is known before reading (a JSONL line, an XML file, a one-record JSON
#   file or zip member), an oversized record is rejected without being read into memory; inside a
#   multi-study document it is measured after parsing.

from __future__ import annotations

import codecs
import io
import json
import re
import zipfile
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from pydantic import BaseModel

from core.catalogue.csv_export import is_csv_export_header, iter_csv_rows, parse_csv_row
from core.catalogue.ctgov_v2 import parse_study_v2
from core.catalogue.legacy_xml import parse_clinical_study_xml
from core.catalogue.normalise import FieldError
from core.catalogue.record_checks import check_record
from core.catalogue.site_places import locate_sites
from core.catalogue.trialgpt import is_trialgpt_metadata, parse_plain, parse_trialgpt
from core.config import get_settings
from core.domain.trial import ImportWarning, NormalizedTrial, RejectedRecord

_ZIP_MAGIC = b"PK\x03\x04"
_EMPTY_ZIP_MAGIC = b"PK\x05\x06"
_ID_IN_NAME = re.compile(r"^(NCT\d{8}|DEMO-[A-Za-z0-9-]+)$", re.I)
_SNIFF_BYTES = 4096
_HEAD_BYTES = 64 * 1024  # what is kept of an oversized record: enough to name it
# A JSON document that holds many studies: a bare list, or an object whose "studies" list comes first
# (after the API's own totalCount / nextPageToken keys).
_CONTAINER_HEAD = re.compile(
    rb'^\s*(?:\[|\{\s*(?:"(?:totalCount|nextPageToken)"\s*:\s*[^,{\[]*,\s*)*"studies"\s*:)'
)
_ID_IN_HEAD = (
    re.compile(rb'"nctId"\s*:\s*"([^"\\]{1,40})"'),
    re.compile(rb"<nct_id>\s*([^<\s]{1,40})\s*</nct_id>"),
    re.compile(rb'"_id"\s*:\s*"([^"\\]{1,40})"'),
)
_Job = Callable[[], NormalizedTrial] | RejectedRecord  # a parse still to run, or a rejection already made
_Found = Iterator[tuple[str, _Job, Any]]  # (position, job, raw record for naming its id)


class ImportLimits(BaseModel):
    """Size limits that keep a hostile or broken upload from exhausting memory or disk."""

    max_file_bytes: int = 512 * 1024**2  # one JSON/XML document read whole (a 1,000-study page is ~100 MB)
    max_member_bytes: int = 64 * 1024**2  # one zip member, uncompressed
    max_total_uncompressed: int = 64 * 1024**3  # a whole zip; the full registry unpacks to ~15 GB
    max_compression_ratio: float = 200.0  # JSON compresses ~10-30x; bombs ~1000x
    ratio_applies_above: int = 1024**2  # tiny members may compress absurdly well and are harmless
    duplicate_window: int = 20_000  # ids remembered for duplicate reports (bounded memory)
    max_record_bytes: int = 5 * 1024**2  # one study; the largest real registry records are about 1 MB

    @classmethod
    def from_settings(cls) -> ImportLimits:
        """The limits with the per-record cap from IMPORT_MAX_RECORD_MB."""
        return cls(max_record_bytes=int(get_settings().import_max_record_mb * 1024**2))


DEFAULT_LIMITS = ImportLimits()


@dataclass(frozen=True, slots=True)
class ImportItem:
    """One import result: a parsed trial or the reason a record was rejected, with a running count."""

    record: NormalizedTrial | RejectedRecord
    seen: int  # items produced so far in this batch, this one included
    file: str  # the file (or "archive!member") the record came from
    position: str  # where in it: "file", "line 12", "study 3", "row 7", "member a/b.json study 2"
    warnings: tuple[ImportWarning, ...] = ()  # imported, but worth a look (no title, no criteria, ...)

    @property
    def ok(self) -> bool:
        return isinstance(self.record, NormalizedTrial)

    @property
    def trial(self) -> NormalizedTrial | None:
        return self.record if isinstance(self.record, NormalizedTrial) else None

    @property
    def rejection(self) -> RejectedRecord | None:
        return self.record if isinstance(self.record, RejectedRecord) else None


@dataclass
class _Batch:
    limits: ImportLimits
    seen: int = 0
    # registry id -> (file number, position); file names are stored once. The map keeps the most recent
    # `limits.duplicate_window` ids so memory stays flat on a whole-registry import; a duplicate further
    # apart than that is not reported here, and the store's upsert makes the second copy harmless.
    first_seen: OrderedDict[str, tuple[int, str]] = field(default_factory=OrderedDict)
    files: dict[str, int] = field(default_factory=dict)
    file_names: list[str] = field(default_factory=list)

    def emit(self, record: NormalizedTrial | RejectedRecord, file: str, position: str) -> ImportItem:
        if isinstance(record, NormalizedTrial):
            key = record.registry_id.upper()
            first = self.first_seen.get(key)
            if first is not None:
                first_file = self.file_names[first[0]]
                record = RejectedRecord(
                    file=file,
                    position=position,
                    field="registry_id",
                    reason=f"duplicate id {record.registry_id}: first seen in {first_file}, {first[1]}",
                    registry_id=record.registry_id,
                )
            else:
                number = self.files.get(file)
                if number is None:
                    number = self.files[file] = len(self.file_names)
                    self.file_names.append(file)
                self.first_seen[key] = (number, position)
                if len(self.first_seen) > self.limits.duplicate_window:
                    self.first_seen.popitem(last=False)
        self.seen += 1
        warnings: tuple[ImportWarning, ...] = ()
        if isinstance(record, NormalizedTrial):
            warnings = tuple(check_record(record, file=file, position=position))
        return ImportItem(record=record, seen=self.seen, file=file, position=position, warnings=warnings)


def iter_import_items(
    paths: Sequence[str | Path], *, limits: ImportLimits | None = None
) -> Iterator[ImportItem]:
    """Stream trials and rejections from files, folders (recursively) and zips; never stops on bad input.

    Without `limits`, the configured ones apply (IMPORT_MAX_RECORD_MB).
    """
    batch = _Batch(limits or ImportLimits.from_settings())
    for path in _expand(paths):
        yield from _iter_path(path, batch)


def iter_import_bytes(
    data: bytes, *, name: str, limits: ImportLimits | None = None
) -> Iterator[ImportItem]:
    """The same as iter_import_items for one in-memory upload (e.g. from the UI's file uploader)."""
    batch = _Batch(limits or ImportLimits.from_settings())
    yield from _iter_stream(io.BytesIO(data), name, batch, allow_zip=True)


def estimate_total(paths: Sequence[str | Path]) -> int:
    """A cheap estimate of how many records the paths hold, for a progress bar (not exact)."""
    total = 0
    for path in _expand(paths):
        try:
            total += _estimate_file(path)
        except OSError:
            total += 1  # it will come out as one rejection
    return total


# --- files and folders ---------------------------------------------------------------------------


def _expand(paths: Sequence[str | Path]) -> Iterator[Path]:
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if child.is_file() and not any(
                    part.startswith(".") for part in child.relative_to(path).parts
                ):
                    yield child
        else:
            yield path


def _iter_path(path: Path, batch: _Batch) -> Iterator[ImportItem]:
    name = str(path)
    try:
        fh = path.open("rb")
    except OSError as exc:
        yield batch.emit(_reject(name, "file", None, f"cannot open: {exc.strerror or exc}"), name, "file")
        return
    with fh:
        yield from _iter_stream(fh, name, batch, allow_zip=True)


def _iter_stream(
    fh: IO[bytes], name: str, batch: _Batch, *, allow_zip: bool, prefix: str = ""
) -> Iterator[ImportItem]:
    """Detect the format of one file (by content first, extension second) and stream its records."""
    head = fh.read(_SNIFF_BYTES)
    fh.seek(0)
    where = prefix or "file"
    if head.startswith((_ZIP_MAGIC, _EMPTY_ZIP_MAGIC)):
        if not allow_zip:
            yield batch.emit(
                _reject(name, where, None, "nested archive: archives inside archives are not opened"),
                name,
                where,
            )
            return
        yield from _iter_zip(fh, name, batch)
        return
    text_head = head.lstrip(codecs.BOM_UTF8).lstrip()
    if not text_head:
        yield batch.emit(_reject(name, where, None, "empty file"), name, where)
    elif text_head.startswith(b"<"):
        yield from _iter_whole(fh, name, batch, prefix, _records_from_xml, single=True)
    elif text_head.startswith((b"{", b"[")):
        if _looks_like_jsonl(fh, name, min(8 * 1024**2, batch.limits.max_record_bytes + 2)):
            yield from _iter_jsonl(fh, name, batch, prefix)
        else:
            single = not _CONTAINER_HEAD.match(text_head)
            yield from _iter_whole(fh, name, batch, prefix, _records_from_json_doc, single=single)
    elif is_csv_export_header(text_head.split(b"\n", 1)[0].decode("utf-8", errors="replace")):
        yield from _iter_csv(fh, name, batch, prefix)
    else:
        yield batch.emit(
            _reject(name, where, None, "unrecognised format: not JSON, JSONL, XML, a CSV export or a zip"),
            name,
            where,
        )


def _looks_like_jsonl(fh: IO[bytes], name: str, line_limit: int = 8 * 1024**2) -> bool:
    """JSONL when named so, or when one of the first two lines is a complete JSON object and more follow.

    Checking the second line too keeps a JSONL file whose first line is broken from being read as
    one invalid document (which would reject every good line after it). A first line longer than
    `line_limit` is skipped in chunks, not held: a 200 MB one-line document must not be read to decide this.
    """
    if name.lower().endswith((".jsonl", ".ndjson", ".jsonl.txt")):
        return True
    first = fh.readline(line_limit)
    first_complete = first.endswith(b"\n")
    starts_with_object = first[:_SNIFF_BYTES].lstrip(codecs.BOM_UTF8).lstrip().startswith(b"{")
    if not first_complete:
        first = b""
        while (rest := fh.readline(1024**2)) and not rest.endswith(b"\n"):
            pass
    second = fh.readline(line_limit)
    more = second.strip() or fh.read(_SNIFF_BYTES).strip()
    fh.seek(0)
    if not more or not starts_with_object:
        return False
    return (first_complete and _is_json_object(first)) or (second.endswith(b"\n") and _is_json_object(second))


def _is_json_object(line: bytes) -> bool:
    if not line.strip().endswith(b"}"):
        return False  # cheap rejection of "{" and '"key": {' lines of pretty-printed JSON
    try:
        return isinstance(json.loads(line), dict)
    except (ValueError, RecursionError):
        return False


def _iter_whole(
    fh: IO[bytes],
    name: str,
    batch: _Batch,
    prefix: str,
    reader: Callable[[bytes, str, str, int | None], _Found],
    *,
    single: bool,
) -> Iterator[ImportItem]:
    """Read one document whole and parse its records; `single` says the document is one record."""
    where = prefix or "file"
    cap = batch.limits.max_record_bytes
    size = _stream_size(fh)
    if single and size is not None and size > cap:
        # Known before reading: the record is never loaded, only its first bytes to name it.
        head = fh.read(_HEAD_BYTES)
        yield batch.emit(_oversized(name, where, size, cap, head), name, where)
        return
    data = fh.read(batch.limits.max_file_bytes + 1)
    if len(data) > batch.limits.max_file_bytes:
        reason = f"file larger than {batch.limits.max_file_bytes:,} bytes; split it or use JSONL"
        yield batch.emit(_reject(name, where, None, reason), name, where)
        return
    if single and len(data) > cap:
        yield batch.emit(_oversized(name, where, len(data), cap, data[:_HEAD_BYTES]), name, where)
        return
    # Only a document bigger than the cap can hold a record bigger than it: measure records only then.
    for position, job, raw in reader(data, name, prefix, cap if len(data) > cap else None):
        yield _run(job, name, position, batch, raw)


def _stream_size(fh: IO[bytes]) -> int | None:
    """Bytes from the current position to the end, or None when the stream cannot tell without reading."""
    try:
        start = fh.tell()
        end = fh.seek(0, io.SEEK_END)
        fh.seek(start)
    except (OSError, ValueError):
        return None
    return end - start


def _oversized(name: str, position: str, size: int, cap: int, head: bytes) -> RejectedRecord:
    registry_id = _id_in_head(head)
    what = f"record {registry_id}" if registry_id else "record"
    return _reject(
        name, position, None,
        f"{what} is {_size_text(size)}, larger than the {_size_text(cap)} limit per record "
        "(IMPORT_MAX_RECORD_MB); it was not imported",
        registry_id,
    )


def _size_text(n: int) -> str:
    return f"{n / 1024**2:,.1f} MB" if n >= 1024**2 // 10 else f"{n:,} bytes"


def _id_in_head(head: bytes) -> str | None:
    for pattern in _ID_IN_HEAD:
        found = pattern.search(head)
        if found:
            return found.group(1).decode("utf-8", "replace")
    return None


def _run(
    job: Callable[[], NormalizedTrial] | RejectedRecord,
    name: str,
    position: str,
    batch: _Batch,
    raw: Any = None,
) -> ImportItem:
    if isinstance(job, RejectedRecord):
        return batch.emit(job, name, position)
    return batch.emit(_attempt(job, name, position, raw), name, position)


def _attempt(
    job: Callable[[], NormalizedTrial], name: str, position: str, raw: Any = None
) -> NormalizedTrial | RejectedRecord:
    try:
        return locate_sites(job())
    except FieldError as exc:
        return _reject(name, position, exc.field, exc.reason, _guess_id(raw))
    except RecursionError:
        return _reject(name, position, None, "record nested too deeply", _guess_id(raw))
    except Exception as exc:  # noqa: BLE001 - one bad record must never stop a batch
        return _reject(name, position, None, f"unexpected error {type(exc).__name__}: {exc}", _guess_id(raw))


def _reject(
    file: str, position: str, field_name: str | None, reason: str, registry_id: str | None = None
) -> RejectedRecord:
    return RejectedRecord(
        file=file, position=position, field=field_name, reason=reason, registry_id=registry_id
    )


def _guess_id(raw: Any) -> str | None:
    if not isinstance(raw, dict):
        return None
    for candidate in (
        raw.get("_id"),
        ((raw.get("protocolSection") or {}).get("identificationModule") or {}).get("nctId")
        if isinstance(raw.get("protocolSection"), dict)
        and isinstance(raw["protocolSection"].get("identificationModule"), dict)
        else None,
        raw.get("NCT Number"),
    ):
        if isinstance(candidate, str) and candidate.strip():
            return candidate.strip()[:64]
    return None


def _at(prefix: str, position: str) -> str:
    return f"{prefix} {position}" if prefix else position


# --- formats -------------------------------------------------------------------------------------


def _records_from_xml(data: bytes, name: str, prefix: str, cap: int | None = None) -> _Found:
    where = prefix or "file"
    yield where, lambda: parse_clinical_study_xml(data, file=name), None


def _records_from_json_doc(data: bytes, name: str, prefix: str, cap: int | None = None) -> _Found:
    where = prefix or "file"
    try:
        doc = json.loads(data)
    except json.JSONDecodeError as exc:
        reason = f"invalid or truncated JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
        yield where, _reject(name, where, None, reason), None
        return
    except (ValueError, RecursionError) as exc:
        yield where, _reject(name, where, None, f"unreadable JSON: {type(exc).__name__}"), None
        return
    del data
    # Inside a zip the member's own name carries the id (e.g. "NCT01234567.json"), not the archive's.
    source = prefix.removeprefix("member ") if prefix else name
    yield from _records_from_json_value(doc, name, prefix, where, source, cap)


def _records_from_json_value(
    doc: Any, name: str, prefix: str, where: str, source: str, cap: int | None = None
) -> _Found:
    if isinstance(doc, dict) and "studies" in doc:
        studies = doc["studies"]
        if not isinstance(studies, list):
            reason = f"expected a list of studies, got {type(studies).__name__}"
            yield where, _reject(name, where, "studies", reason), None
            return
        for i, study in enumerate(studies, start=1):
            position = _at(prefix, f"study {i}")
            yield position, _sized_job(study, name, position, cap), study
    elif isinstance(doc, list) and doc and not any(_looks_like_record(item) for item in doc):
        # e.g. a mapping or metadata file: one rejection, not one per entry
        reason = "unrecognised JSON: a list with no study, TrialGPT or {_id, text} records"
        yield where, _reject(name, where, None, reason), None
    elif isinstance(doc, list):
        for i, item in enumerate(doc, start=1):
            position = _at(prefix, f"item {i}")
            yield position, _sized_job(item, name, position, cap), item
    else:
        yield where, _job_for(doc, name, where, source), doc


def _sized_job(obj: Any, name: str, position: str, cap: int | None) -> _Job:
    """The parse job of one record of a multi-study document, or its rejection when it is over the cap."""
    if cap is not None:
        size = len(json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode())
        if size > cap:
            registry_id = _guess_id(obj)
            return _oversized(name, position, size, cap, f'"_id": "{registry_id}"'.encode() if registry_id else b"")
    return _job_for(obj, name, position)


def _looks_like_record(obj: Any) -> bool:
    return isinstance(obj, dict) and any(
        k in obj for k in ("protocolSection", "_id", "brief_title", "FullStudiesResponse", "NCT Number")
    )


def _job_for(obj: Any, name: str, position: str, source: str | None = None) -> _Job:
    """Pick the parser for one decoded JSON record."""
    if not isinstance(obj, dict):
        return _reject(name, position, None, f"expected a JSON object per record, got {type(obj).__name__}")
    if "protocolSection" in obj:
        return lambda: parse_study_v2(obj)
    if "FullStudiesResponse" in obj or "FullStudy" in obj:
        return _reject(
            name, position, None, "classic v1 API JSON (retired in 2024) is not supported; export API v2 JSON"
        )
    if "metadata" in obj and "_id" in obj:
        return lambda: parse_trialgpt(obj)
    if is_trialgpt_metadata(obj):
        stem = Path(source or name).stem
        match = _ID_IN_NAME.match(stem)
        return lambda: parse_trialgpt(obj, registry_id=match.group(1).upper() if match else None)
    if "_id" in obj:
        return lambda: parse_plain(obj)
    return _reject(
        name,
        position,
        None,
        "unrecognised JSON record: no protocolSection, studies, _id or TrialGPT fields",
        _guess_id(obj),
    )


def _bounded_lines(fh: IO[bytes], limit: int) -> Iterator[tuple[bytes, int | None]]:
    """(line, None) for each line, or (its first bytes, its length) for a line over the limit, which is skipped
    in chunks and never held whole in memory."""
    while line := fh.readline(limit + 1):
        if len(line) <= limit or line.endswith(b"\n"):
            length = len(line.rstrip(b"\r\n"))
            yield (line, None) if length <= limit else (line[:_HEAD_BYTES], length)
            continue
        head, length = line[:_HEAD_BYTES], len(line)
        del line
        while rest := fh.readline(1024**2):
            if rest.endswith(b"\n"):
                length += len(rest.rstrip(b"\r\n"))
                break
            length += len(rest)
        yield head, length


def _iter_jsonl(fh: IO[bytes], name: str, batch: _Batch, prefix: str) -> Iterator[ImportItem]:
    limit = min(batch.limits.max_member_bytes, batch.limits.max_record_bytes)
    for lineno, (line, too_long) in enumerate(_bounded_lines(fh, limit), start=1):
        position = _at(prefix, f"line {lineno}")
        if too_long is None and not line.strip():
            continue
        if too_long is not None:
            registry_id = _id_in_head(line)
            what = f"record {registry_id}" if registry_id else "record"
            reason = (
                f"{what}: line longer than {limit:,} bytes ({_size_text(too_long)}; the limit per record "
                "is IMPORT_MAX_RECORD_MB); it was not imported"
            )
            yield batch.emit(_reject(name, position, None, reason, registry_id), name, position)
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            reason = f"invalid or truncated JSON at column {exc.colno}: {exc.msg}"
            yield batch.emit(_reject(name, position, None, reason), name, position)
            continue
        except (ValueError, RecursionError) as exc:
            yield batch.emit(
                _reject(name, position, None, f"unreadable JSON: {type(exc).__name__}"), name, position
            )
            continue
        job = _job_for(obj, name, position)
        if isinstance(job, RejectedRecord):
            yield batch.emit(job, name, position)
        else:
            record = _attempt(job, name, position, obj)
            if isinstance(record, NormalizedTrial):
                # Keep the line exactly as it came: it is the raw record, and re-encoding it costs time.
                record.raw = line.decode("utf-8", "replace").strip()
            yield batch.emit(record, name, position)


def _iter_csv(fh: IO[bytes], name: str, batch: _Batch, prefix: str) -> Iterator[ImportItem]:
    where = prefix or "file"
    text = io.TextIOWrapper(fh, encoding="utf-8-sig", newline="")
    try:
        for rowno, row in iter_csv_rows(text):
            position = _at(prefix, f"row {rowno}")
            yield batch.emit(
                _attempt(lambda row=row: parse_csv_row(row), name, position, row), name, position
            )
    except UnicodeDecodeError as exc:
        yield batch.emit(_reject(name, where, None, f"not UTF-8 text at byte {exc.start}"), name, where)
    except Exception as exc:  # noqa: BLE001 - csv.Error, field too large: stop this file, not the batch
        yield batch.emit(_reject(name, where, None, f"unreadable CSV: {exc}"), name, where)
    finally:
        text.detach()


# --- zip archives --------------------------------------------------------------------------------


def _unsafe_member_name(member: str) -> str | None:
    norm = member.replace("\\", "/")
    if norm.startswith("/") or re.match(r"^[A-Za-z]:", norm):
        return "absolute path"
    if ".." in norm.split("/"):
        return "path traversal ('..')"
    if "\x00" in norm:
        return "NUL byte in name"
    return None


def _iter_zip(fh: IO[bytes], name: str, batch: _Batch) -> Iterator[ImportItem]:
    """Read members one at a time, in memory only; nothing is ever extracted to disk."""
    limits = batch.limits
    try:
        archive = zipfile.ZipFile(fh)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        yield batch.emit(_reject(name, "file", None, f"broken zip archive: {exc}"), name, "file")
        return
    total = 0
    with archive:
        for info in archive.infolist():
            position = f"member {info.filename}"
            if info.is_dir():
                continue
            problem = _unsafe_member_name(info.filename)
            if problem is None and info.flag_bits & 0x1:
                problem = "encrypted member"
            if problem is None and info.file_size > limits.max_member_bytes:
                problem = f"uncompressed size {info.file_size:,} bytes exceeds the {limits.max_member_bytes:,} limit"
            ratio = info.file_size / max(info.compress_size, 1)
            if (
                problem is None
                and info.file_size > limits.ratio_applies_above
                and ratio > limits.max_compression_ratio
            ):
                problem = f"compression ratio {ratio:,.0f}:1 exceeds {limits.max_compression_ratio:,.0f}:1 (zip bomb?)"
            if problem is None and total + info.file_size > limits.max_total_uncompressed:
                problem = f"archive unpacks to more than {limits.max_total_uncompressed:,} bytes"
            if problem:
                yield batch.emit(_reject(name, position, None, f"member rejected: {problem}"), name, position)
                continue
            total += info.file_size
            if info.file_size > limits.max_record_bytes:
                oversized = _oversized_member(archive, info, name, position, limits.max_record_bytes)
                if oversized is not None:
                    yield batch.emit(oversized, name, position)
                    continue
            try:
                with archive.open(info) as member:
                    # Sizes in the header can lie, so the read itself is bounded too.
                    data = member.read(limits.max_member_bytes + 1)
            except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as exc:
                yield batch.emit(_reject(name, position, None, f"member unreadable: {exc}"), name, position)
                continue
            if len(data) > limits.max_member_bytes:
                reason = f"member rejected: unpacks past the {limits.max_member_bytes:,} byte limit"
                yield batch.emit(_reject(name, position, None, reason), name, position)
                continue
            yield from _iter_stream(io.BytesIO(data), name, batch, allow_zip=False, prefix=position)


def _oversized_member(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, name: str, position: str, cap: int
) -> RejectedRecord | None:
    """The rejection of a one-record member over the cap, judged from its first bytes without unpacking the rest."""
    try:
        with archive.open(info) as member:
            head = member.read(_HEAD_BYTES)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError):
        return None  # the full read reports it
    text_head = head.lstrip(codecs.BOM_UTF8).lstrip()
    jsonl = info.filename.lower().endswith((".jsonl", ".ndjson")) or b"\n{" in text_head.replace(b"\r", b"")
    single = text_head.startswith(b"<") or (
        text_head.startswith(b"{") and not jsonl and not _CONTAINER_HEAD.match(text_head)
    )
    return _oversized(name, position, info.file_size, cap, head) if single else None


# --- estimates -----------------------------------------------------------------------------------


def _estimate_file(path: Path) -> int:
    with path.open("rb") as fh:
        head = fh.read(_SNIFF_BYTES)
        if head.startswith((_ZIP_MAGIC, _EMPTY_ZIP_MAGIC)):
            try:
                with zipfile.ZipFile(path) as archive:
                    return sum(1 for i in archive.infolist() if not i.is_dir()) or 1
            except zipfile.BadZipFile:
                return 1
        stripped = head.lstrip(codecs.BOM_UTF8).lstrip()
        fh.seek(0)
        if stripped.startswith(b"<"):
            return 1
        line_limit = min(8 * 1024**2, ImportLimits.from_settings().max_record_bytes + 2)
        if stripped.startswith((b"{", b"[")) and not _looks_like_jsonl(fh, str(path), line_limit):
            count = _count_in(fh, b'"protocolSection"')
            return max(count, 1)
        fh.seek(0)
        lines = _count_in(fh, b"\n")
        if head:
            fh.seek(-1, io.SEEK_END)
            lines += fh.read(1) != b"\n"  # a last line without a newline still counts
        if is_csv_export_header(head.split(b"\n", 1)[0].decode("utf-8", errors="replace")):
            lines -= 1
        return max(lines, 1)


def _count_in(fh: IO[bytes], needle: bytes) -> int:
    count, tail = 0, b""
    while chunk := fh.read(4 * 1024**2):
        window = tail + chunk
        count += window.count(needle)
        # Keep a short overlap so a needle split across chunks is still seen (and not counted twice).
        tail = window[-(len(needle) - 1) :] if len(needle) > 1 else b""
        count -= tail.count(needle)
    return count
