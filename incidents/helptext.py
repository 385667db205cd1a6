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
    "filed": """\
  breachflow filed INC-2031 EU --at 2026-12-05T14:30:00+01:00 --reference DPC-2026-118
  breachflow filed INC-2031 JP/final --at 2027-01-10T09:00:00+09:00
  breachflow filed INC-2031 17 --at 2026-12-05T13:30:00Z      # by the report's id""",
    "hold": """\
  breachflow hold INC-2031 --agency 'FBI Newark' --until 2026-12-20T00:00:00Z --jurisdiction US-NJ US-NY \\
      --reason 'written request, case ref on file'
  breachflow hold list INC-2031
  breachflow hold INC-2031 --release 1""",
    "codes": """\
  breachflow codes load INC-2031 activation-codes.csv""",
    "media": """\
  breachflow media INC-2031 --outlet 'Los Angeles Times' --at 2026-12-07T09:00:00-08:00 \\
      --jurisdiction US-CA""",
}


def epilog(command: str) -> str | None:
    found = EXAMPLES.get(command)
    return f"examples:\n{found}" if found else None
