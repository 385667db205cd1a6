"""What an incident's results are worth: were its notices sent through the sandbox, and did its
documents name the built-in example organisation? Shown wherever its results are (status,
register, export) so that a rehearsal is never read as a real notification."""

from __future__ import annotations

from typing import Any

from incidents import org
from incidents.delivery import providers
from incidents.models import Incident


def document(incident: Incident) -> dict[str, Any]:
    mode = incident.provider.get("mode")
    return {
        "sandbox": mode in ("sandbox", "mixed"),
        "example_org": incident.org_source.get("kind") == "example",
        "providers": incident.provider or {"mode": None},
        "org_source": incident.org_source or {"kind": None},
    }


def marks(incident: Incident) -> list[str]:
    """Short tags for a one-line listing: SANDBOX, EXAMPLE ORG."""
    found = document(incident)
    return [tag for tag, on in (("SANDBOX", found["sandbox"]), ("EXAMPLE ORG", found["example_org"])) if on]


def lines(incident: Incident) -> list[str]:
    """The two lines `status` prints."""
    return [
        f"Providers: {providers.describe(incident.provider)}",
        f"Organisation: {org.describe(incident.org_source)}",
    ]
