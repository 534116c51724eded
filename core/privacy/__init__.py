"""Privacy: find and replace identifiers in text before it leaves the machine or reaches a family (pure text, no DB)."""
