"""The fixtures the security tests share with the flow and intake tests."""

from tests.flows.conftest import sandbox_process, workspace  # noqa: F401 - fixtures
from tests.incidents.intake.conftest import intake  # noqa: F401 - a fixture
