"""Provider sandbox: a local server that speaks SendGrid's, Twilio's and Apprise-json's wire
formats, validates what it receives against the official API descriptions, and keeps an inbox.

    from sandbox import Sandbox
    with Sandbox() as sandbox:
        ...  # point the official clients at sandbox.url

`python -m sandbox --port 8025` serves it as a process.
"""

from __future__ import annotations

from .faults import ChannelFaults, FaultConfigError, Faults, RequestFault
from .server import Sandbox, main

__all__ = [
    "ChannelFaults",
    "FaultConfigError",
    "Faults",
    "RequestFault",
    "Sandbox",
    "main",
]
