"""The workflow: the only writer of case and draft statuses. Each step is one function (permission, preconditions,
write, audit, follow-up job); the allowed steps are one table (transitions.py)."""
