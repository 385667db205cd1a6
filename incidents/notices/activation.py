"""Activation codes of the remedy: the vendor supplies a code file, each person gets one code.

California wants "all information necessary to take advantage of the offer" (Cal. Civ. Code
§ 1798.82(d)(2)(G)); for a monitoring service that is the enrolment address, the enrol-by date
and the person's own activation code. The vendor's codes are loaded into a pool (the org's
`remedy.codes_file`, or `breachflow codes load`), and `allocate` gives every affected person one
code, once: a re-run allocates only to people who have none. Too few codes stop the step with
the numbers and what to do; nothing is sent without a code in it.

A code is a credential: it goes into the person's notice (`ACTIVATION_CODE` is replaced per
message) and nowhere else. Functions here return counts; errors name counts, never a code.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Final

from sqlalchemy import func, insert, update
from sqlmodel import Session, col, select

from incidents import db, service
from incidents.exceptions import BreachflowError, InputError
from incidents.models import ActivationCode, AffectedSubject
from incidents.sqltypes import utcnow

# What the rendered notice carries until the channel adapter puts the person's code in.
ACTIVATION_CODE: Final = "ActivationCodePlaceholder"
_CODE: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{3,63}")


class CodesExhausted(BreachflowError):
    """Fewer unused codes than people without one."""


def read_file(path: Path) -> list[str]:
    """The vendor's codes: one per line, or a CSV with a `code` column. A malformed line is an
    error naming its line number, not its content."""
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(
            f"activation codes: cannot read {path.name} ({type(error).__name__})", field="codes"
        ) from None
    if lines and "code" in [c.strip().lower() for c in next(csv.reader([lines[0]]))]:
        rows = csv.DictReader(lines)
        key = next(name for name in rows.fieldnames or [] if name.strip().lower() == "code")
        found = [(n, (row.get(key) or "").strip()) for n, row in enumerate(rows, start=2)]
    else:
        found = [(n, line.strip()) for n, line in enumerate(lines, start=1)]
    codes = []
    for number, code in found:
        if not code:
            continue
        if not _CODE.fullmatch(code):
            raise InputError(
                f"activation codes: line {number} of {path.name} is not a code "
                "(4-64 letters, digits or hyphens)",
                field="codes",
            )
        codes.append(code)
    if not codes:
        raise InputError(f"activation codes: {path.name} holds no codes", field="codes")
    return codes


def load(*, incident_id: str, path: Path) -> dict[str, int]:
    """Add the file's codes to the incident's pool; codes already there are skipped."""
    codes = read_file(path)
    with db.session() as s:
        incident = service.get_incident(session=s, incident_id=incident_id)
        return _load(s, incident.id, codes)


def _load(s: Session, incident_id: str, codes: list[str]) -> dict[str, int]:
    # A code enrols one person: the same vendor file loaded for two incidents would give one
    # code to two people.
    elsewhere = 0
    for start in range(0, len(codes), 5000):
        elsewhere += s.exec(select(func.count()).select_from(ActivationCode).where(
            ActivationCode.incident_id != incident_id,
            col(ActivationCode.code).in_(codes[start : start + 5000]))).one()
    if elsewhere:
        raise InputError(
            f"activation codes: {elsewhere} of these codes are already loaded for another "
            "incident; a code enrols one person: ask the remedy vendor for codes of their own",
            field="codes")
    known = set(s.exec(select(ActivationCode.code).where(ActivationCode.incident_id == incident_id)))
    now = utcnow()
    new = [
        {"incident_id": incident_id, "code": c, "loaded_at": now}
        for c in dict.fromkeys(codes)
        if c not in known
    ]
    for start in range(0, len(new), 5000):
        s.execute(insert(ActivationCode), new[start : start + 5000])
    return {"loaded": len(new), "already_loaded": len(known & set(codes))}


def wanted(org: dict[str, Any]) -> bool:
    offer = org.get("remedy") or {}
    return bool(isinstance(offer, dict) and offer.get("activation_codes"))


def allocate(incident_id: str) -> dict[str, int]:
    """One code for every affected person who has none; counts only. Loads the org's
    `remedy.codes_file` first when the pool is empty."""
    with db.session() as s:
        incident = service.get_incident(session=s, incident_id=incident_id)
        if not wanted(incident.org):
            return {}
        pool = s.exec(
            select(func.count()).select_from(ActivationCode).where(ActivationCode.incident_id == incident.id)
        ).one()
        codes_file = incident.org["remedy"].get("codes_file")
        if not pool and codes_file:
            _load(s, incident.id, read_file(Path(codes_file)))
        has_code = select(ActivationCode.subject_pk).where(
            ActivationCode.incident_id == incident.id, col(ActivationCode.subject_pk).is_not(None)
        )
        needy = list(
            s.exec(
                select(AffectedSubject.id)
                .where(AffectedSubject.incident_id == incident.id, col(AffectedSubject.id).not_in(has_code))
                .order_by(col(AffectedSubject.id))
            )
        )
        free = list(
            s.exec(
                select(ActivationCode.id)
                .where(ActivationCode.incident_id == incident.id, col(ActivationCode.subject_pk).is_(None))
                .order_by(col(ActivationCode.id))
                .limit(len(needy))
            )
        )
        if len(free) < len(needy):
            raise CodesExhausted(
                f"activation codes: {len(needy)} people need one, {len(free)} unused codes are "
                f"loaded; ask the remedy vendor for at least {len(needy) - len(free)} more, load "
                f"them with `breachflow codes load {incident.external_id} FILE` and resume"
            )
        now = utcnow()
        for code_id, pk in zip(free, needy, strict=False):
            s.execute(
                update(ActivationCode)
                .where(col(ActivationCode.id) == code_id)
                .values(subject_pk=pk, allocated_at=now)
            )
        left = s.exec(
            select(func.count())
            .select_from(ActivationCode)
            .where(ActivationCode.incident_id == incident.id, col(ActivationCode.subject_pk).is_(None))
        ).one()
        return {"codes_allocated": len(needy), "codes_left": int(left)}


def codes_for(session: Session, *, incident_id: str, subject_pks: Iterable[int]) -> dict[int, str]:
    """subject_pk -> their code, for the people of one batch."""
    wanted_pks = list(set(subject_pks))
    found: dict[int, str] = {}
    for start in range(0, len(wanted_pks), 5000):
        for pk, code in session.exec(
            select(ActivationCode.subject_pk, ActivationCode.code).where(
                ActivationCode.incident_id == incident_id,
                col(ActivationCode.subject_pk).in_(wanted_pks[start : start + 5000]),
            )
        ):
            found[int(pk or 0)] = code
    return found
