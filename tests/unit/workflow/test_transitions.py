"""The transition table: every step is allowed exactly from its source statuses, by exactly the roles it names."""

from __future__ import annotations

import pytest

from core.domain.statuses import CaseStatus, DraftStatus
from core.errors import InvalidTransition, PermissionDenied
from core.permissions import PERMISSIONS, ROLES, Actor
from core.workflow.transitions import CASE_TRANSITIONS, DRAFT_TRANSITIONS, TRANSITIONS, check_transition

STATUSES = {"draft": [s.value for s in DraftStatus], "case": [s.value for s in CaseStatus]}
SYSTEM_STEP = None


def _user(role: str) -> Actor:
    return Actor(username=f"test-{role}", roles=frozenset({role}), user_id=1)


def _someone_allowed(step) -> Actor | None:  # noqa: ANN001
    if step.permission is None:
        return SYSTEM_STEP
    return _user(sorted(PERMISSIONS[step.permission])[0])


@pytest.mark.parametrize(("entity", "name"), sorted(TRANSITIONS))
def test_each_step_is_allowed_from_its_sources_and_refused_from_every_other_status(entity, name):
    step = TRANSITIONS[(entity, name)]
    who = _someone_allowed(step)
    for status in STATUSES[entity]:
        if status in step.sources:
            assert check_transition(who, entity, name, 7, status).target == step.target
        else:
            with pytest.raises(InvalidTransition) as refused:
                check_transition(who, entity, name, 7, status)
            # A plain sentence: what the thing is now, and that this step cannot be taken.
            assert f"{entity.capitalize()} 7 is {status.replace('_', ' ')}; it cannot be" in str(refused.value)


@pytest.mark.parametrize(("entity", "name"), sorted(k for k, t in TRANSITIONS.items() if t.permission))
def test_each_user_step_is_refused_to_roles_without_its_permission(entity, name):
    step = TRANSITIONS[(entity, name)]
    source = sorted(step.sources)[0]
    for role in ROLES:
        if role in PERMISSIONS[step.permission]:
            check_transition(_user(role), entity, name, 7, source)
        else:
            with pytest.raises(PermissionDenied):
                check_transition(_user(role), entity, name, 7, source)
    with pytest.raises(InvalidTransition, match="needs a user"):  # the system does not take a user's step
        check_transition(None, entity, name, 7, source)


def test_the_table_covers_the_designed_workflow():
    # queued -> drafting -> ready -> in_review -> approved -> released, with failed, changes_requested, rejected.
    path = [("begin_drafting", "queued", "drafting"), ("finish_drafting", "drafting", "ready"),
            ("start_review", "ready", "in_review"), ("approve", "in_review", "approved"), ("release", "approved", "released")]
    for name, source, target in path:
        assert source in DRAFT_TRANSITIONS[name].sources and DRAFT_TRANSITIONS[name].target == target
    assert DRAFT_TRANSITIONS["request_changes"].target == "changes_requested"
    assert "changes_requested" in DRAFT_TRANSITIONS["begin_drafting"].sources  # sent back: drafted again at once
    assert DRAFT_TRANSITIONS["fail_drafting"].target == "failed" and DRAFT_TRANSITIONS["retry"].sources == {"failed"}
    # Nothing leaves "rejected" and nothing but a release leaves "approved".
    assert not [t for t in DRAFT_TRANSITIONS.values() if "rejected" in t.sources]
    assert [t.name for t in DRAFT_TRANSITIONS.values() if "approved" in t.sources] == ["release"]
    assert CASE_TRANSITIONS["release"].target == "released"
    # Every status is reachable, and every step's audit action is named.
    reachable = {t.target for t in DRAFT_TRANSITIONS.values()} | {"queued"}
    assert reachable == set(STATUSES["draft"])
    assert all(t.audit.startswith(("draft.", "case.")) for t in TRANSITIONS.values())
