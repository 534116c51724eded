"""The prompt lab: try a prompt version on a real case, compare two versions or models, judge blind, export."""
