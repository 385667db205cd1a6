"""Tests of incidents/delivery/."""
