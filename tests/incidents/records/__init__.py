"""Tests of incidents/records/."""
