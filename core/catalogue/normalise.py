"""Normalise registry vocabularies (ages, sex, phases, statuses, types, dates) and read typed fields."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any, get_args

from dateutil import parser as date_parser

from core.domain.trial import ExpandedAccessType, OverallStatus, Phase, Sex, StudyType


class FieldError(ValueError):
    """A value in an input record that cannot be normalised; names the field it came from."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


def _key(value: str) -> str:
    """Upper-case a label and turn every run of non-alphanumerics into one underscore."""
    return re.sub(r"[^A-Z0-9]+", "_", value.upper()).strip("_")


# --- ages ----------------------------------------------------------------------------------------

_AGE_RE = re.compile(
    r"^\s*(\d+(?:\.\d+)?)\s*(year|yr|month|mo|week|wk|day|hour|hr|minute|min)s?\.?\s*$", re.I
)
_UNIT_YEARS = {
    "year": 1.0,
    "yr": 1.0,
    "month": 1 / 12,
    "mo": 1 / 12,
    "week": 7 / 365.25,
    "wk": 7 / 365.25,
    "day": 1 / 365.25,
    "hour": 1 / (24 * 365.25),
    "hr": 1 / (24 * 365.25),
    "minute": 1 / (60 * 24 * 365.25),
    "min": 1 / (60 * 24 * 365.25),
}
_NO_LIMIT = {"", "N/A", "NA", "NONE", "NO LIMIT", "NOT APPLICABLE"}


def normalise_age(value: Any, *, field: str = "age") -> float | None:
    """'18 Years' -> 18.0, '6 Months' -> 0.5; 'N/A' or empty -> None (no limit)."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise FieldError(field, f"expected an age text like '18 Years', got {type(value).__name__}")
    if value.strip().upper() in _NO_LIMIT:
        return None
    m = _AGE_RE.match(value)
    if not m:
        raise FieldError(field, f"unrecognised age {value[:40]!r}")
    # Rounded so the same age written in different units or formats compares equal.
    return round(float(m.group(1)) * _UNIT_YEARS[m.group(2).lower()], 4)


# --- enumerations --------------------------------------------------------------------------------

_SEX = {"ALL": "ALL", "BOTH": "ALL", "FEMALE": "FEMALE", "FEMALES": "FEMALE", "WOMEN": "FEMALE"}
_SEX |= {"MALE": "MALE", "MALES": "MALE", "MEN": "MALE"}


def normalise_sex(value: Any, *, field: str = "sex") -> Sex:
    """'All' / 'Both' / '' -> ALL, 'Female' -> FEMALE, 'Male' -> MALE."""
    if value is None:
        return "ALL"
    if not isinstance(value, str):
        raise FieldError(field, f"expected text, got {type(value).__name__}")
    key = _key(value)
    if not key:
        return "ALL"
    if key not in _SEX:
        raise FieldError(field, f"unknown sex {value[:40]!r}")
    return _SEX[key]  # type: ignore[return-value]


_PHASE = {
    "EARLY_PHASE1": "EARLY_PHASE1",
    "EARLY_PHASE_1": "EARLY_PHASE1",
    "PHASE0": "EARLY_PHASE1",  # the registry renamed "Phase 0" to "Early Phase 1"
    "PHASE_0": "EARLY_PHASE1",
    "NA": "NA",
    "N_A": "NA",
    "NOT_APPLICABLE": "NA",
}
for _n in "1234":
    _PHASE[f"PHASE{_n}"] = _PHASE[f"PHASE_{_n}"] = _PHASE[_n] = f"PHASE{_n}"
_PHASE_SPLIT = re.compile(r"\s*(?:/|\||,|;|\band\b)\s*", re.I)
_PHASE_ORDER = ("EARLY_PHASE1", "PHASE1", "PHASE2", "PHASE3", "PHASE4", "NA")


def normalise_phases(value: Any, *, field: str = "phases") -> list[Phase]:
    """API v2 enum lists or legacy text ('Phase 1/Phase 2', 'N/A') -> ordered unique phase enums."""
    if value is None:
        return []
    if isinstance(value, str):
        # "N/A" contains the list separator, so whole-value labels are looked up first.
        parts: Iterable[Any] = [value] if _key(value) in _PHASE else _PHASE_SPLIT.split(value)
    elif isinstance(value, list):
        parts = value
    else:
        raise FieldError(field, f"expected a list or text, got {type(value).__name__}")
    found: set[str] = set()
    for part in parts:
        if not isinstance(part, str):
            raise FieldError(field, f"expected phase text, got {type(part).__name__}")
        key = _key(part)
        if not key:
            continue
        if key not in _PHASE:
            raise FieldError(field, f"unknown phase {part[:40]!r}")
        found.add(_PHASE[key])
    return [p for p in _PHASE_ORDER if p in found]  # type: ignore[misc]


_STATUSES = frozenset(get_args(OverallStatus))
_STATUS_ALIASES = {"UNKNOWN_STATUS": "UNKNOWN", "TEMPORARILY_UNAVAILABLE": "TEMPORARILY_NOT_AVAILABLE"}


def normalise_status(value: Any, *, field: str = "overall_status") -> OverallStatus:
    """API v2 enum or legacy text ('Active, not recruiting', 'No longer available') -> status enum.

    Missing -> UNKNOWN (the registry itself uses 'Unknown status'); an unrecognised word is an error,
    because guessing a status could show a closed trial as open.
    """
    if value is None:
        return "UNKNOWN"
    if not isinstance(value, str):
        raise FieldError(field, f"expected text, got {type(value).__name__}")
    key = _key(value)
    if not key:
        return "UNKNOWN"
    key = _STATUS_ALIASES.get(key, key)
    if key not in _STATUSES:
        raise FieldError(field, f"unknown status {value[:40]!r}")
    return key  # type: ignore[return-value]


def normalise_site_status(value: Any, *, field: str = "status") -> str | None:
    """Per-site recruitment status in the same vocabulary; missing stays None."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return normalise_status(value, field=field)


