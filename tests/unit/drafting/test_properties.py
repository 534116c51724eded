"""Property tests: on arbitrary records the offline drafter invents nothing and the checks never crash."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.domain.case_facts import CaseFacts
from core.domain.trial import Contact, Intervention, NormalizedTrial, ParsedCriterion, Site
from core.domain.verdicts import CriterionVerdict
from core.drafting.checks import CHECK_NAMES, run_checks
from core.drafting.context import grounding_context_for_sites
from core.drafting.offline import draft_trial_summary_offline
from core.drafting.schema import section_texts
from core.nlp.sentences import split_sentences

WORD = st.text(
    alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-/.%", min_size=1, max_size=12
)
PHRASE = st.lists(WORD, min_size=1, max_size=14).map(" ".join)
AGE = st.none() | st.floats(min_value=0, max_value=99).map(lambda x: round(x, 2))
LABELS = st.sampled_from(["included", "not included", "not enough information", "excluded", "not excluded"])


@st.composite
def trials(
    draw: st.DrawFn,
) -> tuple[NormalizedTrial, list[CriterionVerdict], list[tuple[Site, float | None]]]:
    texts = draw(st.lists(PHRASE, min_size=0, max_size=5))
    kinds = draw(
        st.lists(st.sampled_from(["inclusion", "exclusion"]), min_size=len(texts), max_size=len(texts))
    )
    criteria = [
        ParsedCriterion(kind=k, position=i, text=t) for i, (k, t) in enumerate(zip(kinds, texts, strict=True))
    ]
    sites = [
        Site(
            facility=draw(PHRASE),
            city=draw(PHRASE),
            country=draw(PHRASE),
            status=draw(st.sampled_from(["RECRUITING", None])),
        )
        for _ in range(draw(st.integers(0, 2)))
    ]
    trial = NormalizedTrial(
        registry_id=draw(st.sampled_from(["NCT04123456", "DEMO-0001"])),
        source_format="plain_jsonl",
        brief_title=draw(PHRASE),
        brief_summary=draw(st.none() | PHRASE),
        detailed_description=draw(st.none() | PHRASE.map(lambda p: p + ". Clinic visits every 2 weeks.")),
        overall_status=draw(st.sampled_from(["RECRUITING", "COMPLETED", "AVAILABLE", "UNKNOWN"])),
        study_type=draw(st.sampled_from(["INTERVENTIONAL", "EXPANDED_ACCESS"])),
        phases=draw(
            st.lists(st.sampled_from(["EARLY_PHASE1", "PHASE1", "PHASE2", "PHASE3", "NA"]), max_size=2)
        ),
        expanded_access_types=draw(
            st.lists(st.sampled_from(["INDIVIDUAL", "TREATMENT"]), max_size=2, unique=True)
        ),
        conditions=draw(st.lists(PHRASE, max_size=3)),
        interventions=[
            Intervention(
                name=draw(PHRASE), type=draw(st.sampled_from([None, "DRUG", "BIOLOGICAL", "GENETIC"]))
            )
            for _ in range(draw(st.integers(0, 3)))
        ],
        sponsor=draw(st.none() | PHRASE),
        enrollment=draw(st.none() | st.integers(1, 5000)),
        allocation=draw(st.sampled_from([None, "RANDOMIZED", "NA"])),
        masking=draw(st.sampled_from([None, "NONE", "DOUBLE"])),
        minimum_age_years=draw(AGE),
        maximum_age_years=draw(AGE),
        criteria=criteria,
        sites=sites,
        central_contacts=[Contact(name=draw(PHRASE), phone=draw(st.none() | st.just("+1 617 555 0101")))]
        if draw(st.booleans())
        else [],
    )
    verdicts = [
        CriterionVerdict(kind=c.kind, position=c.position, criterion_text=c.text, verdict=draw(LABELS))
        for c in criteria
    ]
    distances = [draw(st.none() | st.floats(min_value=0, max_value=20000)) for _ in sites]
    return trial, verdicts, list(zip(sites, distances, strict=True))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=trials(), age=AGE)
def test_offline_drafts_of_arbitrary_records_pass_the_fact_checks(case, age) -> None:
    trial, verdicts, nearest = case
    facts = CaseFacts(age_years=age, diagnosis="relapsed leukaemia")
    draft = draft_trial_summary_offline(trial, facts, verdicts, nearest)
    results = {
        r.name: r
        for r in run_checks(
            section_texts(draft),
            kind="trial",
            trial=trial,
            facts=facts,
            personal_data=["Qqzzyxw Vvkkjjh", "qqzzyxw@example.invalid"],
            context_texts=grounding_context_for_sites([d for _, d in nearest]),
        )
    }
    assert list(results) == list(CHECK_NAMES)
    for name in ("required_sections", "grounding", "no_promises", "no_personal_data"):
        assert results[name].passed, results[name].message


@settings(max_examples=50, deadline=None)
@given(text=st.text(max_size=300))
def test_checks_and_sentence_splitting_never_crash_on_any_text(text: str) -> None:
    results = run_checks(
        {"overview": text, "next_steps": text, "disclaimer": text},
        kind="case",
        trial=None,
        facts=CaseFacts(),
        personal_data=[text[:20]],
    )
    assert len(results) == len(CHECK_NAMES)
    assert all(s.strip() for s in split_sentences(text))
