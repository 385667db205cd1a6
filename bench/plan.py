"""How long the plan takes on a large incident: `plan.build` (one pass over the affected people,
then the obligations) and the timeline chart, after triage, identification and assessment of a
generated directory in a scratch SQLite database. Prints figures; asserts nothing.

    .venv/bin/python -m bench.plan --people 200000
"""

from __future__ import annotations

import argparse
import os
import resource
import tempfile
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--people", type=int, default=200_000, help="directory size")
    parser.add_argument("--data", type=Path, default=Path(tempfile.gettempdir()) / "breachflow-bench-data")
    args = parser.parse_args()
    from bench import people_data

    args.data.mkdir(parents=True, exist_ok=True)
    directory = args.data / f"directory-{args.people}.csv"
    affected = args.data / f"affected-{args.people}-{args.people // 2}.csv"
    if not directory.exists():
        people_data.write_directory(directory.with_suffix(".tmp"), args.people)
        directory.with_suffix(".tmp").rename(directory)
    if not affected.exists():
        people_data.write_affected(affected.with_suffix(".tmp"), args.people // 2,
                                   directory_people=args.people)
        affected.with_suffix(".tmp").rename(affected)
    scratch = Path(tempfile.mkdtemp(prefix="breachflow-bench-plan-"))
    os.environ["BREACHFLOW_HOME"] = str(scratch / "home")
    os.environ.pop("BREACHFLOW_DATABASE_URL", None)

    from incidents import db, org, payload, service
    from incidents.assessment import chart, impact, plan
    from incidents.identification import matching
    from incidents.models import IncidentSources, RunSettings
    from incidents.triage import correlation
    from incidents.triage import stage as triage_stage

    alert = payload.parse({"external_id": "BENCH-PLAN", "title": "bench",
                           "detected_at": "2026-11-20T08:00:00Z", "aware_at": "2026-11-20T10:30:00Z",
                           "data_categories": ["name", "email", "password"]})
    with db.session() as s:
        incident, _, _ = correlation.intake_alert(
            session=s, payload=alert, org=org.load(None), actor="bench",
            sources=IncidentSources(affected=str(affected), directory=str(directory)),
            settings=RunSettings(out=str(scratch)))
    triage_stage.decide(incident.id, page=False)
    started = time.monotonic()
    matching.identify(incident.id, out_dir=scratch)
    impact.assess(incident.id)
    prepared = time.monotonic() - started
    started = time.monotonic()
    with db.session() as s:
        document = plan.build(s, service.get_incident(session=s, incident_id=incident.id))
    built = time.monotonic() - started
    started = time.monotonic()
    chart.write(document, scratch / "charts", title="BENCH-PLAN")
    drawn = time.monotonic() - started
    people = sum(f["notices"] for f in document["channels"].values())
    print(f"directory {args.people:,}, notices planned {people:,}, plan rows {len(document['rows'])}")
    print(f"identification + assessment {prepared:.1f}s; plan.build {built:.2f}s "
          f"({people / built:,.0f} notices/s); chart {drawn:.2f}s; "
          f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
