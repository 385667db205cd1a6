"""The `breachflow` command (contract in docs/contracts.md). Exit codes: 0 done, 1 a step failed,
2 bad input."""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from incidents import config
from incidents.exceptions import BreachflowError, InputError, NotFound, StepFailed
from incidents.sqltypes import parse_iso

if TYPE_CHECKING:
    from incidents.models import IncidentSources


def _inputs(args: argparse.Namespace) -> tuple[Any, dict[str, Any], IncidentSources, dict[str, Any]]:
    """Validate every input before anything is written: payload, org, both sources. The last
    item says where the org profile came from (the built-in example or a file)."""
    from incidents import org, payload
    from incidents.identification import matching, sources
    from incidents.models import IncidentSources

    incident = payload.load(Path(args.incident))
    org_path = Path(args.org) if args.org else None
    profile = org.load(org_path)
    sources.columns(args.affected, label="--affected")
    sources.require_rows(args.affected, label="--affected")
    query = getattr(args, "directory_query", None)
    if "electronic_consent" in sources.columns(args.directory, label="--directory",
                                               table=args.directory_table, query=query):
        matching.check_consent(args.directory, table=args.directory_table, query=query)
    # A database URL is stored without its password (kept in this process for this run).
    found = IncidentSources(affected=str(Path(args.affected).resolve()),
                            directory=sources.remember(args.directory) if "://" in args.directory
                            else str(Path(args.directory).resolve()),
                            directory_table=args.directory_table, directory_query=query)
    return incident, profile, found, org.source(org_path)


def _out_dir(args: argparse.Namespace, external_id: str) -> Path:
    from incidents import config
    from incidents.names import safe_name

    return Path(args.out).resolve() if getattr(args, "out", None) else (
        config.load().out_root / safe_name(external_id))


def _open(args: argparse.Namespace, *, actor: str) -> tuple[str, bool, str | None]:
    """(incident id, opened now, id of the incident the alert joined through related_to)."""
    from incidents import db
    from incidents.models import RunSettings
    from incidents.triage import correlation

    incident, profile, found, org_source = _inputs(args)
    settings = RunSettings(out=str(_out_dir(args, incident.external_id)),
                           auto_approve=bool(getattr(args, "auto_approve", False)))
    with db.session() as s:
        created, new, joined = correlation.intake_alert(session=s, payload=incident, sources=found,
                                                        settings=settings, org=profile,
                                                        org_source=org_source, actor=actor)
        return created.id, new, joined


class Interrupted(Exception):
    """Ctrl-C during a run; carries the incident's external id."""


def _sandbox_if_needed(incident_id: str | None = None) -> str | None:
    """Start the embedded provider sandbox when no provider credentials are configured. An
    incident that already sent refuses another mode (never a silent fall-back)."""
    from incidents.delivery import providers

    if incident_id is not None:
        from incidents import db, service

        with db.session() as s:
            recorded = service.get_incident(session=s, incident_id=incident_id).provider
        why = providers.mismatch(recorded, providers.expected_mode())
        if why:
            raise InputError(f"refusing to continue: {why}")
    if providers.expected_mode() == "real":
        return None
    if os.environ.get("BREACHFLOW_SANDBOX_URL"):
        url = os.environ["BREACHFLOW_SANDBOX_URL"]
    else:
        from sandbox import Sandbox

        sandbox = Sandbox(port=0)
        sandbox.start()
        url = os.environ["BREACHFLOW_SANDBOX_URL"] = sandbox.url
    print(f"SANDBOX: no provider credentials set, notices go to the embedded sandbox at {url}; "
          "nothing reaches a real person (recorded on the incident)", file=sys.stderr)
    return url


def _flow(incident_id: str, *, auto_approve: bool) -> dict[str, Any]:
    from flows import runtime

    runtime.configure()
    runtime.install_redaction()
    from flows.respond import respond_to_incident
    from incidents import db, service, terminal
    from incidents.cli_gates import GateWatch, leave_on_interrupt, quiet_interrupts

    with db.session() as s:
        external_id = service.get_incident(session=s, incident_id=incident_id).external_id
    # A gate pauses the run in this process: say where and how to answer it.
    watch = None if auto_approve else GateWatch(incident_id, external_id)
    quiet_interrupts()
    if watch is not None:
        watch.start()
    try:
        with leave_on_interrupt(external_id), terminal.run_progress(incident_id):
            state: Any = respond_to_incident(incident_id, auto_approve=auto_approve,
                                             return_state=True)
    except KeyboardInterrupt:
        raise Interrupted(external_id) from None
    finally:
        if watch is not None:
            watch.stop()
    if state.is_failed():
        error = state.result(raise_on_failure=False)
        if isinstance(error, BaseException):
            raise error
        raise StepFailed("close", str(state.message).removeprefix("step 'close' failed: "),
                         waiting=True)
    return dict(state.result())


