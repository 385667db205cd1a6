"""Who is a minor, per jurisdiction: the guardian is notified too, and below a second age (where the
law has one) all of the child's personal information is sensitive."""

from __future__ import annotations

from typing import Final

# Other jurisdictions and an unknown residence: the age of majority in every supported law.
DEFAULT_MINOR_AGE: Final = 18
# jurisdiction -> (minor below this age, all personal information sensitive below this age)
MINOR_AGES: Final[dict[str, tuple[int, int | None]]] = {
    # Regulations on the Online Protection of Minors (2024) [S]: a minor (under 18) and the
    # guardian are told; PIPL Art. 28 [U]: all personal information of a child under 14 is
    # sensitive.
    "CN": (18, 14),
    # DPDP Act s.2(f) [V]: a child is under 18; s.2(j) [V]: the parent is the Data Principal.
    "IN": (18, None),
}
