"""A gate's answer as the Prefect UI sends it: the form's pre-filled values (its schema's
defaults) with the answer's own on top. The server checks a resume against the form's schema,
where the fields opened with the model's answer are required, as the UI shows them."""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from prefect.client.orchestration import get_client


def prefilled(flow_run_id: str | UUID, answer: dict[str, Any]) -> dict[str, Any]:
    with get_client(sync_client=True) as client:
        state = client.read_flow_run(UUID(str(flow_run_id))).state
        assert state is not None and state.state_details.run_input_keyset, state
        schema = json.loads(client.read_flow_run_input(
            UUID(str(flow_run_id)), state.state_details.run_input_keyset["schema"]))
    defaults = {name: prop["default"] for name, prop in schema.get("properties", {}).items()
                if "default" in prop}
    return {**defaults, **answer}
