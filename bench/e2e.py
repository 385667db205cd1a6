"""End-to-end benchmark (not a test): one incident of many people, from intake to the regulator
reports, with the providers paced at realistic rates.

    .venv/bin/python bench/e2e.py                            # 1,000,000 people, SQLite
    .venv/bin/python bench/e2e.py --people 20000             # a quick run
    .venv/bin/python bench/e2e.py --database postgresql+psycopg://postgres@127.0.0.1:5432/test

The people come from bench/people_data.py (every supported jurisdiction: the US states, the EEA
countries, the other nations), a directory 1.25x the people and a forensic export naming them.
`breachflow run --auto-approve` runs in its own process against a sandbox process (the
providers' wire formats; it accepts everything), with our pacing at realistic rates:

    e-mail   BREACHFLOW_RATE_EMAIL=10 requests/s x 1,000 personalizations (BREACHFLOW_EMAIL_BATCH)
    SMS      BREACHFLOW_RATE_SMS=100 segments/s (a short code)
    voice    BREACHFLOW_RATE_VOICE=1 call/s (Twilio's default CPS)
    push     BREACHFLOW_RATE_PUSH=500 messages/s
    letters  a mail-house batch folder (BREACHFLOW_MAIL_DIR), BREACHFLOW_RATE_LETTER=50/s

This process watches the database once a second and prints:

* intake -> every initial regulator report ready for its filing gate: the moment a
  RegulatorReport row exists for every required regulator obligation of the initial (or
  preliminary) phase, whatever step makes them (goal: <= 3 min, not growing with delivery);
* intake -> the last e-mail accepted;
* the projected end per channel: open notices x units per notice / the configured rate, from
  the last measurement (and the rate observed over the last minute);
* peak RSS of the run's process tree (VmHWM of each process, summed).

It stops when both points are reached or after --max-minutes, and then stops the run (the
projections say how long the rest would take). With --database, a fresh database is created
beside the one named and dropped afterwards."""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

RATES = {"email": 10.0, "sms": 100.0, "voice": 1.0, "push": 500.0, "letter": 50.0}
OPEN = ("pending", "claimed", "unknown")
INITIAL = ("initial", "preliminary")


def _inputs(data: Path, people: int) -> tuple[Path, Path]:
    from bench import people_data

    data.mkdir(parents=True, exist_ok=True)
    directory_people = int(people * 1.25)
    records = int(people * 1.25)  # people_data names about 0.8 people per record
    directory = data / f"directory-{directory_people}.csv"
    affected = data / f"affected-{directory_people}-{records}.csv"
    if not directory.exists():
        started = time.monotonic()
        people_data.write_directory(directory.with_suffix(".tmp"), directory_people)
        directory.with_suffix(".tmp").rename(directory)
        print(f"  generated {directory.name} in {time.monotonic() - started:.0f}s", flush=True)
    if not affected.exists():
        people_data.write_affected(affected.with_suffix(".tmp"), records, directory_people=directory_people)
        affected.with_suffix(".tmp").rename(affected)
    return affected, directory


def _incident(folder: Path) -> Path:
    path = folder / "incident.json"
    path.write_text(
        json.dumps(
            {
                "external_id": f"BENCH-E2E-{uuid.uuid4().hex[:8]}",
                "title": "Benchmark: customer database exfiltrated",
                "detected_at": datetime.now(UTC).isoformat(),
                "data_categories": ["name", "email", "phone", "ssn", "date_of_birth"],
                "breach_types": ["confidentiality"],
                "cause": "external_attack",
                "contained": True,
                "systems": ["customer-db"],
            }
        )
    )
    return path


def _database(url: str | None) -> tuple[str | None, Any]:
    """A fresh PostgreSQL database beside `url` (and how to drop it), or None for SQLite."""
    if not url:
        return None, None
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"breachflow_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return make_url(url).set(database=name).render_as_string(hide_password=False), drop


def _tree_peak_rss_mib(pid: int) -> float:
    """Sum of VmHWM over a process and its descendants (Linux /proc)."""
    total, todo, seen = 0.0, [pid], set()
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        try:
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    total += int(line.split()[1]) / 1024
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        todo += [int(c) for c in children]
    return total


def _held_on(incident_id: str, channel: str, held: list[int]) -> int:
    from sqlmodel import col, func, select

    from incidents import db
    from incidents.delivery import ledger
    from incidents.models import Delivery

    with db.session() as s:
        return int(
            s.exec(
                select(func.count())
                .select_from(Delivery)
                .where(
                    Delivery.incident_id == incident_id,
                    Delivery.channel == channel,
                    col(Delivery.state) == "pending",
                    ~ledger.not_held(held),
                )
            ).one()
        )