def normalise_study_type(value: Any, *, field: str = "study_type") -> StudyType:
    """'Interventional', 'Observational [Patient Registry]', 'Expanded Access', 'N/A' -> study type enum."""
    if value is None:
        return "UNKNOWN"
    if not isinstance(value, str):
        raise FieldError(field, f"expected text, got {type(value).__name__}")
    key = _key(value)
    if key in {"", "N_A", "NA", "UNKNOWN"}:
        return "UNKNOWN"
    for known in ("INTERVENTIONAL", "OBSERVATIONAL", "EXPANDED_ACCESS"):
        if key == known or key.startswith(known + "_"):
            return known  # type: ignore[return-value]
    raise FieldError(field, f"unknown study type {value[:40]!r}")


_EA_TYPES = ("INDIVIDUAL", "INTERMEDIATE", "TREATMENT")


def normalise_expanded_access_types(
    names: Iterable[Any], *, field: str = "expanded_access_types"
) -> list[ExpandedAccessType]:
    """Names like 'individual', 'Intermediate-size Population', 'TREATMENT' -> ordered unique enums."""
    found: set[str] = set()
    for name in names:
        if not isinstance(name, str):
            raise FieldError(field, f"expected text, got {type(name).__name__}")
        key = _key(name)
        match = next((t for t in _EA_TYPES if key.startswith(t)), None)
        if match is None:
            raise FieldError(field, f"unknown expanded-access type {name[:40]!r}")
        found.add(match)
    return [t for t in _EA_TYPES if t in found]  # type: ignore[misc]


