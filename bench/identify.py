"""Benchmark of affected-user identification at the scale of a real breach (not a test).

    .venv/bin/python bench/identify.py                        # 2,000,000 people, 1,000,000 records
    .venv/bin/python bench/identify.py --people 20000 200000 2000000
    .venv/bin/python bench/identify.py --people 200000 2000000 --records 100000   # memory vs directory
    .venv/bin/python bench/identify.py --format parquet

For each directory size it generates (once, cached in --data) a directory across every supported
jurisdiction and an export of affected records (by default half as many records as people, about
0.8 people per record, 1 % unknown ids), then, each in a fresh process so that peak RSS is its own:

* ours: the identification stage as the flow runs it — `steps.run(incident, "identification",
  stages.identification_stage)` on a SQLite database (WAL) — wall time, records/s, peak RSS;
* floor: the bare join of the same files in a columnar engine (DuckDB when installed — the
  `bench` extra — else pyarrow): fold the records per person, join the directory, materialise;

* writing only: the same number of AffectedSubject rows, built in advance, through the stage's
  own writer into SQLite — what storing the people costs in any design;

and prints the ratio ours / floor. With a fixed --records, the rows show how memory behaves as
only the directory grows."""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _peak_rss_mib() -> float:
    """This process's peak resident memory. VmHWM where there is /proc: ru_maxrss would also
    count the peak of the parent that forked us (Linux keeps it across exec)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux and BSD: KiB


def _inputs(data: Path, people: int, records: int, kind: str) -> tuple[Path, Path]:
    from bench import people_data

    data.mkdir(parents=True, exist_ok=True)
    directory = data / f"directory-{people}.csv"
    affected = data / f"affected-{people}-{records}.csv"
    if not directory.exists():
        started = time.monotonic()
        people_data.write_directory(directory.with_suffix(".tmp"), people)
        directory.with_suffix(".tmp").rename(directory)
        print(f"  generated {directory.name} in {time.monotonic() - started:.0f}s", flush=True)
    if not affected.exists():
        people_data.write_affected(affected.with_suffix(".tmp"), records, directory_people=people)
        affected.with_suffix(".tmp").rename(affected)
    if kind != "csv":
        return people_data.convert(affected, kind), people_data.convert(directory, kind)
    return affected, directory


# -- the two measured runs, each in its own process ------------------------------------------

def run_ours(affected: str, directory: str) -> dict[str, Any]:
    scratch = Path(tempfile.mkdtemp(prefix="breachflow-bench-"))
    os.environ["BREACHFLOW_HOME"] = str(scratch / "home")
    os.environ["BREACHFLOW_OUT"] = str(scratch / "out")
    os.environ.pop("BREACHFLOW_DATABASE_URL", None)
    from incidents import db, org, payload, pipeline, service, steps
    from incidents.models import IncidentCreate, IncidentSources, RunSettings

    incident = payload.parse({
        "external_id": "BENCH-IDENTIFY", "title": "Benchmark: customer database exfiltrated",
        "detected_at": datetime.now(UTC).isoformat(), "data_categories": ["name", "email", "phone"],
        "breach_types": ["confidentiality"], "cause": "external_attack", "contained": True})
    with db.session() as s:
        incident_in = IncidentCreate.from_payload(
            incident, org=org.load(None), actor="bench",
            sources=IncidentSources(affected=affected, directory=directory),
            settings=RunSettings(out=str(scratch / "out")))
        created, _ = service.create_incident(session=s, incident_in=incident_in, actor="bench")
        incident_id = created.id
    before = _peak_rss_mib()
    started, cpu = time.perf_counter(), time.process_time()
    outcome = steps.run(incident_id, "identification", pipeline.identification_stage)
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    database = Path(os.environ["BREACHFLOW_HOME"]) / "breachflow.db"
    return {"wall": wall, "cpu": cpu, "peak_rss_mib": _peak_rss_mib(), "rss_before_mib": before,
            "outcome": {k: v for k, v in outcome.items() if not isinstance(v, dict)},
            "database_mib": sum(p.stat().st_size for p in database.parent.glob("breachflow.db*"))
            / 2**20, "scratch": str(scratch)}


def run_store(rows: str) -> dict[str, Any]:
    """Only the writing: `rows` AffectedSubject rows, already built, through the stage's own
    writer into a fresh SQLite database. No design that keeps the people in the database can
    take less than this."""
    scratch = Path(tempfile.mkdtemp(prefix="breachflow-bench-"))
    os.environ["BREACHFLOW_HOME"] = str(scratch / "home")
    os.environ.pop("BREACHFLOW_DATABASE_URL", None)
    from incidents import db, org, payload, service
    from incidents.identification import matching
    from incidents.models import IncidentCreate

    incident = payload.parse({
        "external_id": "BENCH-STORE", "title": "Benchmark: writing only",
        "detected_at": datetime.now(UTC).isoformat(), "data_categories": ["name", "email"],
        "breach_types": ["confidentiality"], "cause": "external_attack", "contained": True})
    with db.session() as s:
        incident_in = IncidentCreate.from_payload(incident, org=org.load(None), actor="bench")
        incident_id = service.create_incident(session=s, incident_in=incident_in, actor="bench")[0].id
    built = [matching.SubjectRow(
        incident_id=incident_id, subject_id=f"user-{n:08d}", in_directory=1, records=2,
        data_categories='["email","name"]', full_name=f"Person {n}",
        email=f"person.{n}@mail.example", phone=f"+4420{n:08d}", phone_type="mobile",
        push_target=None, country="GB", region=None, locale="en-GB", birth_date=None, minor=0,
        guardian_email=None, guardian_phone=None, postal_address=None, jurisdictions='["GB"]',
        channels='["email","sms","voice"]', unreachable=0) for n in range(int(rows))]
    started = time.perf_counter()
    with db.session() as s:
        writer = matching._Writer(s.connection(), matching._People.COLUMNS)
        for row in built:
            writer.add(row)
        writer.flush()
    wall = time.perf_counter() - started
    subprocess.run(["rm", "-rf", str(scratch)], check=False)
    return {"wall": wall, "rows": int(rows)}


def run_floor(affected: str, directory: str) -> dict[str, Any]:
    try:
        import duckdb
    except ImportError:
        return _pyarrow_floor(affected, directory)
    started, cpu = time.perf_counter(), time.process_time()
    connection = duckdb.connect()

    def scan(path: str) -> str:
        if path.endswith(".parquet"):
            return f"read_parquet('{path}')"
        if path.endswith(".jsonl"):
            return f"read_json('{path}', format='newline_delimited')"
        return f"read_csv('{path}', all_varchar=true, ignore_errors=true)"

    joined = connection.sql(f"""
        WITH folded AS (
            SELECT subject_id, count(*) AS records, string_agg(data_categories, ';') AS categories
            FROM {scan(affected)} GROUP BY subject_id)
        SELECT folded.*, d.* EXCLUDE (subject_id)
        FROM folded LEFT JOIN {scan(directory)} d USING (subject_id)""").to_arrow_table()  # noqa: S608 - bench paths
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    return {"engine": f"DuckDB {duckdb.__version__}", "wall": wall, "cpu": cpu, "rows": joined.num_rows,
            "peak_rss_mib": _peak_rss_mib()}


def _pyarrow_floor(affected: str, directory: str) -> dict[str, Any]:
    import pyarrow as pa
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    def load(path: str) -> Any:
        if path.endswith(".parquet"):
            return pq.read_table(path)
        with open(path, encoding="utf-8") as handle:
            names = handle.readline().strip().split(",")
        return pacsv.read_csv(path, convert_options=pacsv.ConvertOptions(
            column_types={n: pa.string() for n in names}),
            parse_options=pacsv.ParseOptions(invalid_row_handler=lambda _row: "skip"))

    started, cpu = time.perf_counter(), time.process_time()
    folded = load(affected).group_by("subject_id").aggregate(
        [("subject_id", "count"), ("data_categories", "list")])
    joined = folded.join(load(directory), "subject_id", join_type="left outer")
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    return {"engine": f"pyarrow {pa.__version__}", "wall": wall, "cpu": cpu, "rows": joined.num_rows,
            "peak_rss_mib": _peak_rss_mib()}


def _child(which: str, *paths: Path | str) -> dict[str, Any]:
    found = subprocess.run([sys.executable, __file__, f"--child={which}", *map(str, paths)],
                           capture_output=True, text=True, check=False)
    if found.returncode != 0:
        raise SystemExit(f"{which} run failed:\n{found.stderr[-4000:]}")
    result: dict[str, Any] = json.loads(found.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--people", type=int, nargs="+", default=[2_000_000],
                        help="directory sizes to run (default 2,000,000)")
    parser.add_argument("--records", type=int, help="affected records (default people / 2)")
    parser.add_argument("--format", choices=("csv", "parquet", "jsonl"), default="csv")
    parser.add_argument("--data", type=Path, default=Path(tempfile.gettempdir()) / "breachflow-bench-data")
    parser.add_argument("--no-floor", action="store_true")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("paths", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        run = {"ours": run_ours, "floor": run_floor, "store": run_store}[args.child]
        print(json.dumps(run(*args.paths)))
        return

    print(f"bench/identify.py: {os.cpu_count()} cores, inputs as {args.format}, SQLite (WAL)")
    rows = []
    for people in args.people:
        records = args.records or people // 2
        affected, directory = _inputs(args.data, people, records, args.format)
        ours = _child("ours", affected, directory)
        floor = None if args.no_floor else _child("floor", affected, directory)
        o = ours["outcome"]
        store = _child("store", str(o["subjects"]))
        rows.append((people, records, ours, floor, store))
        print(f"\n{people:,} directory rows, {records:,} affected records "
              f"({o['subjects']:,} people, {o['unknown_ids']:,} unknown ids, "
              f"{o['in_directory']:,} in the directory); load average {os.getloadavg()[0]:.1f}")
        print(f"  identification: {ours['wall']:.1f} s ({ours['cpu']:.1f} s CPU), "
              f"{records / ours['wall']:,.0f} records/s, "
              f"peak RSS {ours['peak_rss_mib']:,.0f} MiB (before the stage "
              f"{ours['rss_before_mib']:,.0f} MiB), database {ours['database_mib']:,.0f} MiB")
        print("  quality: " + ", ".join(f"{k} {o[k]:,}" for k in (
            "unparsed_rows", "directory_unparsed_rows", "duplicate_directory_ids",
            "invalid_emails", "invalid_phones", "unknown_jurisdiction", "minors", "unreachable")))
        if floor:
            print(f"  floor ({floor['engine']}, bare join): {floor['wall']:.2f} s "
                  f"({floor['cpu']:.1f} s CPU), "
                  f"peak RSS {floor['peak_rss_mib']:,.0f} MiB, {floor['rows']:,} rows")
            print(f"  ratio ours / floor: {ours['wall'] / floor['wall']:.1f}x")
        print(f"  writing the {store['rows']:,} rows alone (built in advance, the stage's "
              f"writer, SQLite): {store['wall']:.1f} s"
              + (f" = {store['wall'] / floor['wall']:.1f}x the floor" if floor else ""))
        subprocess.run(["rm", "-rf", ours["scratch"]], check=False)
    if len(rows) > 1:
        print("\n    people    records    wall s    CPU s   records/s   peak RSS MiB   floor s   ratio"
              "   writing s")
        for people, records, ours, floor, store in rows:
            ratio = f"{ours['wall'] / floor['wall']:.1f}x" if floor else "-"
            floor_s = f"{floor['wall']:.2f}" if floor else "-"
            print(f"{people:>10,} {records:>10,} {ours['wall']:>9.1f} {ours['cpu']:>8.1f} "
                  f"{records / ours['wall']:>11,.0f} "
                  f"{ours['peak_rss_mib']:>14,.0f} {floor_s:>9} {ratio:>7} {store['wall']:>11.1f}")


if __name__ == "__main__":
    main()
