"""Tests of incidents/identification/."""
