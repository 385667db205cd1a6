"""Prefect flows and tasks only: they conduct the stages in incidents/, gates, artifacts, deployments."""
