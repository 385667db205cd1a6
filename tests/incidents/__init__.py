"""Tests of incidents/: the core here, each room in its own folder."""