def _summary(incident_id: str, *, as_json: bool = False) -> None:
    from incidents import db, service
    from incidents.records import status

    with db.session() as s:
        incident = service.get_incident(session=s, incident_id=incident_id)
        document = status.status_document(s, incident)
    if as_json:
        print(json.dumps(document, indent=2, ensure_ascii=False))
        return
    from incidents import terminal
    from incidents.sqltypes import utcnow

    info = document["incident"]
    print(f"\nIncident {info['external_id']} ({info['id']}): {info['status']}, "
          f"{terminal.severity_line(document)}")
    for line in info["provenance"]:
        print(f"  {line}")
    print(f"  Sending (kill switch): {info['sending']}"
          + {"paused": f"; `breachflow sending resume {info['external_id']}` lets it go on",
             "cancelled": ": no further notice goes out"}.get(info["sending"], ""))
    if info.get("waiting_at_gate"):
        print(f"  waiting at gate: {info['waiting_at_gate']}")
    terminal.show(terminal.steps_table(document["steps"]))
    _accounting_table(document["accounting"])
    _quality(document)
    terminal.show(terminal.obligations_table(document["obligations"], now=utcnow()))
    print("Notices per channel:")
    for channel, states in sorted(document["deliveries"].items()):
        print(f"  {channel:<6} " + ", ".join(f"{k} {v}" for k, v in sorted(states.items())))
    for a in document["announcements"]:
        people = f"{a['people']} {'person' if a['people'] == 1 else 'people'}"
        print(f"Announcement ({a['locale']}, {people}): {a['location']}")
    for r in document["reports"]:
        print(f"Report for {r['recipient']}: {r['files'][0] if r['files'] else '-'}")
    for code, why in sorted(document.get("waiting", {}).items()):
        print(f"Notices of {code} wait: {why}")
    media = document["media"]
    for code, entry in media["by_jurisdiction"].items():
        print(f"Media notice ({code}, {entry['citation']}): {entry['state']}"
              + (f" — {media['release']}" if media["release"] else ""))


def _accounting_table(accounting: dict[str, Any]) -> None:
    states = ("notified", "pending", "announced", "needs_action", "exempt")
    print(f"Accounting: {accounting['people']} people")
    print(f"  {'':<9} {'people':>7} " + " ".join(f"{s:>12}" for s in states))
    rows = [("total", accounting), *accounting["by_jurisdiction"].items()]
    for code, tally in rows:
        print(f"  {code:<9} {tally['people']:>7} " + " ".join(f"{tally[s]:>12}" for s in states))
    waiting = {reason: n for reason, n in accounting["reasons"].items()
               if not reason.startswith("not required")}
    if accounting["needs_action"] or accounting["pending"]:
        print("  why: " + "; ".join(f"{reason} {n}" for reason, n in waiting.items()))


def cmd_run(args: argparse.Namespace) -> int:
    incident_id, new, joined = _open(args, actor="cli")
    if joined:
        # One incident per breach: the alert was folded into the run that already handles it.
        print(f"The alert joined incident {joined} (related_to): no second run")
        _summary(joined)
        return 0
    print(f"Incident {incident_id}" + ("" if new else " (already open: continuing it)"))
    _sandbox_if_needed(incident_id)
    _flow(incident_id, auto_approve=args.auto_approve)
    _summary(incident_id)
    return 0


def cmd_resume(args: argparse.Namespace) -> int:
    from incidents import db, service

    with db.session() as s:
        incident = service.get_incident(session=s, incident_id=args.incident_id)
        incident_id = incident.id
        auto = bool(getattr(args, "auto_approve", False)) or incident.settings.auto_approve
    _sandbox_if_needed(incident_id)
    _flow(incident_id, auto_approve=auto)
    _summary(incident_id)
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    _summary(args.incident_id, as_json=args.json)
    return 0


def _dry_assessment(args: argparse.Namespace) -> dict[str, Any]:
    """Triage, identification and assessment in a throwaway database: nothing lands in the
    register. Returns the `assess --json` document (with its `plan` key)."""
    previous = os.environ.get("BREACHFLOW_DATABASE_URL")
    # The data-quality file is kept where the documents of a run would go (the user fixes the
    # sources from it); everything else of the dry run is thrown away.
    from incidents import payload

    keep = _out_dir(args, payload.load(Path(args.incident)).external_id)
    with tempfile.TemporaryDirectory(prefix="breachflow-assess-") as scratch:
        os.environ["BREACHFLOW_DATABASE_URL"] = f"sqlite:///{Path(scratch) / 'assess.db'}"
        from incidents import db, service
        from incidents.assessment import impact
        from incidents.identification import matching
        from incidents.records import status
        from incidents.triage import stage as triage_stage

        args.out = scratch
        incident_id, _, _ = _open(args, actor="cli")
        triage_stage.decide(incident_id, page=False)  # a dry run pages nobody
        matching.identify(incident_id, out_dir=keep)
        impact.assess(incident_id)
        with db.session() as s:
            document = status.assessment_document(s, service.get_incident(
                session=s, incident_id=incident_id))
        document["data_quality_file"] = str(keep / "data-quality.json")
        db.reset()
    if previous is None:
        os.environ.pop("BREACHFLOW_DATABASE_URL")
    else:
        os.environ["BREACHFLOW_DATABASE_URL"] = previous
    return document


