"""The report: its numbers (`variables`), tables, and rendering (`render`)."""
