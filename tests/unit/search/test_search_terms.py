"""The search normaliser: British and American spellings, stems and CAR-T/CAR T/CART forms become the same terms."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.catalogue.search_text import build_query, index_terms, normalise_term
from core.catalogue.spelling import SPELLING_FILE, SpellingDataError, SpellingRule, load_spelling_rules
from core.data_files import load_csv_rows


@pytest.mark.parametrize(
    ("british", "american"),
    [("leukaemia", "leukemia"), ("leukaemias", "leukemia"), ("haematological", "hematological"),
     ("paediatric", "pediatric"), ("tumours", "tumor"), ("oesophageal", "esophageal"), ("randomised", "randomized"),
     ("randomisation", "randomization"), ("anaemic", "anemic"), ("ischaemia", "ischemia"), ("oedema", "edema"),
     ("programme", "program"), ("centre", "centers"), ("haemophilia", "hemophilia"), ("analysed", "analyzed")],
)
def test_british_and_american_spellings_give_one_term(british, american):
    assert normalise_term(british) == normalise_term(american)


def test_every_rule_of_the_data_file_joins_its_two_spellings():
    for line, rule in load_csv_rows(SPELLING_FILE, SpellingRule, ("match", "british", "american", "note"), SpellingDataError):
        if rule.match == "word":
            british, american = rule.british, rule.american
        elif rule.match == "start":
            british, american = rule.british + "s", rule.american + "s"
        elif rule.match == "suffix":
            british, american = "character" + rule.british, "character" + rule.american
        else:
            british, american = "x" + rule.british + "s", "x" + rule.american + "s"
        assert normalise_term(british) == normalise_term(american), f"line {line}: {rule}"


def test_words_that_only_look_like_variants_stay_apart():
    assert normalise_term("leukemia") != normalise_term("lymphoma")
    assert normalise_term("exercise") == normalise_term("exercises")  # the -ise rule applies to both alike


def test_queries_join_hyphen_and_space_forms():
    assert build_query("CD7 CAR-T").groups == [["cd7"], ["cart"]]
    # a bare single letter would find nearly everything: only its joined forms count
    assert build_query("car t cell").groups == [["car", "cart"], ["cart", "tcell"], ["cell", "tcell"]]
    assert build_query("CART").groups == [["cart"]]
    assert build_query("CD 19").groups == [["cd", "cd19"], ["19", "cd19"]]
    assert build_query("the of and").is_empty
    assert build_query("cells, T").groups == [["cell"], ["t"]]  # a comma keeps words apart


@pytest.mark.parametrize(
    ("typed", "groups"),
    [("T-ALL", [["tall"]]), ("B-ALL", [["ball"]]), ("PD-1", [["pd1"]]), ("COVID-19", [["covid19"]]),
     ("CAR-T cells", [["cart"], ["cell", "tcell"]]), ("non-small", [["non", "nonsmal"], ["small", "nonsmal"]])],
)
def test_a_short_hyphenated_word_is_one_term(typed, groups):
    assert build_query(typed).groups == groups


def test_documents_index_words_and_joined_pairs():
    terms = index_terms("CD7-Directed CAR T Cells, T-cell ALL").split()
    assert {"cd7", "cd7direct", "car", "cart", "t", "tcell", "cell", "all"} <= set(terms)
    assert "cellst" not in terms  # not across a comma


def test_the_spelling_loader_names_file_line_and_field(tmp_path: Path):
    assert load_spelling_rules().americanise("leukaemia") == "leukemia"
    bad = tmp_path / "spelling.csv"
    bad.write_text("match,british,american,note\nsubstring,aemi,emi,\nprefix,haem,hem,\n", encoding="utf-8")
    with pytest.raises(SpellingDataError, match=r"spelling.csv:3: match: "):
        load_spelling_rules(bad)
    bad.write_text("match,british,american,note\nword,Grey,gray,\n", encoding="utf-8")
    with pytest.raises(SpellingDataError, match=r"spelling.csv:2: british: .*lower-case"):
        load_spelling_rules(bad)
    bad.write_text("match,british,american,note\nword,grey,gray,\nword,grey,gray,again\n", encoding="utf-8")
    with pytest.raises(SpellingDataError, match=r"spelling.csv:3: british: .*repeats line 2"):
        load_spelling_rules(bad)
    bad.write_text("match,british,american,note\nword,color,color,\n", encoding="utf-8")
    with pytest.raises(SpellingDataError, match=r"spelling.csv:2: .*the same"):
        load_spelling_rules(bad)
    with pytest.raises(SpellingDataError, match=r"cannot read"):
        load_spelling_rules(tmp_path / "missing.csv")


def test_matching_and_search_share_one_spelling_table():
    from core.matching.retrieval import american_spelling

    for word in ("leukaemia", "tumours", "randomised", "oesophageal", "manoeuvre", "programme", "haemophilia"):
        assert american_spelling(word) == load_spelling_rules().americanise(word)


@pytest.mark.parametrize(
    ("word", "same"),
    [("raise", "raise"), ("noise", "noise"), ("crises", "crises"), ("programmed", "programmed"),
     ("gastroesophageal", "gastroesophageal"), ("phytoestrogens", "phytoestrogens"), ("aesthetic", "aesthetic")],
)
def test_american_words_are_left_alone(word, same):
    # a rule must not turn an American word into a third spelling its British form never reaches
    assert load_spelling_rules().americanise(word) == same


@pytest.mark.parametrize(
    ("british", "american"),
    [("manoeuvre", "maneuver"), ("amenorrhoea", "amenorrhea"), ("leucaemia", "leukemia"), ("transoesophageal", "transesophageal"),
     ("programme", "program"), ("theatre", "theater"), ("caesarean", "cesarean")],
)
def test_more_british_spellings_become_american(british, american):
    assert normalise_term(british) == normalise_term(american)
