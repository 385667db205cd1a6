"""Triage: the triage stage, the triage gate's answers, correlation of alerts into incidents."""