def cmd_assess(args: argparse.Namespace) -> int:
    document = _dry_assessment(args)
    if args.json:
        print(json.dumps(document, indent=2, ensure_ascii=False))
    else:
        affected = document["affected"]
        print(f"{affected['subjects']} people, {affected['records']} records, "
              f"{affected['minors']} minors, {affected['unreachable']} unreachable")
        for o in document["obligations"]:
            print(f"  {o['jurisdiction']:<9} {o['audience']:<15} required={o['required']!s:<5} "
                  f"{o['deadline'] or o['deadline_rule']}  {o['citation']}")
        _quality(document)
    return 0


def _quality(document: dict[str, Any]) -> None:
    from incidents.records import quality

    for line in quality.lines(document["data_quality"], details=document["data_quality_file"]):
        print(line)


def cmd_plan(args: argparse.Namespace) -> int:
    from incidents.assessment import chart, plan

    requested_out = args.out
    document = _dry_assessment(args)
    args.out = requested_out
    external_id = document["incident"]["external_id"]
    out = _out_dir(args, external_id) / "charts"
    typed = plan.Plan.model_validate(document["plan"])
    charts = chart.write(typed, out, title=external_id)
    written = {**document["plan"], "incident": document["incident"],
               "data_quality": document["data_quality"],
               "charts": {kind: path.name for kind, path in charts.items()}}
    (out / "plan.json").write_text(json.dumps(written, indent=2, ensure_ascii=False), encoding="utf-8")
    if args.json:
        print(json.dumps(written, indent=2, ensure_ascii=False))
    else:
        print(plan.text(typed))
        _quality(document)
        print(f"Plan and timeline chart: {out / 'plan.json'}, {charts['svg']}, {charts['png']}")
    return 0


def cmd_register(args: argparse.Namespace) -> int:
    from incidents import db
    from incidents.records import register

    if db.exists():
        with db.session() as s:
            document = register.document(s)
    else:
        document = register.empty()
        print(f"note: no breachflow database at {db.location()}: nothing recorded there "
              "(BREACHFLOW_HOME selects another)", file=sys.stderr)
    print(json.dumps(document, indent=2, ensure_ascii=False) if args.json else register.text(document))
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    import time

    from incidents import config, demo

    started = time.monotonic()
    folder = config.load().home / "demo"
    paths = demo.write(folder, count=args.people)
    print(f"Generated a fictional organisation of {args.people} people in {folder}")
    run_args = argparse.Namespace(
        incident=str(paths["incident.json"]), affected=str(paths["affected.csv"]),
        directory=str(paths["directory.csv"]), directory_table=None, org=str(paths["org.toml"]),
        out=args.out, auto_approve=True)
    try:
        code = cmd_run(run_args)
    except StepFailed as error:
        if not error.waiting:
            raise
        code = _demo_responder(str(error), external_id=json.loads(
            paths["incident.json"].read_text())["external_id"])
    print(f"\nDocuments: {_out_dir(run_args, json.loads(paths['incident.json'].read_text())['external_id'])}")
    print("See the run in the Prefect UI: `breachflow serve`, then open http://127.0.0.1:4200")
    print(f"Demo finished in {time.monotonic() - started:.1f}s")
    return code


def _demo_responder(refusal: str, *, external_id: str) -> int:
    """The close step refused: the demo plays the responder, as a person would at the CLI."""
    from incidents.delivery import resolution

    print(f"\nbreachflow: {refusal}")
    print("\nThe demo plays the responder: people the directory does not know are covered by "
          "the public announcement:\n"
          f"  breachflow resolve {external_id} --announce --because 'not in the directory' "
          "--reason '...'")
    done = resolution.resolve(
        incident_id=external_id, action="announce", actor="demo responder",
        because="not in the directory",
        reason="Not in the customer directory: no contact data; the public announcement covers them.")
    print(f"resolved {done['resolved']} people; then `breachflow resume {external_id}`")
    _demo_media(external_id)
    return cmd_resume(argparse.Namespace(incident_id=external_id))


def _demo_media(external_id: str) -> None:
    """Where a law asks for a media notice, the demo's responder records that the press release
    went out (close waits for it), as a person would with `breachflow media`."""
    from incidents import db, service
    from incidents.notices import media
    from incidents.sqltypes import utcnow

    with db.session() as s:
        incident = service.get_incident(session=s, incident_id=external_id)
        state = media.state(s, incident, out_dir=Path(incident.settings.out or "."))
        due = [code for code, entry in state["by_jurisdiction"].items() if entry["state"] == "due"]
        if not due or state["release"] is None:
            return
        media.record(s, incident_id=incident.id, outlet="Statewide Wire (demo)", sent_at=utcnow(),
                     jurisdictions=due, actor="demo responder", out_dir=Path(incident.settings.out or "."))
    print(f"  breachflow media {external_id} --outlet 'Statewide Wire (demo)' --at NOW "
          f"(the media notice for {', '.join(due)})")


