"""Screening of Open House applications: queue, verdicts, completion requests, four-eyes decisions, letters."""
