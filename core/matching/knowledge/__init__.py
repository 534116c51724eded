"""Hand-written medical knowledge as data files (YAML), read and validated by core.matching.knowledge.loader."""
