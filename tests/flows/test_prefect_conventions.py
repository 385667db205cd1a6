"""Prefect as Prefect users expect it (issue 20, points 8 and 10): `prefect.yaml` declares the
deployments `breachflow serve` serves, under the same kebab-case names, entrypoints, schedules
and concurrency limits; every flow and task has a timeout; `resume` runs the incident's own
flow, `respond_to_incident`, named like the first run."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from prefect import Flow
from prefect.utilities.importtools import import_object

from flows import delivery, limits, planning, respond, serve, tracks
from flows.deadlines import deadline_watch
from flows.fanout import deliver_notices
from flows.resume import resume_incident
from flows.retention import purge_expired

ROOT = Path(__file__).resolve().parents[2]


def _yaml_deployments() -> dict[str, dict[str, Any]]:
    document = yaml.safe_load((ROOT / "prefect.yaml").read_text(encoding="utf-8"))
    found: dict[str, dict[str, Any]] = {}
    for spec in document["deployments"]:
        flow = import_object(spec["entrypoint"])
        assert isinstance(flow, Flow), spec["entrypoint"]
        found[f"{flow.name}/{spec['name']}"] = spec
    return found


def _served() -> dict[str, Any]:
    return {f"{d.flow_name}/{d.name}": d for d in serve.deployments()}


def test_prefect_yaml_declares_the_deployments_serve_serves():
    declared, served = _yaml_deployments(), _served()
    assert set(declared) == set(served) == set(serve.NAMES)
    for name, spec in declared.items():
        deployment = served[name]
        assert spec["entrypoint"] == deployment.entrypoint, name
        assert spec["description"] == deployment.description, name
        assert spec["tags"] == deployment.tags, name
        limit = spec["concurrency_limit"]
        assert deployment.concurrency_limit == limit["limit"], name
        assert deployment.concurrency_options.collision_strategy.value == limit["collision_strategy"]
        schedules = [s.schedule for s in deployment.schedules or []]
        for declared_schedule, schedule in zip(spec.get("schedules", []), schedules, strict=True):
            if "interval" in declared_schedule:
                assert schedule.interval.total_seconds() == declared_schedule["interval"]
            else:
                assert schedule.cron == declared_schedule["cron"]


def test_deployment_names_are_kebab_case_and_both_ways_in_run_the_incident_flow():
    for name in serve.NAMES:
        deployment = name.split("/")[1]
        assert deployment == deployment.lower() and "_" not in deployment, name
    assert {"respond_to_incident/respond", "respond_to_incident/resume"} <= set(serve.NAMES)


FLOWS = [respond.respond_to_incident, respond.notice_cards, tracks.regulator_track,
         resume_incident, deliver_notices, deadline_watch, purge_expired]
TASKS = [respond.triage_task, respond.identification_task, respond.assessment_task,
         respond.notices_task, respond.announcement_task, respond.close_task,
         planning.plan_task, delivery.prepare_deliveries, delivery.settle_round]
# Not send-batch nor the regulator track's tasks: they run in threads, where Prefect cannot
# interrupt a task and only warns (flows/limits.py); their flows' timeouts bound them.


@pytest.mark.parametrize("flow", FLOWS, ids=lambda f: f.fn.__name__)
def test_every_flow_has_a_timeout_and_failure_hooks(flow):
    assert flow.timeout_seconds == limits.FLOW_TIMEOUTS[flow.name]
    assert flow.on_failure_hooks and flow.on_crashed_hooks


@pytest.mark.parametrize("task", TASKS, ids=lambda t: t.name)
def test_every_task_has_a_timeout(task):
    assert task.timeout_seconds == limits.TASK_TIMEOUTS[task.name]
