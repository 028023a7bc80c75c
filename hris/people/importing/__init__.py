"""Importing employees and departments from XLSX and CSV files.

reading → columns/values (mapping and parsing) → employees/departments (row validation,
set-based, and the all-or-nothing commit through the services) → jobs (the ImportJob
life cycle the views and Celery tasks drive) → workbooks (templates and error files).
"""
