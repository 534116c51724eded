"""The `sync` command line against the fake registry."""

from __future__ import annotations

import io
import json

import pytest

from core.catalogue.sync_cli import main_sync
from core.catalogue.sync_query import SyncQuery
from tests.support.fake_registry import free_port, study_id
from tests.unit.sync.conftest import STUDY_COUNT


@pytest.fixture(autouse=True)
def no_proxy(monkeypatch):
    # The CLI honours proxy settings on purpose; a proxy in the test environment must not catch 127.0.0.1.
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")


def run(argv: list[str], **kwargs) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main_sync(argv, out=out, err=err, **kwargs)
    return code, out.getvalue(), err.getvalue()


def test_sync_prints_progress_per_page_hands_pages_over_and_saves_state(registry, tmp_path):
    state_file = tmp_path / "state.json"
    received: list[str] = []
    argv = [
        "sync",
        "--cond",
        "T-cell leukemia",
        "--status",
        "RECRUITING",
        "--since",
        "2026-01-01",
        "--page-size",
        "20",
        "--state",
        str(state_file),
        "--base-url",
        registry.base_url,
    ]

    code, out, err = run(argv, on_page=lambda studies, state: received.extend(map(study_id, studies)))

    assert (code, err) == (0, "")
    assert out.splitlines() == [
        "page 1: 20 of 45 studies so far",
        "page 2: 40 of 45 studies so far",
        "page 3: 45 of 45 studies so far",
        "Finished: 3 pages, 45 studies this run, updated since 2026-01-01.",
    ]
    assert received == [study_id(study) for study in registry.studies]
    params = registry.requests[0].params
    assert params["query.cond"] == "T-cell leukemia"
    assert params["filter.overallStatus"] == "RECRUITING"
    assert params["filter.advanced"] == "AREA[LastUpdatePostDate]RANGE[2026-01-01,MAX]"
    assert params["pageSize"] == "20"
    key = SyncQuery(condition="T-cell leukemia", statuses=("RECRUITING",)).fingerprint()
    assert json.loads(state_file.read_text())[key]["studies_seen"] == STUDY_COUNT


def test_without_an_importer_the_run_is_dry_and_leaves_the_state_file_alone(registry, tmp_path):
    state_file = tmp_path / "state.json"

    code, out, _ = run(
        [
            "--cond",
            "lymphoma",
            "--page-size",
            "50",
            "--state",
            str(state_file),
            "--base-url",
            registry.base_url,
        ]
    )

    assert code == 0
    assert out.startswith("Dry run:")
    assert "Finished: 1 pages, 45 studies this run." in out
    assert not state_file.exists()


def test_an_unreachable_registry_gives_a_plain_message_and_exit_code_1(tmp_path):
    base_url = f"http://127.0.0.1:{free_port()}/api/v2"

    code, out, err = run(
        ["--cond", "x", "--state", str(tmp_path / "s.json"), "--base-url", base_url, "--max-attempts", "1"],
        on_page=lambda studies, state: None,
    )

    assert code == 1
    assert err.splitlines() == [
        f"Sync stopped: Cannot reach clinicaltrials.gov ({base_url}): connection refused. "
        "Check the network or the proxy settings.",
        "Progress is saved after every page; run the same command again to resume.",
    ]
    assert "Traceback" not in out + err


@pytest.mark.parametrize(
    ("extra", "phrase"),
    [
        (["--page-size", "5000"], "page_size: Input should be less than or equal to 1000"),
        (["--status", "OPEN"], "statuses.0"),
        (["--near", "52.3,4.9"], "--near needs LAT,LON,KM"),
    ],
)
def test_bad_input_is_refused_before_any_request(registry, tmp_path, extra, phrase):
    code, _, err = run(["--state", str(tmp_path / "s.json"), "--base-url", registry.base_url, *extra])

    assert code == 2
    assert err.startswith("Invalid sync query:")
    assert phrase in err
    assert registry.requests == []


def test_missing_state_option_is_a_usage_error(capsys):
    assert main_sync(["--cond", "x"]) == 2
    assert "--state" in capsys.readouterr().err
