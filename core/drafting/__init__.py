"""Drafting plain-language summaries: prompts, drafters (LLM and offline) and automatic checks."""