class Watch:
    """What the database says, once a second."""

    def __init__(self, external_id: str) -> None:
        self.external_id = external_id
        self.incident_id: str | None = None
        self.created_at: datetime | None = None
        self.looks = 0
        self.email_held = 0

    def look(self) -> dict[str, Any]:
        from sqlmodel import col, func, select

        from incidents import db
        from incidents.delivery import ledger
        from incidents.models import Delivery, Incident, Obligation, RegulatorReport, Step

        with db.session() as s:
            if self.incident_id is None:
                found = s.exec(select(Incident).where(Incident.external_id == self.external_id)).first()
                if found is None:
                    return {}
                self.incident_id, self.created_at = found.id, found.created_at
            iid = self.incident_id
            steps = {st.name: st.state for st in s.exec(select(Step).where(Step.incident_id == iid))}
            phase = func.coalesce(col(Obligation.phase), "initial")
            wanted = s.exec(
                select(func.count())
                .select_from(Obligation)
                .where(
                    Obligation.incident_id == iid,
                    Obligation.audience == "regulator",
                    col(Obligation.required),
                    phase.in_(INITIAL),
                )
            ).one()
            ready = s.exec(
                select(func.count())
                .select_from(RegulatorReport)
                .join(Obligation, col(Obligation.id) == col(RegulatorReport.obligation_id))
                .where(RegulatorReport.incident_id == iid, col(Obligation.required), phase.in_(INITIAL))
            ).one()
            counts: dict[str, dict[str, int]] = {}
            for channel, state, n in s.exec(
                select(Delivery.channel, Delivery.state, func.count())
                .where(Delivery.incident_id == iid)
                .group_by(Delivery.channel, Delivery.state)
            ):
                counts.setdefault(channel, {})[state] = n
            last_email = s.exec(
                select(func.max(Delivery.updated_at)).where(
                    Delivery.incident_id == iid,
                    Delivery.channel == "email",
                    col(Delivery.state).in_(("accepted", "delivered")),
                )
            ).one()
        # Notices a law holds back (New Jersey's wait for its State Police report, which
        # --auto-approve never files) are not e-mail still to send in this run.
        # Counted every 30 looks: the count walks the pending rows.
        self.looks += 1
        if self.looks % 30 == 1:
            held = ledger.held_ids(iid)
            self.email_held = _held_on(iid, "email", held) if held else 0
        email_held = self.email_held
        return {
            "email_held": email_held,
            "steps": steps,
            "reports_wanted": wanted,
            "reports_ready": ready,
            "deliveries": counts,
            "last_email": last_email,
        }


def _projection(counts: dict[str, dict[str, int]], observed: dict[str, float]) -> dict[str, Any]:
    from incidents.assessment.plan import per_notice

    units = per_notice()
    found = {}
    for channel, states in sorted(counts.items()):
        left = sum(states.get(s, 0) for s in OPEN)
        done = sum(n for s, n in states.items() if s not in OPEN)
        seconds = left * units[channel] / RATES[channel] if channel in RATES else None
        seen = observed.get(channel, 0.0)
        found[channel] = {
            "sent": done,
            "open": left,
            "configured_rate_hours_left": None if seconds is None else round(seconds / 3600, 2),
            "observed_per_s": round(seen, 1),
            "observed_hours_left": round(left / seen / 3600, 2) if seen else None,
        }
    return found


