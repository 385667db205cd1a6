"""Tests of incidents/assessment/."""
