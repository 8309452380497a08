"""The Office of the Historian's China records: parsing, name matching, import and report.

The data is shipped in engagements/fixtures/hsg/ (see its README.md for the format, licence,
provenance and known errors). `manage.py import_hsg` imports it; `manage.py hsg_report` and the
admin page /admin/hsg-report/ report on it.
"""
