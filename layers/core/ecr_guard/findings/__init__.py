"""Findings from every scanner, normalised into one model, and the parsers that produce it."""
