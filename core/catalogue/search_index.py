"""The catalogue's full-text index: SQLite FTS5 or PostgreSQL tsvector rows written with each stored trial, and ranked lookups."""

# Decisions:
# - Both databases index the words core/catalogue/search_text.py produces (spelling folded, stemmed, pairs
#   joined); their own tokenisers only split on spaces ('simple' / unicode61), so results are the same.
# - Three weighted fields: titles (and registry id), what the trial is about (conditions, keywords,
#   MeSH terms, interventions) and the brief summary. Eligibility text is left out: "no prior leukaemia"
#   in an exclusion criterion does not make a trial about leukaemia.
# - Rows are written in the importer's transaction by store_trials, so the index never lags the catalogue;
#   deleting a trial deletes its row (foreign key on PostgreSQL, a trigger on SQLite).

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Connection, bindparam, column, func, literal_column, select, table, text
from sqlalchemy.sql import Select, Subquery

from core.audit import record_event
from core.catalogue.search_text import SearchQuery, index_document
from core.db import session_scope
from core.domain.trial import NormalizedTrial
from core.permissions import Actor, requires

SEARCH_TABLE = "trial_search"
# Relative weight of a hit in the title, the about-fields and the summary (FTS5 bm25 column weights;
# PostgreSQL's ts_rank uses its default A/B/C weights of 1.0/0.4/0.2 for the same three fields).
FIELD_WEIGHTS = (10.0, 4.0, 1.0)
SUMMARY_CHARS = 4000  # a summary past this adds index size, not findability


def search_fields(record: NormalizedTrial | dict[str, Any]) -> tuple[str, str, str]:
    """The three indexed fields of one trial, as normalised words."""
    if isinstance(record, NormalizedTrial):
        r: dict[str, Any] = {k: getattr(record, k) for k in _FIELDS if k != "interventions"}
        interventions = [(iv.name, iv.other_names) for iv in record.interventions]
    else:
        r = record
        interventions = [(iv.get("name"), iv.get("other_names") or []) for iv in r.get("interventions") or []]
    about: list[str | None] = [*(r.get("conditions") or []), *(r.get("keywords") or []), *(r.get("mesh_terms") or [])]
    for name, other_names in interventions:
        about.append(name)
        about += other_names
    return (
        index_document([r.get("registry_id"), r.get("brief_title"), r.get("official_title"), r.get("acronym")]),
        index_document(about),
        index_document([(r.get("brief_summary") or "")[:SUMMARY_CHARS]]),
    )


_FIELDS = ("registry_id", "brief_title", "official_title", "acronym", "conditions", "keywords", "mesh_terms",
           "interventions", "brief_summary")


def write_search_rows(conn: Connection, rows: Sequence[tuple[int, NormalizedTrial | dict[str, Any]]],
                      *, replace: bool = True) -> None:
    """Index these trials (by trial id) in the caller's transaction, replacing any rows they had."""
    if not rows:
        return
    ids = [tid for tid, _ in rows]
    values = [(tid, *search_fields(record)) for tid, record in rows]
    if conn.dialect.name == "sqlite":
        if replace:
            _delete_in_chunks(conn, "DELETE FROM trial_search WHERE rowid IN ({})", ids)
        conn.exec_driver_sql("INSERT INTO trial_search(rowid, title, about, summary) VALUES (?, ?, ?, ?)", values)
        return
    if replace:
        _delete_in_chunks(conn, "DELETE FROM trial_search WHERE trial_id IN ({})", ids)
    conn.exec_driver_sql(
        "INSERT INTO trial_search(trial_id, document) VALUES (%s, "
        "setweight(to_tsvector('simple', %s), 'A') || setweight(to_tsvector('simple', %s), 'B') "
        "|| setweight(to_tsvector('simple', %s), 'C'))",
        values,
    )


def _delete_in_chunks(conn: Connection, sql: str, ids: list[int], size: int = 500) -> None:
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    for i in range(0, len(ids), size):
        chunk = ids[i : i + size]
        conn.exec_driver_sql(sql.format(", ".join([mark] * len(chunk))), tuple(chunk))


def rebuild_search_index(conn: Connection, *, batch: int = 2000,
                         on_progress: Any = None) -> int:
    """Index every trial from its stored record (after the migration, or to repair); returns how many."""
    conn.exec_driver_sql("DELETE FROM trial_search")
    done = 0
    last = 0
    trials = table("trials", column("id"), column("record"))
    while True:
        chunk = conn.execute(
            select(trials.c.id, trials.c.record).where(trials.c.id > last).order_by(trials.c.id).limit(batch)
        ).all()
        if not chunk:
            return done
        write_search_rows(conn, [(tid, _as_dict(record)) for tid, record in chunk], replace=False)
        done += len(chunk)
        last = chunk[-1][0]
        if on_progress:
            on_progress(done)


@requires("catalogue.import")
def reindex_catalogue(actor: Actor) -> int:
    """Rebuild the full-text index from the stored trials in one transaction (after a restore or a repair)."""
    with session_scope() as s:
        count = rebuild_search_index(s.connection())
        record_event(s, actor, "catalogue.reindex", "catalogue", "search", after={"indexed": count})
        return count


