"""8. Different external ids never share a name: each incident gets its own output folder and
its own forensics file, so people of one breach cannot be notified for another."""

from __future__ import annotations

import json

from tests.incidents.intake.conftest import incident_body, start_intake, stop


def test_ids_that_look_alike_get_their_own_folders_and_files(tmp_path):
    intake = start_intake(tmp_path, extra_env={
        "BREACHFLOW_AFFECTED": str(tmp_path / "forensics" / "{external_id}" / "affected.csv")})
    try:
        for external_id in ("SIEM/1", "SIEM_1", "SIEM 1", "siem_1", "SIEM..1"):
            assert intake.post(incident_body(external_id)).status_code in (200, 202)
        rows = intake.query("SELECT external_id, sources, settings FROM incident")
    finally:
        stop(intake)
    outs = {json.loads(settings)["out"] for _, _, settings in rows}
    affected = {json.loads(sources)["affected"] for _, sources, _ in rows}
    assert len(rows) == 5 and len(outs) == 5 and len(affected) == 5
    # A plain id keeps its folder's name; a later id differing only in letter case gets its
    # hash, so a case-insensitive file system (macOS, Windows) still tells them apart.
    folders = {external_id: json.loads(settings)["out"].rsplit("/", 1)[1]
               for external_id, _, settings in rows}
    assert folders["SIEM_1"] == "SIEM_1"
    assert folders["siem_1"].startswith("siem_1~")
    assert len({o.lower() for o in outs}) == 5


def test_the_mapping_is_injective_on_many_near_collisions():
    from incidents.names import safe_name

    ids = [f"{a}{sep}{b}" for a in ("SIEM", "siem", "S") for sep in "/_ .-:~\\%?#é"
           for b in ("1", "01", "1/", "")]
    names = [safe_name(i) for i in ids]
    assert len(set(names)) == len(set(ids))
    assert all(n not in (".", "..") and "/" not in n and "?" not in n and len(n) <= 130
               for n in names)
