"""RegulatorContract: what every jurisdiction module must satisfy (holidays' CommonCountryTests).

A jurisdiction's test class subclasses it and sets `code` and `marks` (citation -> the marks
docs/law/rules.md gives the rules behind that citation); it is not collected on its own.
"""

from __future__ import annotations

import inspect
import itertools
import json
from datetime import timedelta
from typing import ClassVar

import pytest

from regulators import ObligationDraft, OrgFacts, Regulator, get_regulator
from regulators.content import ELEMENTS
from regulators.vocab import AUDIENCES, CHANNELS
from tests.regulators import facts

CATEGORY_SETS = (
    facts.ID_THEFT, facts.CREDENTIALS, facts.CONTACT_ONLY, facts.HEALTH, facts.CARD,
    frozenset({"name", "biometric", "religion", "precise_location"}),
)
ORGS = (
    facts.ORG,
    OrgFacts(establishment="US", hipaa_covered_entity=True, critical_infrastructure=True),
    OrgFacts(establishment=None, hipaa_covered_entity=False, critical_infrastructure=False,
             state_organ=True, dfs_regulated=True),
)
COUNTS = (0, 1, 250, 500, 501, 1_000, 10_001, 600_000)


def scenarios() -> list[tuple[str, dict[str, object]]]:
    """A spread of facts: categories x encryption x counts x contactability x orgs."""
    out = []
    for i, (cats, (enc, key), n) in enumerate(itertools.product(
        CATEGORY_SETS, ((False, False), (True, False), (True, True)), COUNTS
    )):
        out.append((f"{sorted(cats)}-enc{enc}-key{key}-{n}", {
            "subjects": n, "data_categories": cats, "encrypted": enc, "key_compromised": key,
            "org": ORGS[i % len(ORGS)], "minors": n // 100, "unreachable": n // 50,
            "cost": 300_000.0 if i % 2 else None,
            "law_enforcement_delay": i % 5 == 0,
            "breach_types": frozenset({"availability"}) if i % 7 == 0 else frozenset(
                {"confidentiality"}),
        }))
    return out


SCENARIOS = scenarios()


class RegulatorContract:
    code: ClassVar[str]
    # citation -> marks that docs/law/rules.md gives the rule(s) behind it.
    marks: ClassVar[dict[str, frozenset[str]]]

    @pytest.fixture(scope="class")
    @classmethod
    def regulator(cls) -> Regulator:
        return get_regulator(cls.code)

    @pytest.fixture(scope="class")
    @classmethod
    def drafts(cls, regulator: Regulator) -> list[tuple[str, ObligationDraft]]:
        out = []
        for name, kw in SCENARIOS:
            args = dict(kw)
            subjects = args.pop("subjects")
            for draft in facts.assess(regulator, subjects, **args)["all"]:
                out.append((name, draft))
        assert out, "the scenarios produced no obligation at all"
        return out

    def test_code_and_metadata(self, regulator: Regulator) -> None:
        assert regulator.code == self.code
        assert regulator.name
        doc = inspect.getmodule(type(regulator)).__doc__ or ""  # type: ignore[union-attr]
        assert "References:" in doc

    def test_every_obligation_cites_a_known_rule_with_its_mark(
        self, drafts: list[tuple[str, ObligationDraft]]
    ) -> None:
        for name, draft in drafts:
            assert draft.jurisdiction == self.code
            assert draft.citation in self.marks, (name, draft.citation)
            assert draft.verification in self.marks[draft.citation], (name, draft)

    def test_every_declared_duty_carries_its_rules_md_mark(self, regulator: Regulator) -> None:
        for duty in regulator.duties:
            assert duty.verification in self.marks.get(duty.citation, frozenset()), duty

    def test_unverified_rules_need_review(
        self, drafts: list[tuple[str, ObligationDraft]]
    ) -> None:
        for name, draft in drafts:
            if draft.verification == "U":
                assert draft.needs_review, (name, draft)

    def test_deadlines_are_utc_and_after_the_anchor(
        self, drafts: list[tuple[str, ObligationDraft]]
    ) -> None:
        for name, draft in drafts:
            if draft.deadline is None:
                assert draft.deadline_rule, (name, draft)
                continue
            assert draft.deadline.utcoffset() == timedelta(0), (name, draft)
            assert draft.deadline > facts.DETECTED, (name, draft)
            assert draft.relative_to is None

    def test_relative_deadlines_name_another_audience(
        self, drafts: list[tuple[str, ObligationDraft]]
    ) -> None:
        for name, draft in drafts:
            if draft.relative_to is not None:
                # "individuals", or "<jurisdiction>:<audience>" for another law's notice.
                other, _, audience = draft.relative_to.rpartition(":")
                assert audience in AUDIENCES, (name, draft)
                assert other or audience != draft.audience, (name, draft)
                assert not other or get_regulator(other).code == other
                assert draft.relative_days and draft.relative_days > 0, (name, draft)

    def test_vocabularies(self, drafts: list[tuple[str, ObligationDraft]]) -> None:
        for name, draft in drafts:
            assert draft.audience in AUDIENCES, (name, draft)
            assert set(draft.content) <= set(ELEMENTS), (name, draft)
            assert set(draft.prohibited_content) <= set(ELEMENTS), (name, draft)
            assert not set(draft.content) & set(draft.prohibited_content), (name, draft)
            assert set(draft.channels) <= set(CHANNELS), (name, draft)

    def test_every_obligation_gives_reasons_and_counts(
        self, drafts: list[tuple[str, ObligationDraft]]
    ) -> None:
        for name, draft in drafts:
            assert draft.reasons and all(r.strip() for r in draft.reasons), (name, draft)
            if draft.required and draft.audience == "individuals":
                assert draft.count, (name, draft)
            if draft.required and draft.audience not in ("individuals", "public"):
                assert draft.recipient, (name, draft)

    def test_individual_notice_declares_content(self, regulator: Regulator) -> None:
        individuals = [d for d in regulator.duties if d.audience == "individuals"]
        assert individuals and all(d.content for d in individuals)

    def test_nobody_affected_nobody_notified(self, regulator: Regulator) -> None:
        drafts = facts.assess(regulator, 0)["all"]
        assert not any(d.required for d in drafts if d.audience == "individuals")
        assert not regulator.triggered_by(frozenset(), facts.BASE)

    def test_rules_are_data(self, regulator: Regulator) -> None:
        described = regulator.describe()
        assert described["code"] == self.code
        assert json.loads(json.dumps(described, ensure_ascii=False)) == described
        for duty in described["duties"]:
            threshold = duty["threshold"]
            assert threshold["op"] in (">", ">=", "any")
            assert (threshold["value"] > 0) == (threshold["op"] != "any")
            assert duty["citation"] and duty["verification"] in ("V", "S", "U")

    def test_deterministic(self, regulator: Regulator) -> None:
        assert facts.assess(regulator, 700, unreachable=3)["all"] == facts.assess(
            regulator, 700, unreachable=3)["all"]