def cmd_export(args: argparse.Namespace) -> int:
    from incidents.records.export import export

    path, digest, count = export(incident_id=args.incident_id,
                                 out=Path(args.out).resolve() if args.out else None)
    print(f"Notice pack: {path} ({count} files, sha256 {digest})")
    return 0


def cmd_rules(args: argparse.Namespace) -> int:
    from regulators import rules_data, rules_text

    if args.json:
        print(json.dumps(rules_data(), indent=2, ensure_ascii=False, default=str))
    else:
        print(rules_text())
    return 0


def _prefect_anchors(incident_id: str) -> tuple[list[Any], str]:
    """The anchors kept as Prefect artifacts, and what to say about them."""
    if not os.environ.get("PREFECT_API_URL"):
        return [], "Prefect anchors not checked (PREFECT_API_URL is not set)"
    from flows import artifacts, runtime

    runtime.configure()
    try:
        found = artifacts.audit_anchors(incident_id)
    except Exception as error:
        return [], f"Prefect anchors not checked ({type(error).__name__})"
    return found, f"{len(found)} anchor(s) in Prefect artifacts"


def cmd_audit(args: argparse.Namespace) -> int:
    from incidents import audit, db, service

    with db.session() as s:
        incident = service.get_incident(session=s, incident_id=args.incident_id)
        out = Path(incident.settings.out or ".")
        in_folder = audit.read_anchors(out)
        in_prefect, note = _prefect_anchors(incident.id)
        problems = audit.verify(s, incident_id=incident.id, anchors=in_folder + in_prefect)
    for problem in problems:
        print(f"TAMPERED: {problem}")
    print(f"checked: the keyed chain; {len(in_folder)} anchor(s) in {out / audit.ANCHOR_FILE}; "
          f"{note}")
    if problems:
        return 1
    if not in_folder and not in_prefect:
        print("note: no anchor found, so events removed from the end would not show")
    print(f"audit trail of {incident.external_id}: intact")
    return 0


def cmd_purge(args: argparse.Namespace) -> int:
    from incidents.records import retention

    done = retention.purge(incident_id=args.incident_id, actor="cli")
    print("already purged" if done["already_purged"]
          else f"removed the contact data of {done['people']} people; counts, decisions and "
               "the audit trail are kept")
    return 0


def cmd_sending(args: argparse.Namespace) -> int:
    from incidents import db, service
    from incidents.delivery import ledger

    with db.session() as s:
        incident = service.get_incident(session=s, incident_id=args.incident_id)
        incident_id, external_id = incident.id, incident.external_id
    state = {"pause": "paused", "resume": "active", "cancel": "cancelled"}[args.action]
    if state == "cancelled" and not args.yes:
        from incidents.cli_inputs import confirm

        confirm(f"Cancel every notice of incident {external_id} not sent yet? This cannot be "
                "undone.", answer=external_id, flag="--yes")
    done = ledger.set_sending(incident_id, state, actor="cli")
    print(f"sending {state}" + (f": {done['cancelled']} notices will not be sent"
                                if state == "cancelled" else "")
          + ("; run `breachflow resume` to continue" if state == "active" else ""))
    return 0


def cmd_resolve(args: argparse.Namespace) -> int:
    from incidents.delivery import resolution

    action = "method" if args.method else "announce" if args.announce else "exempt"
    subject_ids = None
    if args.subjects:
        subject_ids = _subject_ids(Path(args.subjects))
    done = resolution.resolve(incident_id=args.incident_id, action=action, reason=args.reason,
                              actor=args.actor, method=args.method, jurisdiction=args.jurisdiction,
                              because=args.because, subject_ids=subject_ids)
    print(f"resolved {done['resolved']} people ({action})"
          + (f"; {done['skipped']} have no {args.method} contact, were tried on it already, or "
             "their law does not accept it"
             if done["skipped"] else "")
          + f"; run `breachflow resume {args.incident_id}` to continue")
    return 0


def _cli_time(text: str, *, field: str, message: str) -> datetime:
    """An ISO 8601 time from an option (`Z` for UTC); `message` names the option when not."""
    try:
        return parse_iso(text)
    except ValueError:
        raise InputError(message, field=field) from None


def _filing_time(text: str) -> datetime:
    return _cli_time(text, field="filed_at",
                     message="--at: not a date-time, e.g. 2026-12-05T14:30:00+01:00 or ...Z")


