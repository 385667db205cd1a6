"""The plan's timeline chart (SVG and PNG): every obligation from the awareness time to its
deadline, the time it takes to send each channel's queue from now, and what is at risk.

Jurisdictions, audiences, channels, counts and times only: no personal data."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from incidents.assessment.plan import Plan

STEM = "plan-timeline"
ROW_INCHES = 0.32
OK, RISK, NONE = "#4c78a8", "#d62728", "#9e9e9e"


def _time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None


def _ascii(text: str) -> str:
    """The bundled font has no CJK glyphs: keep the English words of a rule ("immediately")."""
    kept = "".join(ch for ch in text if ord(ch) < 0x2E80)
    return re.sub(r"\s*\(\s*\)", "", kept).strip()


def _lines(plan: Plan) -> list[dict[str, Any]]:
    """One line per obligation (jurisdiction x audience), its channels folded in."""
    found: dict[tuple[str, str, str], dict[str, Any]] = {}
    for row in plan.rows:
        if not row.required and not row.needs_review:
            continue
        recipient = row.recipient if row.audience != "individuals" else None
        label = f"{row.jurisdiction} {row.audience}" + (
            f": {_ascii(recipient)[:28]}" if recipient else "")
        line = found.setdefault((row.jurisdiction, row.audience, recipient or ""), {
            "label": label, "deadline": _time(row.deadline), "rule": _ascii(row.deadline_rule),
            "send_hours": 0.0, "at_risk": False, "count": 0})
        line["send_hours"] = max(line["send_hours"], row.queue_hours or 0.0)
        line["at_risk"] = line["at_risk"] or bool(row.at_risk)
        line["count"] += row.count or 0
    return sorted(found.values(), key=lambda ln: (
        ln["deadline"] is None, ln["deadline"].timestamp() if ln["deadline"] else 0.0, ln["label"]))


def write(plan: Plan, out_dir: Path, *, title: str) -> dict[str, Path]:
    """Write plan-timeline.svg and .png into `out_dir`; returns their paths."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt

    # matplotlib.dates is untyped: cast once instead of silencing every call.
    num = cast(Callable[[datetime], float], mdates.date2num)
    dates = cast(Any, mdates)
    lines = _lines(plan)
    aware = _time(plan.aware_at)
    now = _time(plan.generated_at)
    if aware is None or now is None:
        raise ValueError("the plan has no awareness or generation time")
    height = max(2.5, 1.6 + ROW_INCHES * max(1, len(lines)))
    fig, ax = plt.subplots(figsize=(11, height))
    try:
        for y, line in enumerate(lines):
            color = RISK if line["at_risk"] else OK
            if line["deadline"] is not None:
                ax.barh(y, num(line["deadline"]) - num(aware),
                        left=num(aware), height=0.5, color=color, alpha=0.25)
                ax.plot([num(line["deadline"])], [y], marker="|", markersize=14,
                        color=color)
            else:
                ax.plot([num(aware)], [y], marker="o", color=NONE)
                ax.annotate(line["rule"][:70], (num(aware), y), xytext=(8, -3),
                            textcoords="offset points", fontsize=7, color=NONE)
            if line["send_hours"]:
                ax.barh(y, line["send_hours"] / 24, left=num(now), height=0.22,
                        color=color)
        ax.axvline(num(aware), color="black", linewidth=1)
        ax.axvline(num(now), color="black", linewidth=1, linestyle="--")
        ax.set_yticks(range(len(lines)))
        ax.set_yticklabels([f"{ln['label']} ({ln['count']:,})" for ln in lines], fontsize=8)
        ax.set_ylim(len(lines) - 0.5, -0.5)  # first deadline on top, no empty margins
        ax.xaxis_date()
        ax.xaxis.set_major_formatter(dates.DateFormatter("%Y-%m-%d"))
        ax.tick_params(axis="x", labeltop=len(lines) > 25)  # long charts: dates on top too
        fig.autofmt_xdate()
        ax.set_title(f"{title}: obligations from awareness ({plan.aware_at}, solid line) to "
                     "deadline; dashed line now, thin bars: time to send each channel's queue; "
                     "red: at risk", fontsize=9, loc="left", wrap=True)
        ax.grid(axis="x", alpha=0.3)
        fig.tight_layout()
        out_dir.mkdir(parents=True, exist_ok=True)
        paths = {"svg": out_dir / f"{STEM}.svg", "png": out_dir / f"{STEM}.png"}
        fig.savefig(paths["svg"], format="svg", metadata={"Date": None})
        fig.savefig(paths["png"], format="png", dpi=110)
    finally:
        plt.close(fig)
    return paths
