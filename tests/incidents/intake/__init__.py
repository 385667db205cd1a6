"""Tests of incidents/intake/."""
