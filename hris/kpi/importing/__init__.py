"""Importing KPI targets and metric records from XLSX and CSV files.

Each kind offers a check (parse and validate every row; the preview, nothing written), an
error file (the rows plus what to fix) and a commit the view calls once the user confirms:
targets all-or-nothing (hris.kpi.services.targets.targets_bulk_set), metric records the valid
rows only (metrics_file_commit), the rows with errors reported back, never dropped silently.
"""
