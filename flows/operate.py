"""`breachflow serve`: the Prefect server with its UI (unless PREFECT_API_URL names a running
one), the process executing the deployments (flows/serve.py) and the intake API under uvicorn,
supervised together: when one stops, all stop."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from types import FrameType

from flows import runtime
from incidents.exceptions import ServeError

STARTUP_TIMEOUT = 180.0


def say(text: str, *, err: bool = False) -> None:
    stream = sys.stderr if err else sys.stdout
    stream.write(text + "\n")
    stream.flush()


@dataclass
class Supervisor:
    children: list[tuple[str, subprocess.Popen[bytes]]] = field(default_factory=list)
    stopping: bool = False

    def start(self, name: str, args: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
        child = subprocess.Popen([sys.executable, *args], env=env)
        self.children.append((name, child))
        return child

    def stop(self) -> None:
        self.stopping = True
        for _, child in reversed(self.children):
            if child.poll() is None:
                child.terminate()
        for _, child in reversed(self.children):
            try:
                child.wait(timeout=30)
            except subprocess.TimeoutExpired:
                child.kill()

    def wait(self) -> int:
        """Block until a child exits (or a signal asks us to stop); its exit code."""
        while not self.stopping:
            for name, child in self.children:
                code = child.poll()
                if code is not None:
                    if not self.stopping:
                        say(f"breachflow serve: {name} exited with {code}; stopping", err=True)
                    return code
            time.sleep(0.5)
        return 0


def healthy(url: str, *, timeout: float = 2.0) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as reply:  # noqa: S310 - our own URL
            return bool(reply.status == 200)
    except OSError:
        return False


def wait_healthy(url: str, child: subprocess.Popen[bytes] | None, what: str) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if healthy(url):
            return
        if child is not None and child.poll() is not None:
            raise ServeError(f"{what} exited with {child.returncode} before it was ready")
        time.sleep(0.5)
    raise ServeError(f"{what} did not answer {url} within {STARTUP_TIMEOUT:.0f} s")


def wait_ready(api_url: str, runner: subprocess.Popen[bytes]) -> None:
    """Until the runner has registered the deployments and polls for their runs."""
    url = f"{api_url.rstrip('/')}/deployments/name/respond_to_incident/respond_to_incident"
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as reply:  # noqa: S310 - our own URL
                if json.loads(reply.read()).get("status") == "READY":
                    return
        except OSError:
            pass
        if runner.poll() is not None:
            raise ServeError(f"the deployment runner exited with {runner.returncode}")
        time.sleep(0.5)
    raise ServeError(f"the deployments were not ready within {STARTUP_TIMEOUT:.0f} s")


def serve(*, host: str, ui_port: int, api_port: int, executor_only: bool,
          pool: str | None = None) -> int:
    runtime.configure()
    supervisor = Supervisor()

    def _stop(_signum: int, _frame: FrameType | None) -> None:
        supervisor.stopping = True

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    env = dict(os.environ)
    try:
        api_url = env.get("PREFECT_API_URL")
        if executor_only and pool:
            raise ServeError("--executor-only and --pool exclude each other: workers execute "
                             "a pool's runs")
        if api_url:
            if not healthy(f"{api_url.rstrip('/')}/health"):
                raise ServeError(f"PREFECT_API_URL={api_url} does not answer")
            say(f"Prefect API: {api_url} (already running)")
        elif executor_only:
            raise ServeError("--executor-only needs PREFECT_API_URL: the shared Prefect server")
        else:
            api_url = f"http://{host}:{ui_port}/api"
            if healthy(f"{api_url}/health"):
                say(f"Prefect server: using the one already at http://{host}:{ui_port}")
            else:
                # The UI asks this URL for the API; Prefect's default assumes port 4200.
                server = supervisor.start("the Prefect server", [
                    "-m", "prefect", "server", "start", "--host", host, "--port", str(ui_port)],
                    {"PREFECT_UI_API_URL": api_url, **env})
                wait_healthy(f"{api_url}/health", server, "the Prefect server")
            env["PREFECT_API_URL"] = api_url
            say(f"Prefect UI:  http://{host}:{ui_port}")
        if pool:
            registered = subprocess.run([sys.executable, "-m", "flows.serve", "--pool", pool],
                                        env=env, check=False)
            if registered.returncode:
                raise ServeError(f"registering the deployments in work pool {pool!r} failed")
            say(f"Deployments registered in work pool {pool!r}: start workers with "
                f"`prefect worker start --pool {pool}`")
        else:
            runner = supervisor.start("the deployment runner", ["-m", "flows.serve"], env)
            wait_ready(api_url, runner)
        if not executor_only:
            intake = supervisor.start("the intake API", [
                "-m", "uvicorn", "--factory", "incidents.intake.app:create_app", "--host", host,
                "--port", str(api_port), "--no-access-log"], env)
            wait_healthy(f"http://{host}:{api_port}/healthz", intake, "the intake API")
            say(f"Intake API:  http://{host}:{api_port}/v1/incidents "
                  f"(OpenAPI: http://{host}:{api_port}/openapi.json, docs: /docs)")
        say("Deployments: respond_to_incident/respond_to_incident, resume_incident/resume, "
              "deliver_notices/deliver-notices, deadline_watch/deadline-watch, "
              "purge_expired/purge-expired")
        say("Ready. Stop with Ctrl-C.")
        code = supervisor.wait()
    except ServeError as error:
        say(f"breachflow serve: {error}", err=True)
        code = 1
    finally:
        supervisor.stop()
    return code
