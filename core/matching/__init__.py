"""Matching a case against the catalogue: filters, retrieval, criterion assessment, ranking."""
