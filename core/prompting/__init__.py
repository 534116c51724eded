"""Prompts as versioned templates: parsed, validated and rendered in a sandbox; the de-identified case block every
prompt carries; the guard that refuses to send personal data; the store of immutable versions and their labels."""