def run(args: argparse.Namespace) -> dict[str, Any]:
    scratch = Path(tempfile.mkdtemp(prefix="breachflow-e2e-"))
    data = Path(args.data)
    started = time.monotonic()
    affected, directory = _inputs(data, args.people)
    print(f"inputs ready in {time.monotonic() - started:.0f}s", flush=True)
    url, drop = _database(args.database)
    sandbox = subprocess.Popen(
        [sys.executable, "-m", "sandbox", "--port", "0"], stdout=subprocess.PIPE, text=True, cwd=ROOT
    )
    assert sandbox.stdout is not None  # noqa: S101
    sandbox_url = sandbox.stdout.readline().strip()
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "BREACHFLOW_HOME": str(scratch / "home"),
        "BREACHFLOW_OUT": str(scratch / "out"),
        "SENDGRID_API_KEY": "SG.bench",
        "BREACHFLOW_SENDGRID_HOST": sandbox_url,
        "BREACHFLOW_EMAIL_FROM": "security@example.com",
        "TWILIO_ACCOUNT_SID": "AC" + "6f" * 16,
        "TWILIO_AUTH_TOKEN": "bench",
        "BREACHFLOW_TWILIO_BASE_URL": sandbox_url,
        "BREACHFLOW_SMS_FROM": "MG" + "6e" * 16,
        "BREACHFLOW_VOICE_FROM": "+15005550006",
        "BREACHFLOW_PUSH_URL": f"json://{sandbox_url.removeprefix('http://')}/push/{{token}}",
        "BREACHFLOW_MAIL_DIR": str(scratch / "mail"),
        "BREACHFLOW_EMAIL_BATCH": "1000",
        **{f"BREACHFLOW_RATE_{c.upper()}": str(r) for c, r in RATES.items()},
    }
    env.pop("BREACHFLOW_DATABASE_URL", None)
    if url:
        env["BREACHFLOW_DATABASE_URL"] = url
    os.environ.update({k: v for k, v in env.items() if k.startswith("BREACHFLOW_")})
    if not url:
        os.environ.pop("BREACHFLOW_DATABASE_URL", None)
    incident = _incident(scratch)
    external_id = json.loads(incident.read_text())["external_id"]
    log = open(scratch / "run.log", "w")  # noqa: SIM115 - open while the run runs
    t0 = time.monotonic()
    intake = datetime.now(UTC)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "incidents.cli",
            "run",
            str(incident),
            "--affected",
            str(affected),
            "--directory",
            str(directory),
            "--auto-approve",
            "--out",
            str(scratch / "out"),
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    watch = Watch(external_id)
    marks: dict[str, float] = {}
    peak = 0.0
    history: list[tuple[float, dict[str, int]]] = []
    last: dict[str, Any] = {}
    try:
        while True:
            time.sleep(1.0)
            now = time.monotonic() - t0
            peak = max(peak, _tree_peak_rss_mib(process.pid))
            try:
                last = watch.look() or last
            except Exception as error:  # the run may be migrating the database
                print(f"  {now:6.0f}s watch: {type(error).__name__}", flush=True)
                continue
            if not last:
                continue
            for step, state in last["steps"].items():
                if state == "done":
                    marks.setdefault(f"step {step} done", now)
            if last["reports_wanted"] and last["reports_ready"] >= last["reports_wanted"]:
                marks.setdefault("initial reports ready", now)
            email = last["deliveries"].get("email", {})
            if email and not sum(email.get(s, 0) for s in OPEN) - last.get("email_held", 0):
                marks.setdefault("last e-mail accepted", now)
            sent = {c: sum(n for s, n in st.items() if s not in OPEN) for c, st in last["deliveries"].items()}
            history.append((now, sent))
            if int(now) % 15 == 0:
                print(
                    f"  {now:6.0f}s reports {last['reports_ready']}/{last['reports_wanted']} "
                    f"sent {sent} rss {peak:.0f} MiB",
                    flush=True,
                )
            done = "initial reports ready" in marks and "last e-mail accepted" in marks
            if done or process.poll() is not None or now > args.max_minutes * 60:
                break
    finally:
        window = [h for h in history if h[0] >= (history[-1][0] - 60)] if history else []
        observed: dict[str, float] = {}
        if len(window) >= 2:
            span = window[-1][0] - window[0][0]
            observed = (
                {c: (window[-1][1].get(c, 0) - window[0][1].get(c, 0)) / span for c in window[-1][1]}
                if span
                else {}
            )
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        sandbox.send_signal(signal.SIGTERM)
        sandbox.wait(timeout=30)
        log.close()
    last_email_at = last.get("last_email")
    result = {
        "people": args.people,
        "database": "postgresql" if url else "sqlite",
        "cores": os.cpu_count(),
        "incident_id": watch.incident_id,
        "seconds": {k: round(v, 1) for k, v in sorted(marks.items(), key=lambda kv: kv[1])},
        "last_email_accepted_after_intake_s": round((last_email_at - intake).total_seconds(), 1)
        if last_email_at and "last e-mail accepted" in marks
        else None,
        "reports": {"ready": last.get("reports_ready"), "wanted": last.get("reports_wanted")},
        "email_held": last.get("email_held"),
        "steps": last.get("steps"),
        "channels": _projection(last.get("deliveries", {}), observed),
        "peak_rss_mib": round(peak),
        "stopped_at_s": round(time.monotonic() - t0, 1),
        "run_exit": process.returncode,
        "scratch": str(scratch),
    }
    if drop is not None:
        from incidents import db

        db.reset()
        drop()
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument(
        "--database",
        metavar="URL",
        help="a PostgreSQL URL (a fresh database is made beside it); default SQLite",
    )
    parser.add_argument(
        "--max-minutes", type=float, default=45.0, help="stop the run after this long (default 45)"
    )
    parser.add_argument(
        "--data",
        default=str(Path(tempfile.gettempdir()) / "breachflow-bench-data"),
        help="where the generated inputs are kept between runs",
    )
    args = parser.parse_args()
    result = run(args)
    print(json.dumps(result, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
