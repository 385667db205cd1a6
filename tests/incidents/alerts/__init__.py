"""Tests of incidents/alerts/."""