def cmd_filed(args: argparse.Namespace) -> int:
    """Record that a regulator report was filed (audited); nothing is written on an error."""
    from incidents import db, service
    from incidents.records import filing

    at = _filing_time(args.at)
    options = {"filed_at": "--at", "reference": "--reference", "report": "REPORT"}
    with db.session() as s:
        incident = service.get_incident(session=s, incident_id=args.incident_id)
        try:
            report = filing.find_report(s, incident_id=incident.id, spec=args.report)
            filing.file_report(s, incident_id=incident.id, report_id=report.id or 0,
                               filed_at=at, reference=args.reference, actor=args.actor)
        except InputError as error:  # named as the command line names it
            named = options.get(error.field or "", error.field or "")
            message = str(error).removeprefix(f"{error.field}: ")
            raise InputError(f"{named}: {message}", field=error.field) from None
        obligation_phase = next((o.phase for r, o in filing.reports_of(s, incident.id)
                                 if r.id == report.id and o is not None), "initial")
        print(f"report {report.id} ({report.jurisdiction}/{obligation_phase}) filed at "
              f"{at.isoformat()}" + (f" under {report.filing_reference}"
                                     if report.filing_reference else ""))
    if not os.environ.get("PREFECT_API_URL"):
        return 0  # a run on a temporary Prefect server: its own terminal lets the gate go on
    from flows import filing_gate

    if run_id := filing_gate.release(incident.id, actor=args.actor):
        print(f"every report of the waiting filing gate is recorded: flow run {run_id} goes on")
    return 0


def cmd_media(args: argparse.Namespace) -> int:
    """Record that the media notice went to an outlet (audited)."""
    from incidents import db, service
    from incidents.notices import media

    try:
        at = datetime.fromisoformat(args.at.replace("Z", "+00:00"))
    except ValueError:
        raise InputError("--at: an ISO 8601 time with a time zone, e.g. 2026-12-05T14:30:00-08:00",
                         field="at") from None
    with db.session() as s:
        incident = service.get_incident(session=s, incident_id=args.incident_id)
        out = Path(incident.settings.out) if incident.settings.out else Path(".")
        row = media.record(s, incident_id=incident.id, outlet=args.outlet, sent_at=at,
                           jurisdictions=args.jurisdiction, actor=args.actor, out_dir=out)
        print(f"media notice to {row.outlet} at {row.sent_at.isoformat()} recorded for "
              + ", ".join(row.jurisdictions))
    return 0


def cmd_mail(args: argparse.Namespace) -> int:
    from incidents.delivery import returned_mail

    done = returned_mail.returned(incident_id=args.incident_id, path=Path(args.file),
                                  actor=args.actor)
    print(f"{done['returned']} letters marked returned ({done['already_returned']} already were); "
          f"{done['next_channel']} people queued on their next channel"
          + (f"; run `breachflow resume {args.incident_id}` to continue" if done["returned"] else ""))
    return 0


def _hold_time(value: str) -> datetime:
    return _cli_time(value, field="until",
                     message="until: not an ISO 8601 time, e.g. 2026-12-20T00:00:00Z")


def cmd_hold(args: argparse.Namespace) -> int:
    """Record, release or list law-enforcement holds (incidents/holds.py)."""
    from incidents import db, holds, service
    from incidents.sqltypes import utcnow

    listing = args.first == "list" or args.list
    ref = args.second if args.first == "list" else args.first
    if ref is None or (args.second is not None and args.first != "list"):
        raise InputError("usage: breachflow hold INCIDENT_ID (--agency … --until … "
                         "--jurisdiction … | --release ID | --list)", field="incident")
    with db.session() as s:
        incident = service.get_incident(session=s, incident_id=ref)
        if listing:
            now = utcnow()
            found = holds.holds_of(s, incident.id)
            waiting = holds.waiting(s, incident.id, now=now)
            rows: list[dict[str, Any]] = [{"id": h.id, "agency": h.agency, "jurisdictions": h.jurisdictions,
                     "starts_at": h.starts_at.isoformat(), "until": h.until.isoformat(),
                     "released_at": h.released_at.isoformat() if h.released_at else None,
                     "active": holds.active(h, now), "reason": h.reason,
                     "recorded_by": h.recorded_by} for h in found]
            if args.json:
                print(json.dumps({"holds": rows, "waiting": {c: w.reason for c, w in
                                                             waiting.items()}}, indent=2))
                return 0
            for row in rows:
                state = "active" if row["active"] else (
                    "released" if row["released_at"] else "ended")
                print(f"hold {row['id']}: {row['agency']} until {row['until']} "
                      f"({', '.join(row['jurisdictions'])}) {state}")
            for code, why in sorted(waiting.items()):
                print(f"{code}: {why.reason}")
            if not rows and not waiting:
                print("no holds; nothing waits")
            return 0
        if args.release is not None:
            if args.agency or args.until or args.jurisdiction:
                raise InputError("release: give only --release ID (and --actor)", field="release")
            hold = holds.release(s, incident_id=incident.id, hold_id=args.release, actor=args.actor)
            print(f"hold {hold.id} released; run `breachflow resume {ref}` to send what it held")
            return 0
        if args.until is None:
            raise InputError("until: required (when the agency's delay ends)", field="until")
        hold = holds.record(s, incident_id=incident.id, agency=args.agency or "",
                            until=_hold_time(args.until), jurisdictions=args.jurisdiction or [],
                            reason=args.reason, actor=args.actor)
        print(f"hold {hold.id} recorded: individual notices of {', '.join(hold.jurisdictions)} "
              f"wait until {hold.until.isoformat()} (or `breachflow hold {ref} --release "
              f"{hold.id}`)")
    return 0


