"""The methods of individual notice a law accepts, with their citations.

A notice on another method may still go out as a courtesy, but it does not make the person
notified under that law. Where a law accepts electronic notice only with the person's consent
under E-SIGN (15 U.S.C. § 7001(c)), e-mail counts only for people who consented."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from regulators.rules import Mark

# The individual-notice channels breachflow delivers on.
CHANNELS: Final = frozenset({"email", "sms", "voice", "push", "letter"})


@dataclass(frozen=True)
class NoticeMethods:
    channels: frozenset[str]
    citation: str
    verification: Mark
    # Of `channels`, those lawful only for people who consented to electronic notice.
    consent_needed: frozenset[str] = frozenset()

    def lawful(self, channel: str, *, consent: bool) -> bool:
        return channel in self.channels and (consent or channel not in self.consent_needed)


ANY_DIRECT: Final = NoticeMethods(
    CHANNELS, "no method prescribed: any effective direct means", "S")
WRITTEN_OR_ESIGN: Final = NoticeMethods(
    frozenset({"letter", "email"}),
    "written notice, or electronic notice consistent with E-SIGN, 15 U.S.C. § 7001", "S",
    consent_needed=frozenset({"email"}))


def us_state(citation: str, verification: Mark, *, telephone: bool = False,
             email_without_consent: bool = False) -> NoticeMethods:
    """A US statute's methods: written notice, E-SIGN electronic notice, and where the statute
    lists it, telephone."""
    channels = {"letter", "email"} | ({"voice"} if telephone else set())
    return NoticeMethods(frozenset(channels), citation, verification,
                         consent_needed=frozenset() if email_without_consent else frozenset({"email"}))
