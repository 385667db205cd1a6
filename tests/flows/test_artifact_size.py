"""A Prefect card stays under the size Prefect accepts: the documents card of a large incident
(a line per rendered notice) failed the run at 200,000 people."""

from __future__ import annotations

from flows import artifacts


def test_a_card_too_long_for_prefect_is_cut_at_a_line_and_says_so():
    lines = ["| jurisdictions × locale × channel | recipients |", "|---|---:|"]
    lines += [f"| US-CA, US-NY × en-US × email {n} | {n} |" for n in range(40_000)]
    card = artifacts.bounded("\n".join(lines))
    assert len(card.encode("utf-8")) <= artifacts.MARKDOWN_MAX_BYTES
    assert card.endswith("every document is in the output folder)")
    # Cut at a line end: no half row before the note.
    assert card.split("\n\n(cut here")[0].endswith(" |")


def test_a_short_card_is_left_as_it_is():
    text = "# Documents\n\n| a | b |\n|---|---|\n| 1 | 2 |"
    assert artifacts.bounded(text) == text
