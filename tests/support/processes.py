"""Subprocesses for tests: `python -m core worker` with a clean environment, and stopping what was started."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from tests.support.paths import REPO_ROOT

# What a child process needs from ours; everything else (DATABASE_URL, LLM_*, ...) is given explicitly.
_KEPT = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "PYTHONPATH", "VIRTUAL_ENV")


def clean_env(**values: str) -> dict[str, str]:
    """A minimal environment plus `values`, so no setting leaks in from the test run."""
    env = {k: os.environ[k] for k in _KEPT if k in os.environ}
    env.update(values)
    return env


def start_worker(env: dict[str, str], log_path: Path) -> subprocess.Popen:
    """Start `python -m core worker`, its output going to `log_path`."""
    with log_path.open("ab") as log:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(
            [sys.executable, "-m", "core", "worker"], cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
        )


def stop_process(proc: subprocess.Popen, timeout: float = 10) -> None:
    """Terminate a child (SIGTERM), killing it if it does not stop in time."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout)


def wait_until(predicate: Callable[[], object], what: str, timeout: float = 30.0, every: float = 0.1) -> None:
    """Poll `predicate` until it is true, or fail saying what did not happen."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")
        time.sleep(every)
