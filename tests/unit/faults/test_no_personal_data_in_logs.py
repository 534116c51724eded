"""No contact detail or API key ends up in logs, error messages or the audit log's export."""

from __future__ import annotations

import json
import logging

from core.audit import AuditFilter, export_events_csv, list_events
from core.config import get_settings
from tests.support.fake_openai import FakeOpenAI, server_error
from tests.support.flow import case_with_drafts

SECRETS = ("Zoë", "Ångström", "family@example.org", "7700 900123", "+44 7700")


def test_logs_errors_and_audit_stay_free_of_contact_details_and_keys(team, monkeypatch, caplog):
    from core.prompting.store import seed_prompts

    with FakeOpenAI(api_key="sk-very-secret-key") as server:
        server.respond_with(lambda body: server_error(500))
        for k, v in {"LLM_BASE_URL": server.base_url, "LLM_API_KEY": "sk-very-secret-key", "LLM_MODEL": server.model,
                     "LLM_MAX_RETRIES": "1"}.items():
            monkeypatch.setenv(k, v)
        get_settings.cache_clear()
        seed_prompts()
        with caplog.at_level(logging.DEBUG):
            case_id, _ = case_with_drafts(team.reviewer)
        get_settings.cache_clear()
    logged = caplog.text
    from core.db import session_scope
    from core.models import Draft

    with session_scope() as s:
        errors = " ".join(d.error or "" for d in s.query(Draft).filter(Draft.case_id == case_id))
    assert errors  # the drafts failed, with a reason
    events = json.dumps([e.model_dump(mode="json") for e in list_events(team.admin, AuditFilter(limit=1000))], ensure_ascii=False)
    exported = export_events_csv(team.admin, AuditFilter(limit=1000))
    for text in (logged, errors, events, exported):
        assert "sk-very-secret-key" not in text
        for secret in SECRETS:
            assert secret not in text, secret
