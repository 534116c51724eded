"""Language tools shared by matching and drafting: one sentence splitter and one negation/context engine."""
