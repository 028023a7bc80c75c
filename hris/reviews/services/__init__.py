"""Writes of the review workflow (adjustments, transitions, publication, appeals, policies)."""
