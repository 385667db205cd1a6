"""Tests of incidents/notices/ and the notice templates."""
