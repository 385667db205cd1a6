"""Tests of incidents/triage/."""
