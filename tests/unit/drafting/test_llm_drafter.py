"""Tests for the LLM drafter with a fake client that records exactly what it was sent."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from core.drafting.context import OptionSummary
from core.drafting.llm_drafter import draft_case_overview_with_llm, draft_trial_summary_with_llm
from core.drafting.offline import draft_case_overview_offline, draft_trial_summary_offline
from core.prompting.guard import PersonalDataInPrompt, guard_messages
from core.prompting.templates import load_prompt_dir
from tests.support.paths import REPO_ROOT
from tests.unit.drafting.fixtures import PERSONAL_DATA, make_car_t_trial, make_case_facts, make_verdicts

PROMPTS = load_prompt_dir(REPO_ROOT / "prompts")


@dataclass
class Reply:
    parsed: Any
    record: Any = None


@dataclass
class FakeClient:
    reply: Any
    calls: list[dict[str, Any]] = field(default_factory=list)

    def complete_structured(
        self, messages, schema, *, prompt_name, prompt_version, forbidden_strings, temperature=None, max_output_tokens=None
    ):
        self.calls.append(
            dict(
                messages=messages,
                schema=schema,
                name=prompt_name,
                version=prompt_version,
                forbidden=forbidden_strings,
            )
        )
        return Reply(schema.model_validate(self.reply.model_dump()))


def test_trial_summary_is_requested_with_schema_prompt_and_forbidden_strings() -> None:
    trial, facts = make_car_t_trial(), make_case_facts()
    canned = draft_trial_summary_offline(trial, facts, make_verdicts(), [])
    canned.registry_id = "NCT99999999"  # a model that echoes the wrong id
    canned.sections[0].title = "Whatever"
    client = FakeClient(canned)
    draft, _ = draft_trial_summary_with_llm(
        client,
        PROMPTS["trial_summary"],
        prompt_version=3,
        trial=trial,
        facts=facts,
        verdicts=make_verdicts(),
        nearest_sites=[(trial.sites[0], 58.3)],
        personal_data=PERSONAL_DATA,
    )
    call = client.calls[0]
    assert call["name"] == "trial_summary" and call["version"] == 3 and call["forbidden"] == PERSONAL_DATA
    assert [m["role"] for m in call["messages"]] == ["system", "user"]
    assert call["schema"].__name__ == "TrialSummaryDraft"
    assert draft.registry_id == trial.registry_id
    assert draft.sections[0].title == "What the study is testing"


def test_case_overview_is_requested_and_returned() -> None:
    facts = make_case_facts()
    options = [OptionSummary(registry_id="NCT04123456", title="CD19 CAR-T", met=2)]
    client = FakeClient(draft_case_overview_offline(options, facts))
    draft, _ = draft_case_overview_with_llm(
        client,
        PROMPTS["case_overview"],
        prompt_version="v1",
        options=options,
        facts=facts,
        personal_data=PERSONAL_DATA,
    )
    assert [s.key for s in draft.sections] == ["overview", "next_steps", "disclaimer"]
    assert "NCT04123456" in client.calls[0]["messages"][1]["content"]


def test_personal_data_in_the_case_text_is_replaced_before_sending() -> None:
    trial = make_car_t_trial()
    facts = make_case_facts().model_copy(
        update={"summary": "MARIA OKAFOR, 9, relapsed; mum maria dot okafor at example dot com, MRN 4829173.",
                "location_label": "area: 4521 Oak Hollow Dr, Reading RG1 5AN"}
    )
    client = FakeClient(draft_trial_summary_offline(trial, facts, [], []))
    draft_trial_summary_with_llm(
        client, PROMPTS["trial_summary"], prompt_version=1, trial=trial, facts=facts, verdicts=[],
        nearest_sites=[], personal_data=PERSONAL_DATA,
    )
    sent = " ".join(m["content"] for m in client.calls[0]["messages"])
    for secret in ("OKAFOR", "Okafor", "okafor", "4829173", "Oak Hollow", "RG1 5AN"):
        assert secret not in sent
    assert "[NAME]" in sent and "[EMAIL]" in sent and "[ID]" in sent and "[ADDRESS]" in sent
    assert "Reading" in sent  # the town may stay


def test_personal_data_outside_the_case_text_is_refused() -> None:
    with pytest.raises(PersonalDataInPrompt, match="name"):
        guard_messages([{"role": "user", "content": "Reply to MARIA OKAFOR."}], PERSONAL_DATA)
    guard_messages([{"role": "user", "content": "A 9-year-old in Reading."}], PERSONAL_DATA)


def test_reviewer_free_text_in_the_prompt_is_de_identified() -> None:
    # A reviewer's explanation of a verdict and their "request changes" comment are as free as the narrative.
    trial, facts = make_car_t_trial(), make_case_facts()
    verdicts = make_verdicts()
    verdicts[3] = verdicts[3].model_copy(update={
        "source": "reviewer", "explanation": "Mother (Maria, 07700 900123) says Dr. Keziah Wolstenholme confirmed it."})
    client = FakeClient(draft_trial_summary_offline(trial, facts, verdicts, []))
    draft_trial_summary_with_llm(
        client, PROMPTS["trial_summary"], prompt_version=1, trial=trial, facts=facts, verdicts=verdicts,
        nearest_sites=[], personal_data=PERSONAL_DATA,
        feedback="Mention that OKAFOR family can be reached on +44 (0)7700 900123 or at 14 Elm Road.",
    )
    sent = " ".join(m["content"] for m in client.calls[0]["messages"])
    assert "reached on" in sent and "Mother" in sent
    for secret in ("OKAFOR", "Maria", "7700", "Elm Road", "Wolstenholme"):
        assert secret not in sent, secret
