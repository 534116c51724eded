"""N simulated reviewers working the queue at once through the core services (claim, edit, save, approve).

Usage: python bench/bench_review_load.py [--reviewers 30] [--seconds 60] [--postgres URL] [--drafts 400]
Each reviewer is a thread: claim_next_draft, read it, save an edit, approve (with an override reason when a
blocking check fails). Prints p50/p95/max per action, throughput and errors, and checks at the end that no draft
was approved twice, every claim went to one reviewer, and every approved text is the last one saved.
"""

from __future__ import annotations

import argparse
import collections
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reviewers", type=int, default=30)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--drafts", type=int, default=400)
    parser.add_argument("--postgres")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-load-"))
    schema = None
    if args.postgres:
        schema = f"load_{uuid.uuid4().hex[:8]}"
        base = args.postgres.replace("postgresql://", "postgresql+psycopg://")
        with sa.create_engine(base).begin() as conn:
            conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
        os.environ["DATABASE_URL"] = f"{base}?options=-csearch_path%3D{schema}"
    else:
        os.environ["DATABASE_URL"] = f"sqlite:///{folder / 'load.sqlite'}"
    os.environ["DATA_DIR"] = str(folder / "data")
    os.environ["DEMO_MODE"] = "false"
    try:
        return run(args)
    finally:
        # The benchmark leaves nothing behind: its PostgreSQL schema and its files go.
        from core.db import dispose_engines

        dispose_engines()
        if schema:
            with sa.create_engine(base).begin() as conn:
                conn.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
        shutil.rmtree(folder, ignore_errors=True)


def run(args: argparse.Namespace) -> int:

    from sqlalchemy import func, select

    from core.auth import actor_for, create_user
    from core.db import session_scope, upgrade_database
    from core.domain.overrides import CheckOverride
    from core.jobs.dispatch import Runner, set_entry_runner
    from core.models import AuditEvent, Draft, DraftVersion, User
    from core.permissions import SYSTEM
    from core.workflow.job_handlers import register_job_handlers
    from core.workflow.review import approve_draft, claim_next_draft, save_draft
    from core.workflow.review_views import get_draft_detail

    upgrade_database()
    register_job_handlers()
    set_entry_runner(Runner.INLINE)
    override = CheckOverride(category="verified_in_source", reason="Load test: the text was checked against the record.")
    # Seed: one case with a catalogue, drafted offline, then copied into many ready drafts (fast and realistic).
    from tests.support.flow import case_with_drafts

    seed_reviewer = None
    actors = []
    for i in range(args.reviewers):
        uid = create_user(SYSTEM, f"rev{i:02d}", f"Reviewer {i}", ["reviewer"], "load-test-pass-1", enforce_policy=False)
        with session_scope() as s:
            actors.append(actor_for(s.get(User, uid)))
    seed_reviewer = actors[0]
    case_id, drafts = case_with_drafts(seed_reviewer)
    with session_scope() as s:
        template = s.get(Draft, drafts[0])
        version = s.get(DraftVersion, template.current_version_id)
        for _ in range(args.drafts - len(drafts)):
            d = Draft(case_id=case_id, trial_id=template.trial_id, kind="trial", status="ready", ready_at=template.ready_at,
                      drafter="offline", model=template.model)
            s.add(d)
            s.flush()
            v = DraftVersion(draft_id=d.id, number=1, sections=version.sections, sources=version.sources, author="offline drafter",
                             author_kind="model", checks=version.checks)
            s.add(v)
            s.flush()
            d.current_version_id = v.id
    print(f"backend {'postgres' if args.postgres else 'sqlite'}: {args.reviewers} reviewers, {args.drafts} drafts, {args.seconds:.0f} s")

    timings: dict[str, list[float]] = collections.defaultdict(list)
    errors: collections.Counter[str] = collections.Counter()
    saved_text: dict[int, str] = {}
    lock = threading.Lock()
    stop = time.time() + args.seconds

    def timed(name: str, fn, *fn_args, **fn_kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        t0 = time.perf_counter()
        try:
            return fn(*fn_args, **fn_kwargs)
        finally:
            with lock:
                timings[name].append((time.perf_counter() - t0) * 1000)

    def work(actor) -> None:  # noqa: ANN001
        while time.time() < stop:
            try:
                draft_id = timed("claim_next", claim_next_draft, actor)
                if draft_id is None:
                    return
                detail = timed("read", get_draft_detail, actor, draft_id)
                text = f"Checked by {actor.username} at {time.time():.6f}."
                sections = {**detail.current.sections, "what_is_tested": text}
                version = timed("save", save_draft, actor, draft_id, sections, base_version_id=detail.current.id)
                blocking = [c for c in version.checks if c["blocking"] and not c["passed"]]
                timed("approve", approve_draft, actor, draft_id, version=version.number, override=override if blocking else None)
                with lock:
                    saved_text[draft_id] = text
            except Exception as exc:  # counted and reported: the benchmark is about finding these
                with lock:
                    errors[f"{type(exc).__name__}: {str(exc)[:80]}"] += 1

    threads = [threading.Thread(target=work, args=(a,)) for a in actors]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started

    print(f"{'action':<12} {'count':>6} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    for name, values in timings.items():
        values.sort()
        p95 = values[min(len(values) - 1, int(0.95 * len(values)))]
        print(f"{name:<12} {len(values):>6} {statistics.median(values):>8.1f} {p95:>8.1f} {values[-1]:>8.1f}")
    approved = len(saved_text)
    print(f"approved {approved} drafts in {elapsed:.1f} s ({approved / elapsed:.1f}/s); errors: {dict(errors) or 'none'}")

    with session_scope() as s:
        approvals = collections.Counter(
            e.entity_id for e in s.scalars(select(AuditEvent).where(AuditEvent.action == "draft.approve"))
        )
        claims = collections.Counter(e.entity_id for e in s.scalars(select(AuditEvent).where(AuditEvent.action == "draft.claim")))
        doubled = [d for d, n in approvals.items() if n > 1]
        lost = []
        for draft_id, text in saved_text.items():
            d = s.get(Draft, draft_id)
            current = s.get(DraftVersion, d.current_version_id)
            if current.sections.get("what_is_tested") != text or d.status != "approved":
                lost.append(draft_id)
        multi_claims = [d for d, n in claims.items() if n > 1]
        versions = s.scalar(select(func.count(DraftVersion.id)))
    print(f"checks: approved twice {len(doubled)}, lost updates {len(lost)}, drafts claimed more than once {len(multi_claims)}, versions {versions}")
    return 1 if doubled or lost else 0


if __name__ == "__main__":
    sys.exit(main())
