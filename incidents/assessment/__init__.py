"""Assessment: severity, obligations per jurisdiction, the awareness clock, the plan."""
