"""Issue 15 point 3: a report with anything left to complete is a draft in its state, its title
and its file name; its filing gate lists what is missing; no table points at a sample notice
that is not attached."""

from __future__ import annotations

import json
from pathlib import Path

from sqlmodel import select

from flows import gates
from incidents import db
from incidents.models import RegulatorReport
from incidents.notices import reports
from incidents.records import filing
from incidents.sqltypes import utcnow
from tests.security.helpers import prepared


def test_a_report_with_anything_to_complete_is_a_draft_everywhere(home, demo_files, tmp_path) -> None:
    out = tmp_path / "out"
    incident_id = prepared(demo_files, out)
    reports.generate(incident_id, out_dir=out)
    with db.session() as s:
        rows = s.exec(select(RegulatorReport).where(RegulatorReport.incident_id == incident_id)).all()
        states = {r.id: filing.report_state(r, None, now=utcnow()) for r in rows}
    drafts = [r for r in rows if r.to_complete]
    assert drafts, "the demo incident leaves something to complete in some report"
    for report in rows:
        html = Path(next(f for f in report.files if f.endswith(".html"))).read_text(encoding="utf-8")
        data = json.loads(Path(next(f for f in report.files if f.endswith(".json"))).read_text())
        title = html[html.index("<h1>") : html.index("</h1>")]
        if report.to_complete:
            assert states[report.id] == "draft" and data["report"]["state"] == "draft"
            assert all("DRAFT" in Path(f).name for f in report.files)
            assert "DRAFT" in title or "草稿" in title or "下書き" in title
            assert "complete report" not in html
        else:
            assert not any("DRAFT" in Path(f).name for f in report.files)
            assert "DRAFT" not in title
        # Internal codes are not how a reviewer reads what is missing.
        assert not any("_" in item for item in report.to_complete)
        # A table that points at the attached sample has the sample attached.
        if "sample_notice" not in data["report"]["elements"] or data["sample_notice"] is None:
            assert "attached below" not in html and "见所附告知书样本" not in html

    summary = gates.filing_summary(incident_id)
    for report in drafts:
        line = next(
            x for x in summary.splitlines() if x.startswith(f"- {report.jurisdiction} ({report.recipient}): ")
        )
        assert "draft" in line
        assert all(item in summary for item in report.to_complete)
