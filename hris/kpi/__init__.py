"""KPI performance management (DESIGN.md §6). `rules` holds the pure scoring-rule engine."""
