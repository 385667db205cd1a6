"""Tests of flows/: whole runs on the session's Prefect server, crashes and resumes."""
