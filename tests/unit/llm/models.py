"""Small pydantic schemas the LLM tests ask for."""

from __future__ import annotations

from pydantic import BaseModel


class Summary(BaseModel):
    title: str
    phase: int


GOOD = {"title": "A phase 2 trial", "phase": 2}
USER = [
    {"role": "system", "content": "You summarise trials."},
    {"role": "user", "content": "Summarise NCT01."},
]
