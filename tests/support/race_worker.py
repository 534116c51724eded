"""A separate process for race tests: acts as one reviewer on a list of drafts, each step at an agreed wall-clock time.

`python -m tests.support.race_worker STEP USERNAME DRAFT_ID...` prints "ready" once everything is imported and
what the reviewer read is loaded, then reads the start time (epoch seconds) from stdin, and acts on draft i at
start + i seconds, printing one JSON line per draft: {"draft", "ok", "error" (class name or null), "message"}.
Two such processes given the same start time act on each draft within a millisecond of each other.
"""

from __future__ import annotations

import json
import sys
import time

from core.auth import actor_by_username
from core.domain.overrides import CheckOverride
from core.errors import WorkbenchError
from core.workflow.review import approve_draft, save_draft, start_review
from core.workflow.review_views import get_draft_detail

ROUND_SECONDS = 1.0
# Applies only where a blocking check fails; the race is about claims and versions, not about the checks.
OVERRIDE = CheckOverride(category="verified_in_source", reason="Race test: the text was checked against the record.")


def _save(actor, draft_id: int) -> None:  # noqa: ANN001
    current = get_draft_detail(actor, draft_id).current
    edited = {**current.sections, next(iter(current.sections)): "A reviewer's edit saved in a race."}
    save_draft(actor, draft_id, edited, base_version_id=current.id)


def _approve_read(actor, draft_id: int, version: int) -> None:  # noqa: ANN001
    approve_draft(actor, draft_id, version=version, override=OVERRIDE)


def _claim_and_approve(actor, draft_id: int, version: int) -> None:  # noqa: ANN001
    start_review(actor, draft_id)
    approve_draft(actor, draft_id, version=version, override=OVERRIDE)


def main(argv: list[str]) -> int:
    step, username, *drafts = argv
    actor = actor_by_username(username)
    versions = {int(d): get_draft_detail(actor, int(d)).current.number for d in drafts}  # what the reviewer read
    print("ready", flush=True)
    start_at = sys.stdin.readline()
    for i, d in enumerate(map(int, drafts)):
        time.sleep(max(0.0, float(start_at) + i * ROUND_SECONDS - time.time()))
        try:
            if step == "save":
                _save(actor, d)
            elif step == "approve":
                _approve_read(actor, d, versions[d])
            else:
                _claim_and_approve(actor, d, versions[d])
            outcome = {"draft": d, "ok": True, "error": None, "message": ""}
        except WorkbenchError as exc:
            outcome = {"draft": d, "ok": False, "error": type(exc).__name__, "message": str(exc)}
        except Exception as exc:  # a raw database error is exactly what the race test must never see
            outcome = {"draft": d, "ok": False, "error": type(exc).__name__, "message": str(exc)[:300]}
        print(json.dumps(outcome), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
