"""Rank each patient's judged pool with the product pipeline; loaders and the `rank-pools` command."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

from core.domain.trial import NormalizedTrial
from core.jsonl_rows import read_json_lines
from core.matching.demographics import TrialPopulation, population_of
from core.matching.dense import DenseEncoder, embed_corpus, make_dense_scorer
from core.matching.ranker import RankingSettings, rank_candidates
from core.matching.retrieval import RetrievalIndex, build_index

TITLE_REPEAT = 2  # titles and conditions count twice: they say what the trial is about


def _read_jsonl(path: str | Path) -> Iterator[tuple[int, dict]]:
    for line_no, obj in read_json_lines(path):
        if not isinstance(obj, dict):
            raise ValueError(f"{path}, line {line_no}: expected a JSON object")
        yield line_no, obj


def _required_str(obj: dict, field: str, path: str | Path, line_no: int) -> str:
    value = obj.get(field)
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{path}, line {line_no}, field {field!r}: missing or not a non-empty string")
    return value


def load_jsonl_queries(path: str | Path) -> dict[str, str]:
    """Read `{"_id", "text"}` lines into {query id: case text}."""
    queries: dict[str, str] = {}
    for line_no, obj in _read_jsonl(path):
        qid = _required_str(obj, "_id", path, line_no)
        if qid in queries:
            raise ValueError(f"{path}, line {line_no}, field '_id': duplicate query id {qid!r}")
        queries[qid] = _required_str(obj, "text", path, line_no)
    return queries


def _trial_from_trialgpt(obj: dict) -> NormalizedTrial:
    meta = obj.get("metadata") or {}

    def as_list(value: object) -> list[str]:
        if isinstance(value, list):
            return [str(v) for v in value if v]
        return [str(value)] if value else []

    return NormalizedTrial(
        registry_id=obj["_id"],
        source_format="trialgpt_jsonl",
        brief_title=str(obj.get("title") or meta.get("brief_title") or ""),
        brief_summary=obj.get("text") or None,
        conditions=as_list(meta.get("diseases_list") or meta.get("conditions")),
        keywords=as_list(meta.get("keywords")),
        eligibility_text="\n".join(
            s for s in (meta.get("inclusion_criteria"), meta.get("exclusion_criteria")) if isinstance(s, str)
        ),
    )


def load_corpus(path: str | Path) -> dict[str, NormalizedTrial | str]:
    """Read a corpus JSONL: plain `{"_id","text"}` lines become strings, TrialGPT lines become trials."""
    corpus: dict[str, NormalizedTrial | str] = {}
    for line_no, obj in _read_jsonl(path):
        doc_id = _required_str(obj, "_id", path, line_no)
        if doc_id in corpus:
            raise ValueError(f"{path}, line {line_no}, field '_id': duplicate trial id {doc_id!r}")
        if "title" in obj or "metadata" in obj:
            corpus[doc_id] = _trial_from_trialgpt(obj)
        else:
            text = obj.get("text")
            if not isinstance(text, str):
                raise ValueError(f"{path}, line {line_no}, field 'text': missing or not a string")
            corpus[doc_id] = text
    return corpus


def load_pools(path: str | Path) -> dict[str, list[str]]:
    """Read `{query id: [trial ids]}` JSON."""
    with open(path, encoding="utf-8") as fh:
        try:
            pools = json.load(fh)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path}: invalid JSON at line {exc.lineno} ({exc.msg})") from exc
    if not isinstance(pools, dict):
        raise ValueError(f"{path}: expected an object mapping query ids to lists of trial ids")
    for qid, ids in pools.items():
        if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
            raise ValueError(f"{path}, query {qid!r}: expected a list of trial id strings")
    return pools


def index_text(trial: NormalizedTrial | str) -> str:
    """The text indexed for a trial; title and conditions repeated so they weigh more than prose."""
    if isinstance(trial, str):
        return trial
    heading = "\n".join(p for p in [trial.brief_title, trial.official_title or "", *trial.conditions] if p)
    return "\n".join([heading] * TITLE_REPEAT + [trial.search_text()])


def rank_pools(
    queries: dict[str, str],
    corpus: dict[str, NormalizedTrial | str],
    pools: dict[str, list[str]],
    settings: RankingSettings | None = None,
    index: RetrievalIndex | None = None,
    dense: Callable[[str, list[str]], dict[str, float]] | None = None,
    populations: dict[str, TrialPopulation] | None = None,
) -> dict[str, list[str]]:
    """Rank every query's whole pool best first (deterministic, offline, the product's pipeline)."""
    for qid, ids in pools.items():
        missing = [d for d in ids if d not in corpus]
        if missing:
            raise ValueError(
                f"pools, query {qid!r}: {len(missing)} trial(s) not in the corpus, e.g. {missing[:3]}"
            )
    texts = {doc_id: index_text(trial) for doc_id, trial in corpus.items()}
    if index is None:
        index = build_index((doc_id, texts[doc_id]) for doc_id in sorted(texts))
    if populations is None:  # only pooled trials are ranked, so only theirs are needed
        pooled = {doc_id for ids in pools.values() for doc_id in ids}
        populations = {doc_id: population_of(corpus[doc_id]) for doc_id in sorted(pooled)}
    rankings: dict[str, list[str]] = {}
    for qid in sorted(pools):
        if qid not in queries:
            raise ValueError(f"pools: query {qid!r} has no case text in the queries file")
        pool = list(dict.fromkeys(pools[qid]))
        ranked = rank_candidates(
            index,
            queries[qid],
            candidates=pool,
            populations=populations,
            doc_texts=lambda ids: {d: texts[d] for d in ids},
            settings=settings,
            dense=dense,
        )
        ranked_ids = [r.doc_id for r in ranked]
        # documents the index holds no words for still belong to the pool: they go last, in id order
        rest = sorted(set(pool) - set(ranked_ids))
        rankings[qid] = ranked_ids + rest
    return rankings


def _dense_scorer(
    corpus: dict[str, NormalizedTrial | str], cache_dir: str | None
) -> Callable[[str, list[str]], dict[str, float]]:
    encoder = DenseEncoder()  # raises DenseUnavailable (a RuntimeError) naming the extra to install
    store = embed_corpus(encoder, [(d, index_text(corpus[d])) for d in sorted(corpus)], cache_dir)
    return make_dense_scorer(encoder, store)


def main_rank_pools(argv: list[str] | None = None) -> int:
    """`python -m core rank-pools --queries Q.jsonl --corpus C.jsonl --pools P.json --out R.json`."""
    parser = argparse.ArgumentParser(prog="python -m core rank-pools", description=main_rank_pools.__doc__)
    parser.add_argument("--queries", required=True, help="JSONL of {_id, text} patient cases")
    parser.add_argument(
        "--corpus", required=True, help="JSONL of {_id, text} or TrialGPT {_id, title, text, metadata}"
    )
    parser.add_argument("--pools", required=True, help="JSON {query id: [trial ids]}")
    parser.add_argument("--out", required=True, help="where to write {query id: [trial ids, best first]}")
    parser.add_argument("--dense", action="store_true", help="fuse MiniLM similarity (optional extra, slow on CPU)")
    parser.add_argument("--dense-cache", help="directory to keep document embeddings between runs")
    args = parser.parse_args(argv)
    try:
        queries = load_jsonl_queries(args.queries)
        corpus = load_corpus(args.corpus)
        pools = load_pools(args.pools)
        dense = _dense_scorer(corpus, args.dense_cache) if args.dense else None
        rankings = rank_pools(queries, corpus, pools, dense=dense)
    except (OSError, ValueError, RuntimeError) as exc:
        print(f"rank-pools: {exc}", file=sys.stderr)
        return 2
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(rankings, indent=1), encoding="utf-8")
    print(f"rank-pools: ranked {len(rankings)} pools, {sum(map(len, rankings.values()))} trials -> {out}")
    return 0
