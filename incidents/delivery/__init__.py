"""Delivery: the ledger (exactly-once in effect), sending, the rounds, provider events."""
