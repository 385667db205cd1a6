"""`python -m sandbox`: serve the provider sandbox until interrupted."""

from __future__ import annotations

from .server import main

raise SystemExit(main())
