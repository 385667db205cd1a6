"""Examples shown under each command's `--help` (kept here so the parser stays readable)."""

from __future__ import annotations

EXAMPLES: dict[str, str] = {
    "demo": """\
  breachflow demo                       # 3000 fictional people, the sandbox providers
  breachflow demo --people 200 --out /tmp/demo-out""",
    "assess": """\
  breachflow assess incident.json --affected affected.csv --directory users.csv
  breachflow assess incident.json --affected affected.csv \\
      --directory postgresql://reader@db/crm --directory-table customers --json""",
    "plan": """\
  breachflow plan incident.json --affected affected.csv --directory users.csv --org org.toml
  breachflow plan incident.json --affected affected.csv --directory users.csv --out plan/""",
    "register": """\
  breachflow register
  breachflow register --json > register.json""",
    "run": """\
  breachflow run incident.json --affected affected.csv --directory users.csv --org org.toml
  breachflow run incident.json --affected affected.csv --directory users.csv --auto-approve""",
    "resume": """\
  breachflow resume INC-2031            # the external_id or the incident id""",
    "status": """\
  breachflow status INC-2031
  breachflow status INC-2031 --json | jq '.obligations[] | select(.overdue)'""",
    "serve": """\
  breachflow serve                      # Prefect UI on :4200, intake API on :8000
  PREFECT_API_URL=http://prefect:4200/api breachflow serve --executor-only
  breachflow serve --pool breachflow    # workers of that pool run the flows""",
    "audit": """\
  breachflow audit verify INC-2031""",
    "purge": """\
  breachflow purge INC-2031""",
    "export": """\
  breachflow export INC-2031 --out /secure/legal/""",
    "rules": """\
  breachflow rules
  breachflow rules --json""",
    "sending": """\
  breachflow sending pause INC-2031     # batches in flight finish, nothing new is claimed
  breachflow sending resume INC-2031 && breachflow resume INC-2031""",
    "resolve": """\
  breachflow resolve INC-2031 --announce --because 'not in the directory' --reason 'no contact data'
  breachflow resolve INC-2031 --method letter --jurisdiction US-CA --reason 'e-mail bounced'
  breachflow resolve INC-2031 --exempt --subjects ids.txt --reason 'encrypted, key not taken'""",
    "mail": """\
  breachflow mail returned INC-2031 returned.csv""",
}


def epilog(command: str) -> str | None:
    found = EXAMPLES.get(command)
    return f"examples:\n{found}" if found else None
