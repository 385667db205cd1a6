"""The plan as part of a run: after the assessment, the plan (counts, deadlines, time left,
costs, deadlines at risk) and its timeline chart are written with the documents, and shown as
one Prefect card with what the chart shows (each individual-notice deadline, its time left
and whether each channel sends in time) as text: a link to the chart's file would be a
`file://` path on the machine that ran the flow, which a browser elsewhere cannot open.
Counts and times only."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from prefect import task
from prefect.cache_policies import NO_CACHE

from flows import artifacts, limits
from incidents import db, service
from incidents.assessment import chart, plan

FOLDER = "charts"


def write(incident_id: str) -> dict[str, Path]:
    """plan.json and the timeline chart in the incident's output folder, under charts/."""
    with db.session() as s:
        incident = service.get_incident(session=s, incident_id=incident_id)
        document = plan.build(s, incident)
        out, external_id = Path(incident.settings.out or "") / FOLDER, incident.external_id
    paths = chart.write(document, out, title=external_id)
    paths["json"] = out / "plan.json"
    paths["json"].write_text(json.dumps({**document.to_json(), "charts": {k: p.name for k, p in paths.items()
                                                                if k != "json"}},
                                        indent=2, ensure_ascii=False), encoding="utf-8")
    return paths


def timeline(document: dict[str, Any]) -> list[str]:
    """The chart's content as Markdown: each individual-notice deadline, soonest first, with
    its time left and, per channel, the notices due by then and whether they go out in time."""
    rows = sorted(document.get("deadlines", []), key=lambda d: d["deadline"])
    if not rows:
        return ["No individual-notice deadline with a fixed time."]
    lines = ["## Timeline", "", "| deadline (UTC) | jurisdictions | time left | channels |",
             "| --- | --- | --- | --- |"]
    for row in rows:
        left = row["time_left_hours"]
        channels = ", ".join(
            f"{ch} {c['notices']:,}: " + {True: "in time", False: "LATE", None: "rate unknown"}[
                c["met"]] for ch, c in row["channels"].items()) or "-"
        lines.append(f"| {row['deadline'][:16].replace('T', ' ')} | "
                     f"{', '.join(row['jurisdictions'])} | "
                     f"{'overdue' if left < 0 else f'{left:,.1f} h'} | {channels} |")
    return lines


@task(name="plan", cache_policy=NO_CACHE, retries=1, timeout_seconds=limits.TASK_TIMEOUTS["plan"])
def plan_task(incident_id: str) -> dict[str, Any]:
    paths = write(incident_id)
    document = json.loads(paths["json"].read_text(encoding="utf-8"))
    risky = document["at_risk"]
    lines = [f"# Plan of incident {incident_id}", "",
             f"Aware since {document['aware_at']} ({document['aware_at_source']}).",
             f"Estimated cost of individual notices: ${document['costs']['total_usd']:,.2f}.", "",
             "| channel | notices | cost USD | hours to send |", "| --- | --- | --- | --- |"]
    lines += [f"| {ch} | {f['notices']:,} | {f['cost_usd']:,.2f} | "
              f"{'-' if f['send_hours'] is None else f['send_hours']} |"
              for ch, f in document["channels"].items()]
    lines += ["", f"Deadlines at risk: {len(risky)}"]
    lines += [f"- {r['jurisdiction']} {r['audience']} ({r['channel']}): {r['risk']}" for r in risky]
    lines += ["", *timeline(document), "",
              f"The chart of this timeline: `{FOLDER}/{paths['svg'].name}` (and `.png`) in the "
              "incident's output folder (`breachflow export`)."]
    # One card per incident, updated in place: a resumed run passes here again.
    artifacts.upsert("markdown", f"plan-{incident_id}", "\n".join(lines),
                     "Counts, costs and deadlines at risk (no personal data)")
    return {"at_risk": len(risky), "total_usd": document["costs"]["total_usd"]}
