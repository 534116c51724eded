"""Property test: mutated records only ever produce trials or rejections, never an exception."""

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.catalogue.sources import iter_import_bytes
from core.domain.trial import NormalizedTrial, RejectedRecord
from tests.support.paths import SHARED_DATA

_BASE = json.loads((SHARED_DATA / "ctgov" / "api-v2" / "aact-fixtures" / "NCT02210780.json").read_text())
_TRIALGPT = json.loads((SHARED_DATA / "records" / "trialgpt-format-json" / "NCT05694364.json").read_text())

_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=40),
    st.sampled_from(
        ["PHASE9", "Recruiting", "N/A", "18 Years", "", "2023-13-45", "<script>x</script>", "\\>= 5"]
    ),
)
_values = st.recursive(
    _scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)


def _paths(node, prefix=()):
    """Every (container path) inside a decoded JSON value, so a mutation can target any depth."""
    yield prefix
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node[:3]):
            yield from _paths(v, (*prefix, i))


_ALL_PATHS = [p for p in _paths(_BASE) if p]


def _mutate(doc, path, op, value):
    parent = doc
    for key in path[:-1]:
        parent = parent[key]
    key = path[-1]
    if op == "drop":
        del parent[key]
    elif op == "replace":
        parent[key] = value
    elif op == "nest_list":
        parent[key] = [parent[key]]
    elif op == "nest_dict":
        parent[key] = {"value": parent[key]}


@st.composite
def mutated_studies(draw):
    doc = json.loads(json.dumps(_BASE))
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        path = draw(st.sampled_from(_ALL_PATHS))
        try:
            _mutate(
                doc, path, draw(st.sampled_from(["drop", "replace", "nest_list", "nest_dict"])), draw(_values)
            )
        except (KeyError, IndexError, TypeError):
            continue  # an earlier mutation removed or reshaped this path
    return doc


def _check(items, *, may_be_empty=False):
    assert items or may_be_empty, "every input yields at least one item"
    for item in items:
        assert isinstance(item.record, NormalizedTrial | RejectedRecord)
        if not item.ok:
            # Rejections must come from a named check, not from an exception we did not foresee.
            assert not item.rejection.reason.startswith("unexpected"), item.rejection


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_studies())
def test_mutated_v2_studies_never_raise(study):
    _check(list(iter_import_bytes(json.dumps(study).encode(), name="mutated.json")))
    page = {"studies": [study, study], "nextPageToken": None}
    _check(list(iter_import_bytes(json.dumps(page).encode(), name="page.json")))


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(st.sampled_from(sorted(_TRIALGPT)), _values, max_size=6), st.text(max_size=12))
def test_mutated_trialgpt_lines_never_raise(meta, rid):
    line = json.dumps({"_id": rid, "title": "t", "metadata": {**_TRIALGPT, **meta}})
    _check(list(iter_import_bytes((line + "\n" + line + "\n").encode(), name="c.jsonl")))


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=300))
def test_random_bytes_never_raise(data):
    _check(list(iter_import_bytes(data or b" ", name="random.bin")))


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=300))
def test_random_xml_and_csv_text_never_raise(text):
    _check(list(iter_import_bytes(("<clinical_study>" + text).encode(), name="x.xml")))
    csv_text = "NCT Number,Study Title,Study Status\n" + text
    # A header with no rows is a valid, empty export.
    _check(list(iter_import_bytes(csv_text.encode(), name="x.csv")), may_be_empty=True)
