"""10. Text from the webhook (title, summary, measures) stays text in the Markdown report:
no raw HTML, no links or images it did not have."""

from __future__ import annotations

import re
from pathlib import Path

from sqlmodel import select

from incidents import db
from incidents.models import RegulatorReport
from incidents.notices import reports
from tests.security.helpers import incident_file, prepared

HOSTILE = ('<script>alert(1)</script><img src=x onerror=alert(2)> '
           '[verify your account](https://phish.example/login) '
           '![t](https://tracker.example/pixel.png)')


def test_webhook_markup_is_escaped_in_the_markdown_report(home, demo_files, tmp_path):
    out = tmp_path / "out"
    incident_id = prepared(demo_files, out, until="assessment", incident=incident_file(
        demo_files, tmp_path, title="Breach " + HOSTILE[:200], summary=HOSTILE,
        measures_taken=HOSTILE))
    assert reports.generate(incident_id, out_dir=out)["reports"] >= 1
    with db.session() as s:
        # Reports in English quote the incident's own words; the others do not quote them.
        files = [f for r in s.exec(select(RegulatorReport)) for f in r.files
                 if f.endswith(".md") and reports.language_of(r.jurisdiction) == "en"]
    assert files
    for path in files:
        markdown = Path(path).read_text(encoding="utf-8")
        assert "phish.example" in markdown  # the text is there ...
        assert "<script" not in markdown and "<img" not in markdown  # ... but no raw HTML,
        assert not re.search(r"(?<!\\)\]\(https://phish", markdown)  # no link,
        assert "![t]" not in markdown  # no image