def cmd_codes(args: argparse.Namespace) -> int:
    from incidents.notices import activation

    done = activation.load(incident_id=args.incident_id, path=Path(args.file))
    print(f"{done['loaded']} activation codes loaded ({done['already_loaded']} were already "
          f"loaded); run `breachflow resume {args.incident_id}` to continue")
    return 0


def _subject_ids(path: Path) -> list[str]:
    """A list of subject ids: one per line, or a CSV with a `subject_id` column."""
    import csv

    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(f"--subjects: cannot read {path.name}: {type(error).__name__}") from None
    if lines and "subject_id" in next(csv.reader([lines[0]])):
        return [row["subject_id"].strip() for row in csv.DictReader(lines) if row["subject_id"].strip()]
    return [line.strip() for line in lines if line.strip()]


def cmd_sandbox(args: argparse.Namespace) -> int:
    from sandbox import main as sandbox_main

    return int(sandbox_main(args.sandbox_args) or 0)


def cmd_serve(args: argparse.Namespace) -> int:
    from flows import operate

    try:
        operate.check_bind(prefect_host=args.prefect_host, insecure=args.insecure,
                           env=dict(os.environ))
    except operate.UnsafeBind as error:
        print(f"breachflow serve: {error}", file=sys.stderr)
        return 2
    _sandbox_if_needed()
    return operate.serve(host=args.host, ui_port=args.ui_port, api_port=args.api_port,
                         executor_only=args.executor_only, pool=args.pool,
                         prefect_host=args.prefect_host, insecure=args.insecure)


