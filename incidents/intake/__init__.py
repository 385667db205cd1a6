"""Intake: the HTTP API that opens incidents (signed webhook), its settings and mounts."""
