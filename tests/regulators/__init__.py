"""Tests of regulators/: the shared contract and one file per jurisdiction."""