def normalise_yes_no(value: Any, *, field: str) -> bool | None:
    """JSON booleans or legacy 'Yes'/'No' -> bool; missing -> None."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str):
        key = value.strip().upper()
        if key in {"YES", "Y", "TRUE"}:
            return True
        if key in {"NO", "N", "FALSE"}:
            return False
        if not key:
            return None
    raise FieldError(field, f"expected yes/no, got {str(value)[:40]!r}")


# --- dates ---------------------------------------------------------------------------------------

_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})(?:-(\d{2}))?$")
_DEFAULT_DAY = datetime(2000, 1, 1)


def normalise_date(value: Any, *, field: str = "date") -> date | None:
    """'2023-05', '2023-05-05', 'May 2023', 'May 5, 2023' -> date (month-only dates fall on the 1st)."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise FieldError(field, f"expected a date text, got {type(value).__name__}")
    text = value.strip()
    if not text:
        return None
    m = _ISO_DATE.match(text)  # the fast path: every API v2 date
    try:
        if m:
            return date(int(m.group(1)), int(m.group(2)), int(m.group(3) or 1))
        return date_parser.parse(text, default=_DEFAULT_DAY).date()
    except (ValueError, OverflowError) as exc:
        raise FieldError(field, f"unrecognised date {text[:40]!r}") from exc


# --- typed access to decoded JSON -----------------------------------------------------------------
# `where` is the dotted path of `parent`; the field path is only built when there is an error to report.


def _at(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


def get_obj(parent: dict[str, Any], key: str, where: str) -> dict[str, Any]:
    """parent[key] as a dict ({} when missing); wrong type -> FieldError naming the path."""
    value = parent.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise FieldError(_at(where, key), f"expected an object, got {type(value).__name__}")
    return value


def get_list(parent: dict[str, Any], key: str, where: str) -> list[Any]:
    """parent[key] as a list ([] when missing); wrong type -> FieldError naming the path."""
    value = parent.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise FieldError(_at(where, key), f"expected a list, got {type(value).__name__}")
    return value


def get_str(parent: dict[str, Any], key: str, where: str) -> str | None:
    """parent[key] as text (None when missing or blank); wrong type -> FieldError naming the path."""
    value = parent.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise FieldError(_at(where, key), f"expected text, got {type(value).__name__}")
    return value if value.strip() else None


def get_str_list(parent: dict[str, Any], key: str, where: str) -> list[str]:
    """parent[key] as a list of non-blank texts; any non-text item -> FieldError naming its index."""
    out: list[str] = []
    for i, item in enumerate(get_list(parent, key, where)):
        if not isinstance(item, str):
            raise FieldError(f"{_at(where, key)}[{i}]", f"expected text, got {type(item).__name__}")
        if item.strip():
            out.append(item)
    return out


def get_int(parent: dict[str, Any], key: str, where: str) -> int | None:
    """parent[key] as a non-negative int (floats like 88.0 and digit strings accepted)."""
    value = parent.get(key)
    return None if value is None else to_int(value, field=_at(where, key))


def to_int(value: Any, *, field: str) -> int | None:
    """A count given as int, integral float or numeric text -> int; blank -> None."""
    if value is None or isinstance(value, bool):
        if isinstance(value, bool):
            raise FieldError(field, "expected a number, got a boolean")
        return None
    if isinstance(value, str):
        if not value.strip():
            return None
        try:
            value = float(value.strip())
        except ValueError as exc:
            raise FieldError(field, f"expected a number, got {value[:40]!r}") from exc
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")) or not value.is_integer():
            raise FieldError(field, f"expected a whole number, got {value!r}")
        value = int(value)
    if not isinstance(value, int):
        raise FieldError(field, f"expected a number, got {type(value).__name__}")
    if value < 0:
        raise FieldError(field, f"expected a non-negative number, got {value}")
    return value


def to_float(value: Any, *, field: str) -> float | None:
    """A coordinate given as number or numeric text -> float; missing -> None."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise FieldError(field, f"expected a number, got {type(value).__name__}")
    try:
        out = float(value)
    except ValueError as exc:
        raise FieldError(field, f"expected a number, got {str(value)[:40]!r}") from exc
    if out != out or out in (float("inf"), float("-inf")):
        raise FieldError(field, f"expected a finite number, got {value!r}")
    return out
