"""Ports for the servers a test starts when the server cannot report the port it bound.

A port taken with bind(0) and released is free for anyone until the server binds it: another
test worker's server, or the kernel's choice for any outgoing connection, could take it and
then answer this test's requests. So each worker draws from its own block below the kernel's
ephemeral range (which starts at 32768), one port after another."""

from __future__ import annotations

import itertools
import os
import random
import socket

BLOCK = 1500
FIRST = 18000  # the controller's block; worker gwN's starts at FIRST + (N + 1) * BLOCK


def _block() -> range:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    index = int(worker[2:]) + 1 if worker.startswith("gw") and worker[2:].isdigit() else 0
    start = FIRST + (index % 9) * BLOCK
    return range(start, start + BLOCK)


_next = itertools.cycle(random.sample(_block(), BLOCK))


def free_port() -> int:
    """A port no other test worker draws and nothing is bound to now."""
    for _ in range(BLOCK):
        port = next(_next)
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port in this worker's block")
