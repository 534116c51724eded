"""The trial catalogue: importers, normalisation, criteria parsing, storage and sync."""
