"""Shared domain types: case facts, criterion verdicts, the normalised trial, workflow statuses (depends on nothing of ours)."""
