"""Writes to KPI data; one module per concern (library, cycles, metrics, targets, computation)."""
