"""Where an incident opened by webhook finds its people and writes its documents.

A security tool's payload carries no records, so the server's configuration says where they
are: `BREACHFLOW_DIRECTORY` (+ `BREACHFLOW_DIRECTORY_TABLE`) is the standing user directory,
and `BREACHFLOW_AFFECTED` a path template such as `/forensics/{external_id}/affected.csv`
that the forensic export fills before identification runs (after the triage gate).
`BREACHFLOW_ORG` names the organisation's TOML profile (default: the documented example)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from incidents import config, org
from incidents.exceptions import InputError
from incidents.identification import sources
from incidents.models import IncidentSources, RunSettings
from incidents.names import safe_name


def intake_sources(external_id: str) -> IncidentSources:
    """The people of an incident opened by webhook, from the server's configuration."""
    found = IncidentSources()
    if directory := os.environ.get("BREACHFLOW_DIRECTORY"):
        found.directory = sources.without_credentials(directory)
        found.directory_table = os.environ.get("BREACHFLOW_DIRECTORY_TABLE")
    if template := os.environ.get("BREACHFLOW_AFFECTED"):
        found.affected = template.replace("{external_id}", safe_name(external_id))
    return found


def intake_settings(external_id: str) -> RunSettings:
    """Its documents under the output root; its gates wait for a person."""
    return RunSettings(out=str(config.load().out_root / safe_name(external_id)),
                       auto_approve=False, opened_by="intake-api")


def intake_org_source() -> dict[str, Any]:
    path = os.environ.get("BREACHFLOW_ORG")
    return org.source(Path(path) if path else None)


def intake_org() -> dict[str, Any]:
    path = os.environ.get("BREACHFLOW_ORG")
    try:
        return org.load(Path(path) if path else None)
    except InputError as error:
        # The server's configuration is wrong, not the caller's request.
        raise RuntimeError(f"BREACHFLOW_ORG: {error}") from None
