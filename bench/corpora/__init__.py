"""Generators of the written corpora under tests/data/ (evaluation only; never imported by the product)."""
