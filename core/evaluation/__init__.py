"""Evaluation-only code: benchmark scorers, pool ranking, criterion-row assessment, synthetic studies (never on the product path)."""
