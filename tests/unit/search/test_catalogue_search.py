"""Catalogue text search on the demo trials, on SQLite and PostgreSQL: spellings, word forms, CAR-T variants, ranking."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import delete

from core.catalogue.demo_data import demo_trial_paths
from core.catalogue.explorer import ExplorerFilter, search_catalogue, search_trials
from core.catalogue.importer import import_paths
from core.catalogue.search_index import reindex_catalogue
from core.catalogue.store import ImportReport, store_trials
from core.cli.main import main
from core.db import session_scope
from core.errors import PermissionDenied, ValidationFailed
from core.models import Trial
from tests.support.flow import make_trial

# What a person means, written out by hand from the demo trials' titles and conditions.
ALL_TRIALS = {1, 2, 3, 4, 6, 7, 9, 10, 11, 12, 13, 14, 15, 31, 33}  # acute lymphoblastic leukaemia, T or B
NOT_LEUKAEMIA = {16, 17, 18, 19, 20, 21, 22, 23, 27, 28, 29, 30, 34, 35, 36, 37, 38, 39, 40}
CD7_CAR_T = {1, 9}
CAR_T = {1, 5, 9, 10, 11, 14, 15, 16, 18, 19, 22, 27, 31, 33, 34}  # a CAR T-cell product is studied or offered
NOT_CAR_T = {2, 3, 4, 6, 7, 8, 12, 13, 20, 21, 24, 25, 26, 28, 29, 30, 32, 35, 36, 37, 38, 39, 40}


def demo(n: int) -> str:
    return f"DEMO-{n:04d}"


@pytest.fixture
def catalogue(team):
    report = import_paths(team.admin, demo_trial_paths())
    assert report.new == 40
    return team


def found(actor, text: str) -> list[str]:  # noqa: ANN001
    return [h.registry_id for h in search_catalogue(actor, text, limit=100)]


def test_lymphoblastic_leukaemia_finds_the_all_trials_and_no_others(catalogue):
    hits = found(catalogue.analyst, "lymphoblastic leukaemia")
    assert {demo(n) for n in ALL_TRIALS} <= set(hits)
    assert not {demo(n) for n in NOT_LEUKAEMIA} & set(hits)
    # Ranked: the first hits name the disease in their title or conditions, the weakest mention it in passing.
    assert hits[0] in {demo(n) for n in ALL_TRIALS}


def test_both_spellings_and_word_forms_find_the_same_trials(catalogue):
    american = found(catalogue.analyst, "leukemia")
    assert found(catalogue.analyst, "leukaemia") == american
    assert set(found(catalogue.analyst, "leukaemias")) == set(american)
    assert {demo(n) for n in ALL_TRIALS} <= set(american)
    assert not {demo(n) for n in NOT_LEUKAEMIA} & set(american)
    # "Haemophilia B" in the title, "Hemophilia B" in the conditions: one trial, whichever way it is typed.
    assert found(catalogue.analyst, "hemophilia") == found(catalogue.analyst, "haemophilia") == [demo(29)]
    # the same trials; "b-all" is one term while "B ALL" may also be "pediatric B", so PostgreSQL ranks them apart
    assert set(found(catalogue.analyst, "paediatric b-all")) == set(found(catalogue.analyst, "pediatric B ALL"))


@pytest.mark.parametrize("typed", ["CD7 CAR-T", "CD7 CAR T", "cd7 cart", "CD7 CAR-T cells"])
def test_cd7_car_t_finds_the_two_cd7_trials(catalogue, typed):
    assert set(found(catalogue.analyst, typed)) == {demo(n) for n in CD7_CAR_T}


@pytest.mark.parametrize("typed", ["car t cell", "CAR-T cells", "CART", "CAR T"])
def test_car_t_in_any_form_finds_the_car_t_trials(catalogue, typed):
    hits = set(found(catalogue.analyst, typed))
    assert {demo(n) for n in CAR_T} <= hits
    assert not {demo(n) for n in NOT_CAR_T} & hits


def test_relevance_puts_title_matches_first(catalogue):
    hits = found(catalogue.analyst, "mantle cell lymphoma")
    assert set(hits[:2]) == {demo(19), demo(20)}  # the two trials with it in the title and conditions


def test_search_combines_with_filters_and_counts(catalogue):
    page = search_trials(catalogue.analyst, ExplorerFilter(text="leukaemia", study_type=["EXPANDED_ACCESS"]))
    assert {r.registry_id for r in page.rows} == {demo(9), demo(31), demo(32), demo(33)}
    assert page.total == 4
    assert [r.registry_id for r in search_trials(catalogue.analyst, ExplorerFilter(text="demo-0029")).rows] == [demo(29)]
    assert search_trials(catalogue.analyst, ExplorerFilter(text="the and of")).total == 0


def test_the_index_follows_imports_updates_and_deletes(catalogue):
    assert found(catalogue.analyst, "zolgensmoid") == []
    changed = make_trial("DEMO-0040", brief_title="Zolgensmoid gene transfer", brief_summary="A changed record.",
                         conditions=["Spinal muscular atrophy"], keywords=[], interventions=[])
    with session_scope() as s:
        report = ImportReport()
        store_trials(s, [changed], report)
    assert report.updated == 1
    assert found(catalogue.analyst, "zolgensmoid") == [demo(40)]
    assert demo(40) not in found(catalogue.analyst, "bioavailability")  # the old title's words are gone
    with session_scope() as s:
        s.execute(delete(Trial).where(Trial.registry_id == demo(40)))
    assert found(catalogue.analyst, "zolgensmoid") == []


def test_reindex_rebuilds_the_same_results_and_needs_an_admin(catalogue):
    before = found(catalogue.analyst, "car t cell")
    assert reindex_catalogue(catalogue.admin) == 40
    assert found(catalogue.analyst, "car t cell") == before
    with pytest.raises(PermissionDenied):
        reindex_catalogue(catalogue.analyst)


def test_empty_search_is_refused_by_field(catalogue):
    with pytest.raises(ValidationFailed) as err:
        search_catalogue(catalogue.analyst, "  ")
    assert "text" in err.value.errors


def _cli(*argv: str) -> tuple[int, None]:
    return main(list(argv)), None


def test_cli_search_prints_ranked_json_and_exit_codes(catalogue, capsys):
    code, _ = _cli("catalogue", "search", "CD7 CAR-T", "--json", "--as", "ana")
    out = json.loads(capsys.readouterr().out)
    assert code == 0 and {h["registry_id"] for h in out["hits"]} == {demo(1), demo(9)}
    assert [h["rank"] for h in out["hits"]] == [1, 2] and all(h["title"] for h in out["hits"])
    code, _ = _cli("catalogue", "search", "zzzqqq", "--json", "--as", "ana")
    assert code == 1 and json.loads(capsys.readouterr().out)["hits"] == []
    code, _ = _cli("catalogue", "search", "leukaemia", "--json", "--as", "nobody")
    assert code == 1 and "nobody" in capsys.readouterr().err
    code, _ = _cli("catalogue", "rebuild-search-index", "--json", "--as", "adam")
    assert code == 0 and json.loads(capsys.readouterr().out) == {"indexed": 40}
    code, _ = _cli("catalogue", "rebuild-search-index", "--as", "ana")
    assert code == 1 and "may not" in capsys.readouterr().err



def test_a_broad_search_is_ordered_by_tiers_without_scoring_every_hit(catalogue, monkeypatch):
    from core.catalogue import explorer
    from core.catalogue.explorer import get_trial_detail
    from core.catalogue.search_text import index_terms

    ranked = search_trials(catalogue.analyst, ExplorerFilter(text="leukaemia"), page_size=100)
    assert ranked.ranking == explorer.RANKED and not ranked.total_is_capped
    monkeypatch.setattr(explorer, "RANK_LIMIT", 5)  # as if the word matched more trials than are worth scoring
    pages = [search_trials(catalogue.analyst, ExplorerFilter(text="leukaemia"), page=p, page_size=4) for p in range(1, 8)]
    assert pages[0].total == len(ranked.rows) and "title come first" in pages[0].ranking
    order = [r.registry_id for page in pages for r in page.rows]
    assert len(order) == len(set(order)) and set(order) == {r.registry_id for r in ranked.rows}

    def in_title(registry_id: str) -> bool:
        t = get_trial_detail(catalogue.analyst, registry_id).trial
        return "leukemia" in index_terms(" ".join(filter(None, [t.brief_title, t.official_title, t.acronym])))

    tiers = [in_title(i) for i in order]
    first_other = tiers.index(False)
    assert all(tiers[:first_other]) and not any(tiers[first_other:])  # every title hit before every other hit
    for part in (order[:first_other], order[first_other:]):
        assert part == sorted(part, reverse=True)  # newest first within a tier (demo ids follow import order)
    # Filters still apply to a broad search.
    monkeypatch.setattr(explorer, "RANK_LIMIT", 2)
    filtered = search_trials(catalogue.analyst, ExplorerFilter(text="leukaemia", study_type=["EXPANDED_ACCESS"]), page_size=10)
    assert filtered.ranking.startswith("more than 2 matches")
    assert {r.registry_id for r in filtered.rows} == {demo(9), demo(31), demo(32), demo(33)}


def test_migration_0007_indexes_an_existing_catalogue(catalogue, db):
    from alembic import command

    from core.db import alembic_config, get_engine

    cfg = alembic_config(db)
    with get_engine(db).begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0006")
    with get_engine(db).begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")  # creates the index and fills it from the 40 stored trials
    assert set(found(catalogue.analyst, "CD7 CAR-T")) == {demo(1), demo(9)}


T_ALL_TRIALS = set(range(1, 10))  # the demo trials that write "T-ALL" (their files, grep -l 'T-ALL')
CD19_TRIALS = {10, 11, 12, 14, 15, 16, 18, 19, 22, 31, 33}  # grep -li CD19


@pytest.mark.parametrize(("typed", "expected"), [("CD19", CD19_TRIALS), ("cd19", CD19_TRIALS), ("CD7", CD7_CAR_T)])
def test_a_marker_is_searched_as_a_word_not_looked_up_as_an_id(catalogue, typed, expected):
    hits = set(found(catalogue.analyst, typed))
    assert hits and hits <= {demo(n) for n in expected}, hits
    assert {demo(10), demo(16)} <= hits if typed.lower() == "cd19" else hits == {demo(n) for n in expected}


def test_her2_finds_the_her2_trial(catalogue):
    her2 = make_trial("NCT09999991", brief_title="Trastuzumab deruxtecan for HER2-positive breast cancer",
                      conditions=["HER2-positive Breast Cancer"], keywords=[], interventions=[])
    with session_scope() as s:
        store_trials(s, [her2], ImportReport())
    assert found(catalogue.analyst, "HER2") == ["NCT09999991"]


def test_t_all_is_one_term_not_t_or_all(catalogue):
    hits = set(found(catalogue.analyst, "T-ALL"))
    assert hits and hits <= {demo(n) for n in T_ALL_TRIALS}, hits
    assert not {demo(n) for n in (10, 11, 12, 13, 15, 31)} & hits  # B-ALL trials: "ALL" and a "T" somewhere


def test_a_registry_id_is_looked_up_and_falls_back_to_text_when_absent(catalogue):
    assert [r.registry_id for r in search_trials(catalogue.analyst, ExplorerFilter(text="DEMO-0029")).rows] == [demo(29)]
    assert {r.registry_id for r in search_trials(catalogue.analyst, ExplorerFilter(text="demo-002")).rows} == {
        demo(n) for n in range(20, 30)
    }
    # An id no stored trial has, but one a trial's text names (a follow-up study of an earlier trial).
    follow_up = make_trial("NCT09999992", brief_title="Long-term follow-up of patients treated on NCT01234567",
                           conditions=["Leukemia"], keywords=[], interventions=[])
    with session_scope() as s:
        store_trials(s, [follow_up], ImportReport())
    assert found(catalogue.analyst, "NCT01234567") == ["NCT09999992"]
    assert found(catalogue.analyst, "NCT0999999") == ["NCT09999992"]  # a prefix of a stored id is still an id
