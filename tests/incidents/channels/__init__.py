"""Tests of incidents/channels/: each adapter with the real client against the sandbox."""
