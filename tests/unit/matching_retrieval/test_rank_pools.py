"""rank_pools and its CLI on a tiny invented corpus, plus the demographic fit it relies on."""

from __future__ import annotations

import json

import pytest

from core.domain.trial import NormalizedTrial
from core.evaluation.rank_pools import load_corpus, load_jsonl_queries, main_rank_pools, rank_pools
from core.matching.demographics import demographic_fit, infer_population_from_text, population_of

CORPUS = [
    {"_id": "NCT1", "text": "A trial of a new inhaler for adults with asthma."},
    {"_id": "NCT2", "text": "Asthma in children: a school-based inhaler programme for pediatric patients."},
    {"_id": "NCT3", "text": "Knee replacement rehabilitation in older adults."},
    {"_id": "NCT4", "text": "Pregnant women with asthma: inhaled steroid safety."},
]
QUERIES = [
    {
        "_id": "q1",
        "text": "A 7-year-old boy with wheezing and asthma, using an inhaler. He denies knee pain.",
    },
    {"_id": "q2", "text": "A 70-year-old man after knee replacement surgery."},
]
POOLS = {"q1": ["NCT1", "NCT2", "NCT3", "NCT4"], "q2": ["NCT3", "NCT1"]}


def _write(tmp_path):
    (tmp_path / "c.jsonl").write_text("\n".join(json.dumps(d) for d in CORPUS) + "\n")
    (tmp_path / "q.jsonl").write_text("\n".join(json.dumps(d) for d in QUERIES) + "\n")
    (tmp_path / "p.json").write_text(json.dumps(POOLS))


def test_rank_pools_ranks_whole_pools_with_demographic_fit():
    corpus = {d["_id"]: d["text"] for d in CORPUS}
    queries = {d["_id"]: d["text"] for d in QUERIES}
    ranked = rank_pools(queries, corpus, POOLS)
    assert sorted(ranked["q1"]) == sorted(POOLS["q1"])
    assert ranked["q1"][0] == "NCT2"  # the paediatric asthma trial for a 7-year-old boy
    assert ranked["q1"][-1] == "NCT3"  # knee pain was denied: nothing else matches
    assert ranked["q2"] == ["NCT3", "NCT1"]
    assert rank_pools(queries, corpus, POOLS) == ranked  # deterministic


def test_rank_pools_names_trials_missing_from_the_corpus():
    with pytest.raises(ValueError, match="query 'q1'.*NCT9"):
        rank_pools({"q1": "asthma"}, {"NCT1": "asthma"}, {"q1": ["NCT1", "NCT9"]})


def test_cli_writes_rankings(tmp_path, capsys):
    _write(tmp_path)
    out = tmp_path / "out" / "r.json"
    argv = ["--queries", str(tmp_path / "q.jsonl"), "--corpus", str(tmp_path / "c.jsonl")]
    code = main_rank_pools([*argv, "--pools", str(tmp_path / "p.json"), "--out", str(out)])
    assert code == 0
    result = json.loads(out.read_text())
    assert set(result) == {"q1", "q2"}
    assert result["q1"][0] == "NCT2"
    assert "ranked 2 pools" in capsys.readouterr().out


def test_cli_reports_bad_input_with_file_and_line(tmp_path, capsys):
    _write(tmp_path)
    (tmp_path / "q.jsonl").write_text('{"_id": "q1", "text": "asthma"}\n{"_id": "q2"}\n')
    argv = ["--queries", str(tmp_path / "q.jsonl"), "--corpus", str(tmp_path / "c.jsonl")]
    code = main_rank_pools([*argv, "--pools", str(tmp_path / "p.json"), "--out", str(tmp_path / "r.json")])
    assert code == 2
    assert "q.jsonl, line 2, field 'text'" in capsys.readouterr().err


def test_load_corpus_accepts_trialgpt_lines(tmp_path):
    path = tmp_path / "tg.jsonl"
    line = {
        "_id": "NCT5",
        "title": "CAR-T for relapsed T-ALL",
        "text": "Summary.",
        "metadata": {"diseases_list": ["T-cell leukemia"], "inclusion_criteria": "Age 1-21 years"},
    }
    path.write_text(json.dumps(line) + "\n" + json.dumps(CORPUS[0]) + "\n")
    corpus = load_corpus(path)
    trial = corpus["NCT5"]
    assert isinstance(trial, NormalizedTrial)
    assert trial.brief_title == "CAR-T for relapsed T-ALL"
    assert trial.conditions == ["T-cell leukemia"]
    assert corpus["NCT1"] == CORPUS[0]["text"]


def test_load_queries_rejects_duplicates(tmp_path):
    path = tmp_path / "q.jsonl"
    path.write_text('{"_id": "a", "text": "x"}\n{"_id": "a", "text": "y"}\n')
    with pytest.raises(ValueError, match="line 2.*duplicate"):
        load_jsonl_queries(path)


def test_population_from_text_and_structured_fields():
    pop = infer_population_from_text("Postmenopausal women aged 50-75 years with osteoporosis")
    assert (pop.sex, pop.min_age, pop.max_age) == ("FEMALE", 50.0, 75.0)
    assert infer_population_from_text("Infants and children with fever").children_only
    trial = NormalizedTrial(registry_id="X", source_format="plain_jsonl", minimum_age_years=18, sex="MALE")
    assert population_of(trial).adults_only and population_of(trial).sex == "MALE"


def test_demographic_fit_penalises_clashes():
    women_adults = infer_population_from_text("Women aged 18-65")
    assert demographic_fit(40, "female", women_adults) == 1.0
    assert demographic_fit(40, "male", women_adults) == 0.5
    assert demographic_fit(8, "male", women_adults) == 0.0
    assert demographic_fit(None, "unknown", women_adults) == 1.0
