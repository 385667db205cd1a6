"""Letters handed to a mail house as batch folders in `BREACHFLOW_MAIL_DIR`.

Each batch (the letters of one notice in one claimed batch) becomes a folder
`<BREACHFLOW_MAIL_DIR>/<incident id>/batch-<UTC time>-<claim>-<notice id>/` with

- `<delivery id>.pdf`: one print-ready letter per person (US Letter for the US and Canada,
  A4 elsewhere; the address placed for a window envelope);
- `print-us-letter.pdf`, `print-a4.pdf`: the batch's letters merged per paper size, in the
  manifest's order, for the printer;
- `manifest.csv`: `delivery_id, file, paper, pages, country, address_line_1 … address_line_7`,
  the lines as printed in the window (a line a spreadsheet would run as a formula starts with
  `'` there, never on the letter). No notice text.

File names carry delivery ids and our own ids only. The folder is written under a temporary name
and renamed when complete, so the mail house never picks up half a batch. Writing it is the
hand-over (`accepted`); a letter the post returns comes back with `breachflow mail returned`.
Reconciliation looks for a delivery id in the manifests already written, so a batch written just
before a crash is not printed twice."""

from __future__ import annotations

import csv
import io
import os
import shutil
import uuid
from datetime import datetime
from pathlib import Path
from typing import ClassVar, Final

from pypdf import PdfWriter

from incidents.channels import pacing
from incidents.channels.base import Channel, Outcome, Outgoing, Recorder, Result
from incidents.channels.letters import PrintedLetter, home_country, print_letter
from incidents.exceptions import ChannelHalted
from incidents.models import Notice
from incidents.sqltypes import utcnow

MAX_LINES: Final = 7  # the name, five address lines, the country
COLUMNS: Final = ("delivery_id", "file", "paper", "pages", "country",
                  *(f"address_line_{n}" for n in range(1, MAX_LINES + 1)))
MERGED: Final = {"letter": "print-us-letter.pdf", "a4": "print-a4.pdf"}
# The mail house opens the manifest in a spreadsheet: a name such as `=HYPERLINK(...)` from the
# directory would run there and could send the other rows' addresses away.
FORMULA_STARTS: Final = ("=", "+", "-", "@", "\t", "\r")


def _inert(line: str) -> str:
    return f"'{line}" if line.startswith(FORMULA_STARTS) else line


class MailHouseLetters(Channel):
    name: ClassVar[str] = "letter"
    batch_size = 200

    def __init__(self, *, folder: Path, pacer: pacing.Pacer | None = None) -> None:
        self.folder = folder
        self.pacer = pacer or pacing.default()

    @classmethod
    def from_env(cls) -> MailHouseLetters | None:
        folder = os.environ.get("BREACHFLOW_MAIL_DIR")
        return cls(folder=Path(folder)) if folder else None

    def send(self, *, notice: Notice, messages: list[Outgoing], claim_token: str,
             incident_ref: str, record: Recorder | None = None) -> list[Result]:  # noqa: ARG002
        home = home_country(notice.incident_id)
        printed: list[PrintedLetter] = []
        results: list[Result] = []
        for message in messages:
            try:
                printed.append(print_letter(notice, message, home=home))
            except (ValueError, IndexError):
                results.append(Result(message.delivery_id, Outcome.FAILED,
                                      error="letter-address-unusable"))
        if not printed:
            return results
        for _ in printed:
            self.pacer.acquire(self.name, 1.0)
        stamp = utcnow().strftime("%Y%m%dT%H%M%SZ")
        batch = f"batch-{stamp}-{claim_token[:8]}-{notice.id}"
        try:
            self._write(self.folder / notice.incident_id, batch, printed)
        except OSError as error:
            raise ChannelHalted(f"cannot write a letters batch into BREACHFLOW_MAIL_DIR "
                                f"({error.strerror or type(error).__name__})") from None
        return results + [Result(p.delivery_id, Outcome.ACCEPTED, provider_id=f"mail:{batch}")
                          for p in printed]

    def _write(self, parent: Path, batch: str, printed: list[PrintedLetter]) -> None:
        parent.mkdir(parents=True, exist_ok=True)
        partial = parent / f".partial-{uuid.uuid4().hex}"
        partial.mkdir()
        try:
            merged: dict[str, PdfWriter] = {}
            manifest = io.StringIO()
            writer = csv.writer(manifest, lineterminator="\n")
            writer.writerow(COLUMNS)
            for letter in printed:
                name = f"{letter.delivery_id}.pdf"
                (partial / name).write_bytes(letter.pdf)
                merged.setdefault(letter.paper, PdfWriter()).append(io.BytesIO(letter.pdf))
                lines = (letter.lines + [""] * MAX_LINES)[:MAX_LINES]
                writer.writerow([letter.delivery_id, name, letter.paper, letter.pages,
                                 letter.country, *map(_inert, lines)])
            for paper, pdf in merged.items():
                with open(partial / MERGED[paper], "wb") as handle:
                    pdf.write(handle)
            (partial / "manifest.csv").write_text(manifest.getvalue(), encoding="utf-8")
            partial.rename(parent / batch)
        except BaseException:
            shutil.rmtree(partial, ignore_errors=True)
            raise

    def reconcile(self, *, messages: list[Outgoing], notices: dict[int, Notice],
                  claim_token: str, since: datetime) -> dict[str, str | None]:  # noqa: ARG002
        """The batch that holds each delivery id, from the manifests already written."""
        wanted = {m.delivery_id for m in messages}
        found: dict[str, str | None] = dict.fromkeys(wanted)
        for incident_id in {n.incident_id for n in notices.values()}:
            for manifest in sorted((self.folder / incident_id).glob("batch-*/manifest.csv")):
                with open(manifest, encoding="utf-8", newline="") as handle:
                    for row in csv.DictReader(handle):
                        if row.get("delivery_id") in wanted:
                            found[row["delivery_id"]] = f"mail:{manifest.parent.name}"
        return found
