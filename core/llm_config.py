"""LLM settings as the product uses them: environment defaults, overridden by what an admin saved."""

from __future__ import annotations

from typing import Any

from core.audit import record_event
from core.config import get_settings
from core.db import session_scope
from core.models import AppSetting
from core.permissions import Actor, requires

_KEY = "llm"
_CAPS_KEY = "llm_capabilities"


def _env_defaults() -> dict[str, Any]:
    cfg = get_settings()
    return {
        "base_url": cfg.llm_base_url,
        "api_key": cfg.llm_api_key,
        "model": cfg.llm_model,
        "temperature": cfg.llm_temperature,
        "max_output_tokens": cfg.llm_max_output_tokens,
        "timeout_s": cfg.llm_timeout_s,
        "concurrency": cfg.llm_concurrency,
        "max_retries": cfg.llm_max_retries,
        "price_input_per_million": cfg.llm_price_input_per_million,
        "price_output_per_million": cfg.llm_price_output_per_million,
        "azure_endpoint": cfg.azure_openai_endpoint,
        "azure_api_version": cfg.azure_openai_api_version,
        "azure_deployment": cfg.azure_openai_deployment,
    }


def load_llm_settings():  # noqa: ANN201
    """The effective LLMSettings (the API key comes from the environment only, never from the database)."""
    from core.llm import LLMSettings

    values = _env_defaults()
    with session_scope() as s:
        row = s.get(AppSetting, _KEY)
        if row:
            values.update({k: v for k, v in row.value.items() if k != "api_key"})
    return LLMSettings(**values)


@requires("settings.edit")
def save_llm_settings(actor: Actor, changes: dict[str, Any]) -> None:
    """An admin's overrides of the model settings; audited with before and after (never the key)."""
    from core.llm import LLMSettings

    changes = {k: v for k, v in changes.items() if k != "api_key"}
    LLMSettings(**{**_env_defaults(), **changes})  # validate before saving
    with session_scope() as s:
        row = s.get(AppSetting, _KEY)
        before = dict(row.value) if row else {}
        if row is None:
            s.add(AppSetting(key=_KEY, value=changes))
        else:
            row.value = {**row.value, **changes}
        record_event(s, actor, "settings.llm", "setting", _KEY, before=before, after=changes)


def capability_cache():  # noqa: ANN201
    """What each endpoint supports (json_schema or only json_object), remembered in the database."""
    from core.llm import CapabilityCache

    def load() -> list[tuple[str, str, Any]]:
        with session_scope() as s:
            row = s.get(AppSetting, _CAPS_KEY)
            entries = (row.value if row else {}).get("entries", [])
        return [(e["base_url"], e["model"], e["format"]) for e in entries]

    def save(base_url: str, model: str, fmt: Any) -> None:
        with session_scope() as s:
            row = s.get(AppSetting, _CAPS_KEY)
            entries = [e for e in (row.value if row else {}).get("entries", []) if (e["base_url"], e["model"]) != (base_url, model)]
            entries.append({"base_url": base_url, "model": model, "format": fmt})
            if row is None:
                s.add(AppSetting(key=_CAPS_KEY, value={"entries": entries}))
            else:
                row.value = {"entries": entries}

    return CapabilityCache(load=load, save=save)
