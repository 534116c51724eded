"""Where the repository and the shared benchmark data live, for tests and benchmarks."""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
# CI clones the repo with shared/ beside it; SHARED_DATA_DIR overrides for other layouts.
SHARED_DATA = Path(os.environ.get("SHARED_DATA_DIR", REPO_ROOT.parent / "shared" / "data"))
