"""Tests of the BM25 index: build, search, restrict_to, persistence, fingerprints, determinism."""

from __future__ import annotations

import pytest

from core.matching.retrieval import (
    WeightedQuery,
    american_spelling,
    build_index,
    compute_fingerprint,
    index_is_current,
    load_index,
    read_manifest,
)

DOCS = [
    ("T1", "Relapsed T-cell acute lymphoblastic leukemia treated with CAR-T cells in children"),
    ("T2", "Chest pain and myocardial infarction in adults: a randomized trial of aspirin"),
    ("T3", "Type 2 diabetes mellitus and obesity: a lifestyle intervention for women"),
    ("T4", "Acute myeloid leukemia in older adults: venetoclax plus azacitidine"),
    ("T5", "Leukemia leukemia leukemia survivorship questionnaire"),
]


@pytest.fixture(scope="module")
def index():
    return build_index(DOCS)


def test_search_ranks_the_topical_document_first(index):
    hits = index.search("myocardial infarction with chest pain", k=3)
    assert hits[0][0] == "T2"
    assert hits[0][1] > 0


def test_stemming_and_stopwords_apply_to_queries_and_documents(index):
    assert index.analyze("The Leukemias are treated") == ["leukemia", "treat"]
    assert index.search("leukemias", k=1)[0][0] in {"T1", "T4", "T5"}


def test_restrict_to_only_returns_the_given_documents(index):
    hits = index.search("leukemia children", k=10, restrict_to={"T1", "T3", "T4", "NOT-IN-INDEX"})
    assert [doc_id for doc_id, _ in hits] == ["T1", "T4"]  # T3 shares no term: not a hit


def test_k_limits_results_and_zero_returns_nothing(index):
    assert len(index.search("leukemia", k=2)) == 2
    assert index.search("leukemia", k=0) == []


def test_weighted_query_changes_the_order(index):
    plain = index.search(WeightedQuery().add("leukemia").add("children"), k=1)
    diabetes_up = index.search(WeightedQuery().add("leukemia", 0.1).add("diabetes", 5.0), k=1)
    assert plain[0][0] == "T1"
    assert diabetes_up[0][0] == "T3"


def test_score_docs_matches_search_and_rejects_unknown_ids(index):
    scores = index.score_docs("acute leukemia", ["T1", "T4", "T3"])
    hits = dict(index.search("acute leukemia", k=5))
    assert scores["T1"] == pytest.approx(hits["T1"])
    assert scores["T3"] == 0.0
    with pytest.raises(KeyError, match="NOPE"):
        index.score_docs("leukemia", ["T1", "NOPE"])


def test_ties_are_broken_by_doc_id_deterministically():
    idx = build_index([("B", "same words here"), ("A", "same words here"), ("C", "same words here")])
    assert [d for d, _ in idx.search("same words", k=3)] == ["A", "B", "C"]
    assert idx.search("same words", k=3) == idx.search("same words", k=3)


def test_build_is_deterministic(index):
    again = build_index(DOCS)
    assert again.fingerprint == index.fingerprint
    assert again.search("leukemia children", k=5) == index.search("leukemia children", k=5)


def test_save_load_round_trip(index, tmp_path):
    index.save(tmp_path / "ix")
    for mmap in (False, True):
        loaded = load_index(tmp_path / "ix", mmap=mmap)
        assert loaded.doc_ids == index.doc_ids
        assert loaded.fingerprint == index.fingerprint
        assert loaded.search("leukemia in children", k=5) == index.search("leukemia in children", k=5)


def test_manifest_tells_when_a_rebuild_is_needed(index, tmp_path):
    index.save(tmp_path / "ix")
    assert read_manifest(tmp_path / "ix").num_docs == len(DOCS)
    assert index_is_current(tmp_path / "ix", compute_fingerprint(DOCS))
    changed = [*DOCS[:-1], ("T5", "Leukemia survivorship questionnaire, second version")]
    assert not index_is_current(tmp_path / "ix", compute_fingerprint(changed))
    assert not index_is_current(tmp_path / "missing", compute_fingerprint(DOCS))


def test_load_without_manifest_names_the_directory(tmp_path):
    with pytest.raises(FileNotFoundError, match="manifest.json"):
        load_index(tmp_path)


def test_bad_input_is_reported_with_its_position():
    with pytest.raises(ValueError, match="position 1: duplicate doc_id"):
        build_index([("A", "one"), ("A", "two")])
    with pytest.raises(ValueError, match="position 0"):
        build_index([("A", None)])  # type: ignore[list-item]


def test_streaming_build_accepts_a_generator_and_empty_texts():
    idx = build_index((f"D{i}", "" if i == 2 else f"word{i} shared") for i in range(5))
    assert len(idx) == 5
    assert {d for d, _ in idx.search("shared", k=10)} == {"D0", "D1", "D3", "D4"}


def test_british_and_american_spellings_find_each_other():
    index = build_index([("US", "Gene therapy for hemophilia B and pediatric leukemia"), ("X", "Knee osteoarthritis pain")])
    assert [d for d, _ in index.search("haemophilia paediatric leukaemia", 2)][:1] == ["US"]
    assert american_spelling("tumour") == "tumor" and american_spelling("randomised") == "randomized"
    assert american_spelling("hour") == "hour" and american_spelling("aerosol") == "aerosol"