def _sources(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("incident", metavar="INCIDENT.json",
                        help="the incident payload (docs/contracts.md): what happened, when, which data")
    parser.add_argument("--affected", required=True, metavar="FILE",
                        help="the affected records: CSV, JSON lines or Parquet with a subject_id column")
    parser.add_argument("--directory", required=True, metavar="FILE|URL",
                        help="the user directory: a CSV, JSON lines or Parquet file or a database URL "
                             "(e.g. postgresql://reader@db/crm)")
    parser.add_argument("--directory-table", metavar="NAME",
                        help="the directory's table when --directory is a database URL")
    parser.add_argument("--directory-query", metavar="SQL",
                        help="a SELECT instead of a table (read-only)")
    parser.add_argument("--org", metavar="FILE",
                        help="the organisation profile (TOML): name, contacts, sector, sizes; "
                             "without it the built-in example organisation")


ID_HELP = "the incident's external_id (e.g. INC-2031) or its id"


def parser() -> argparse.ArgumentParser:
    from importlib.metadata import PackageNotFoundError, version

    from incidents import helptext

    root = argparse.ArgumentParser(prog="breachflow", description=__doc__)
    try:
        found = version("breachflow")
    except PackageNotFoundError:  # run from a source tree that was never installed
        found = "unknown"
    root.add_argument("--version", action="version", version=f"breachflow {found}",
                      help="print the version and exit")
    sub = root.add_subparsers(dest="command", required=True)
    commands: dict[str, Callable[[argparse.Namespace], int]] = {}

    def add(name: str, handler: Callable[[argparse.Namespace], int], help_: str) -> argparse.ArgumentParser:
        commands[name] = handler
        command = sub.add_parser(name, help=help_, description=help_, epilog=helptext.epilog(name),
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
        command.set_defaults(handler=handler)
        return command

    demo = add("demo", cmd_demo, "the whole flow on a generated organisation")
    demo.add_argument("--people", type=int, default=3000,
                      help="how many fictional people the organisation has (default 3000)")
    demo.add_argument("--out", metavar="DIR", help="where the documents go "
                      "(default: breachflow-out/EXTERNAL_ID under BREACHFLOW_HOME)")
    assess = add("assess", cmd_assess, "who must be told what, by when (nothing is sent)")
    _sources(assess)
    assess.add_argument("--json", action="store_true", help="print the assessment document as JSON")
    plan = add("plan", cmd_plan, "counts, deadlines, costs and a timeline chart (nothing is sent)")
    _sources(plan)
    plan.add_argument("--out", metavar="DIR", help="where plan.json and the chart go")
    plan.add_argument("--json", action="store_true", help="print the plan as JSON")
    register = add("register", cmd_register, "every incident, notified or not, with its decision")
    register.add_argument("--json", action="store_true", help="print the register as JSON")
    run = add("run", cmd_run, "run the whole response for an incident")
    _sources(run)
    run.add_argument("--auto-approve", action="store_true",
                     help="pass every gate (triage, notices, filing) without asking; recorded as "
                          "`auto-approve` in the audit trail")
    run.add_argument("--out", metavar="DIR", help="where the documents go "
                     "(default: breachflow-out/EXTERNAL_ID under BREACHFLOW_HOME)")
    resume = add("resume", cmd_resume, "continue an incident's response where it stopped")
    resume.add_argument("incident_id", metavar="INCIDENT_ID", help=ID_HELP)
    resume.add_argument("--auto-approve", action="store_true",
                        help="pass every gate still waiting (recorded as auto-approve)")
    status = add("status", cmd_status, "an incident's steps, deliveries and documents")
    status.add_argument("incident_id", metavar="INCIDENT_ID", help=ID_HELP)
    status.add_argument("--json", action="store_true",
                        help="print the status document as JSON (docs/contracts.md)")
    serve = add("serve", cmd_serve, "Prefect server + UI, deployments, intake API")
    serve.add_argument("--ui-port", type=int, default=4200,
                       help="the Prefect server's port, UI and API (default 4200)")
    serve.add_argument("--api-port", type=int, default=8000,
                       help="the intake API's port (default 8000)")
    serve.add_argument("--host", default="127.0.0.1", help="where the intake API listens")
    serve.add_argument("--prefect-host", default="127.0.0.1",
                       help="where the Prefect server listens (beyond loopback only with "
                            "PREFECT_SERVER_API_AUTH_STRING or --insecure)")
    serve.add_argument("--insecure", action="store_true",
                       help="allow an unauthenticated Prefect API beyond loopback")
    serve.add_argument("--executor-only", action="store_true",
                       help="only execute deployment runs, against PREFECT_API_URL (more hosts)")
    serve.add_argument("--pool", metavar="NAME",
                       help="register the deployments in this Prefect work pool; its workers run them")
    audit = add("audit", cmd_audit, "check an incident's hash-chained audit trail")
    audit.add_argument("action", choices=["verify"], help="verify: check the chain and its anchors")
    audit.add_argument("incident_id", metavar="INCIDENT_ID", help=ID_HELP)
    purge = add("purge", cmd_purge, "retention: remove contact data, keep decisions and counts")
    purge.add_argument("incident_id", metavar="INCIDENT_ID", help=ID_HELP)
    export = add("export", cmd_export, "the notice pack for legal")
    export.add_argument("incident_id", metavar="INCIDENT_ID", help=ID_HELP)
    export.add_argument("--out", metavar="DIR",
                        help="where the zip goes (default: the incident's output folder)")
    rules = add("rules", cmd_rules, "the jurisdictions and what each requires")
    rules.add_argument("--json", action="store_true", help="print the rules as JSON")
    sending = add("sending", cmd_sending, "kill switch: pause, resume or cancel an incident's notices")
    sending.add_argument("action", choices=["pause", "resume", "cancel"],
                         help="pause: stop claiming new notices; resume: allow again; cancel: "
                              "end every notice not yet sent (asks for a confirmation)")
    sending.add_argument("incident_id", metavar="INCIDENT_ID", help=ID_HELP)
    sending.add_argument("--yes", action="store_true",
                         help="cancel without asking (needed when stdin is not a terminal)")
    resolve = add("resolve", cmd_resolve,
                  "people needing action: another method, the announcement, or exempt (audited)")
    resolve.add_argument("incident_id", metavar="INCIDENT_ID", help=ID_HELP)
    how = resolve.add_mutually_exclusive_group(required=True)
    how.add_argument("--method", choices=["email", "sms", "voice", "push", "letter"],
                     help="send their notice on this channel (they need that contact)")
    how.add_argument("--announce", action="store_true",
                     help="cover them by the public announcement (substitute notice)")
    how.add_argument("--exempt", action="store_true", help="no notice is owed to them (say why)")
    resolve.add_argument("--reason", required=True, help="why: recorded in the audit trail")
    resolve.add_argument("--jurisdiction", metavar="CODE", help="only under this law (e.g. US-CA)")
    resolve.add_argument("--because", metavar="REASON",
                         help="only people needing action for this reason (as `status` lists it)")
    resolve.add_argument("--subjects", metavar="FILE",
                         help="only these people: subject ids, one per line or a subject_id column")
    resolve.add_argument("--actor", default=os.environ.get("USER") or "cli",
                         help="who decides (default: the login name)")
    filed = add("filed", cmd_filed, "record that a regulator report was filed (audited)")
    filed.add_argument("incident_id", metavar="INCIDENT_ID", help=ID_HELP)
    filed.add_argument("report", metavar="REPORT",
                       help="the report's id (status --json), its jurisdiction (EU) or "
                            "jurisdiction/phase (JP/final)")
    filed.add_argument("--at", required=True, metavar="TIME",
                       help="when it was filed, with its time zone (2026-12-05T14:30:00+01:00)")
    filed.add_argument("--reference", metavar="REF", help="the regulator's reference")
    filed.add_argument("--actor", default=os.environ.get("USER") or "cli",
                       help="who filed it (default: the login name)")
    media_cmd = add("media", cmd_media,
                    "record that the media notice (press release) went to an outlet (audited)")
    media_cmd.add_argument("incident_id", metavar="INCIDENT_ID", help=ID_HELP)
    media_cmd.add_argument("--outlet", required=True, help="the outlet it went to, as named")
    media_cmd.add_argument("--at", required=True, metavar="TIME",
                           help="when it went, ISO 8601 with a time zone")
    media_cmd.add_argument("--jurisdiction", metavar="CODE", action="append",
                           help="a law this outlet serves (repeat; default: every law asking for it)")
    media_cmd.add_argument("--actor", default=os.environ.get("USER") or "cli",
                           help="who records it (default: the login name)")
    mail = add("mail", cmd_mail, "letters by post: record letters the post returned")
    mail.add_argument("action", choices=["returned"],
                      help="returned: letters the post sent back (their people move to the next channel)")
    mail.add_argument("incident_id", metavar="INCIDENT_ID", help=ID_HELP)
    mail.add_argument("file", metavar="FILE.csv",
                      help="delivery_id column (the letter's reference), optional reason, returned_at")
    mail.add_argument("--actor", default=os.environ.get("USER") or "cli",
                      help="who records it (default: the login name)")
    hold = add("hold", cmd_hold, "law-enforcement delay: hold, release or list (audited)")
    hold.add_argument("first", metavar="INCIDENT_ID", help="the incident (or `list INCIDENT_ID`)")
    hold.add_argument("second", nargs="?", help=argparse.SUPPRESS)
    hold.add_argument("--agency", help="the law-enforcement agency that asked for the delay")
    hold.add_argument("--until", metavar="TIME", help="when the delay ends (ISO 8601, with zone)")
    hold.add_argument("--jurisdiction", metavar="CODE", nargs="+", action="extend",
                      help="the jurisdictions whose individual notices wait (e.g. US-CA)")
    hold.add_argument("--reason", help="why (recorded in the audit trail; no personal data)")
    hold.add_argument("--release", metavar="ID", type=int, help="end this hold now")
    hold.add_argument("--list", action="store_true", help="the holds and what waits")
    hold.add_argument("--json", action="store_true", help="with --list: as JSON")
    hold.add_argument("--actor", default=os.environ.get("USER") or "cli",
                      help="who records it (default: the login name)")
    codes = add("codes", cmd_codes, "the remedy vendor's activation codes: load a code file")
    codes.add_argument("action", choices=["load"], help="load: add the codes of FILE to the pool")
    codes.add_argument("incident_id", metavar="INCIDENT_ID", help=ID_HELP)
    codes.add_argument("file", metavar="FILE", help="one code per line, or a CSV with a code column")
    sandbox = add("sandbox", cmd_sandbox, "local SendGrid/Twilio/push stand-ins with an inbox page")
    del sandbox  # its options are the sandbox's own: `breachflow sandbox --help`
    return root


# Commands about an incident already recorded: without a database they find nothing, and
# must not leave an empty one behind (`register` says so and lists nothing).
EXISTING_INCIDENT = ("status", "audit", "export", "resume", "purge", "sending", "resolve", "mail",
                     "filed", "hold", "codes")


def _database_for(args: argparse.Namespace) -> None:
    from incidents import db

    if args.command in EXISTING_INCIDENT and not db.exists():
        named = getattr(args, "incident_id", None) or getattr(args, "second", None) or getattr(
            args, "first", None)
        raise NotFound(f"no incident {named!r}: there is no breachflow database at "
                       f"{db.location()} (set BREACHFLOW_HOME to the folder that holds it)")


def _quiet_stdout() -> None:
    """Point stdout at /dev/null so that the interpreter's final flush does not complain."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["sandbox"]:
        return cmd_sandbox(argparse.Namespace(sandbox_args=argv[1:]))
    args = parser().parse_args(argv)
    config.keep_files_private()
    try:
        _database_for(args)
        return int(args.handler(args))
    except InputError as error:
        print(f"breachflow: {error}", file=sys.stderr)
        return 2
    except NotFound as error:
        from incidents import db

        # Which database was looked in: the usual cause is another BREACHFLOW_HOME.
        where = "" if "database" in str(error) else f" (looked in the database at {db.location()})"
        print(f"breachflow: {error}{where}", file=sys.stderr)
        return 2
    except StepFailed as error:
        print(f"breachflow: {error}", file=sys.stderr)
        return 1
    except BreachflowError as error:
        print(f"breachflow: {error}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        # `breachflow status X | head`: the reader left; leave quietly, as Unix tools do.
        _quiet_stdout()
        return 141
    except (KeyboardInterrupt, Interrupted) as error:
        # Everything done so far is checkpointed in the database: say how to go on, no trace.
        from incidents.cli_gates import interrupted

        print(interrupted(str(error) if isinstance(error, Interrupted) else "INCIDENT_ID"),
              file=sys.stderr)
        return 130
    except Exception as error:
        if os.environ.get("BREACHFLOW_DEBUG"):
            raise
        from incidents.privacy import redact

        # Only a response that ran can be resumed; a read command has nothing to continue.
        then = "; `breachflow resume` continues" if args.command in ("run", "resume", "demo") else ""
        print(f"breachflow: failed: {redact(f'{type(error).__name__}: {error}')} "
              f"(set BREACHFLOW_DEBUG=1 for the traceback{then})",
              file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
