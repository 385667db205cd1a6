"""US state breach statutes: five states with their own module, the rest from one table."""
