"""Questions the command line asks a person before an irreversible step."""

from __future__ import annotations

import sys

from incidents.exceptions import InputError


def confirm(question: str, *, answer: str, flag: str) -> None:
    """Ask on the terminal to type `answer`; without a terminal (a script, a pipe) refuse and
    name the flag that confirms up front. Raises InputError when not confirmed."""
    if not sys.stdin.isatty():
        raise InputError(
            f"{question} Not confirmed: stdin is not a terminal; add {flag} to confirm", field=flag
        )
    sys.stderr.write(f"{question}\nType {answer} to confirm: ")
    sys.stderr.flush()
    if sys.stdin.readline().strip() != answer:
        raise InputError("not confirmed: nothing was changed", field=flag)