def _as_dict(record: Any) -> dict[str, Any]:
    if isinstance(record, str):  # a JSON column read through a plain table() comes back as text on SQLite
        return json.loads(record)
    return dict(record or {})


def ranked_matches(dialect: str, query: SearchQuery, *, scored: bool = True) -> Subquery:
    """A subquery of (trial_id, score) for every trial the query finds; a higher score is more relevant.

    Without `scored` only trial_id: scoring costs microseconds per hit, which counting and filtering do not need.
    """
    if dialect == "sqlite":
        fts = table(SEARCH_TABLE, column("rowid"), column("rank"))
        # FTS5's rank is bm25 with the configured weights, negative: more relevant is smaller.
        columns = [fts.c.rowid.label("trial_id")] + ([(-fts.c.rank).label("score")] if scored else [])
        return (
            select(*columns)
            .where(literal_column(SEARCH_TABLE).op("MATCH")(bindparam("fts_query", query.to_fts5())))
            .subquery("search_hits")
        )
    ts = table(SEARCH_TABLE, column("trial_id"), column("document"))
    tsq = func.to_tsquery(literal_column("'simple'"), bindparam("ts_query", query.to_tsquery()))
    # Normalisation 1 divides by the log of the document's length, as BM25 does; plain ts_rank ties thousands of hits.
    score = func.ts_rank(ts.c.document, tsq, literal_column("1"))
    columns = [ts.c.trial_id] + ([score.label("score")] if scored else [])
    return select(*columns).where(ts.c.document.op("@@")(tsq)).subquery("search_hits")


def rank_found(query: SearchQuery, trial_ids: Sequence[int]) -> Select:
    """(PostgreSQL) The given trials, which the query already found, most relevant first.

    Scoring rows fetched by primary key skips a second pass over every text hit, which at 550,000 trials
    costs as much as finding them (bench/bench_explorer.py).
    """
    ts = table(SEARCH_TABLE, column("trial_id"), column("document"))
    tsq = func.to_tsquery(literal_column("'simple'"), bindparam("ts_query", query.to_tsquery()))
    score = func.ts_rank(ts.c.document, tsq, literal_column("1"))
    return (select(ts.c.trial_id).where(ts.c.trial_id.in_(list(trial_ids)))
            .order_by(score.desc(), ts.c.trial_id))


def tier_matches(dialect: str, query: SearchQuery, *, in_title: bool) -> Subquery:
    """The trials the query finds with all its words in the title (in_title) or only elsewhere, without scores.

    Scoring costs a few microseconds per hit, too much for a word that matches 80,000 trials, so broad
    searches are ordered by these tiers instead (see core/catalogue/explorer.py).
    """
    if dialect == "sqlite":
        fts = table(SEARCH_TABLE, column("rowid"))
        expr = f"{{title}} : ({query.to_fts5()})"
        if not in_title:
            expr = f"({query.to_fts5()}) NOT {expr}"
        return (
            select(fts.c.rowid.label("trial_id"))
            .where(literal_column(SEARCH_TABLE).op("MATCH")(bindparam("tier_query", expr)))
            .subquery("tier_hits")
        )
    ts = table(SEARCH_TABLE, column("trial_id"), column("document"))
    everywhere = func.to_tsquery(literal_column("'simple'"), bindparam("tier_all", query.to_tsquery()))
    title_only = func.to_tsquery(literal_column("'simple'"), bindparam("tier_title", query.to_tsquery(weights="A")))
    condition = ts.c.document.op("@@")(title_only)
    if not in_title:
        condition = ts.c.document.op("@@")(everywhere) & ~condition
    return select(ts.c.trial_id).where(condition).subquery("tier_hits")


def create_search_index(conn: Connection) -> None:
    """Create the index table (and, on SQLite, the trigger that drops a deleted trial's row)."""
    for statement in _DDL[conn.dialect.name if conn.dialect.name == "sqlite" else "postgresql"]:
        conn.execute(text(statement))


def drop_search_index(conn: Connection) -> None:
    if conn.dialect.name == "sqlite":
        conn.execute(text("DROP TRIGGER IF EXISTS trials_search_delete"))
    conn.execute(text("DROP TABLE IF EXISTS trial_search"))


_DDL: dict[str, Iterable[str]] = {
    "sqlite": (
        # detail=column: no word positions (no phrase queries are made), about half the index size.
        "CREATE VIRTUAL TABLE trial_search USING fts5(title, about, summary, "
        "tokenize = 'unicode61 remove_diacritics 0', detail = column)",
        "INSERT INTO trial_search(trial_search, rank) VALUES ('rank', 'bm25({}, {}, {})')".format(*FIELD_WEIGHTS),
        "CREATE TRIGGER trials_search_delete AFTER DELETE ON trials BEGIN "
        "DELETE FROM trial_search WHERE rowid = old.id; END",
    ),
    "postgresql": (
        "CREATE TABLE trial_search (trial_id INTEGER PRIMARY KEY REFERENCES trials(id) ON DELETE CASCADE, "
        "document TSVECTOR NOT NULL)",
        "CREATE INDEX ix_trial_search_document ON trial_search USING GIN (document)",
    ),
}
