"""`breachflow serve`: the Prefect server with its UI (unless PREFECT_API_URL names a running
one), the process executing the deployments (flows/serve.py) and the intake API under uvicorn,
supervised together: when one stops, all stop.

The Prefect API holds the Secret blocks and can resume gates, start and cancel runs: it
listens on loopback unless `--prefect-host` says otherwise, and then only with Prefect's own
authentication (PREFECT_SERVER_API_AUTH_STRING) or with `--insecure`."""

from __future__ import annotations

import base64
import ipaddress
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


AUTH_SERVER_ENV = "PREFECT_SERVER_API_AUTH_STRING"
AUTH_CLIENT_ENV = "PREFECT_API_AUTH_STRING"


class UnsafeBind(ServeError):
    """A bind the command refuses (exit 2): the message says why and what to do."""


def loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_bind(*, prefect_host: str, insecure: bool, env: dict[str, str]) -> str | None:
    """Refuse to open the Prefect API beyond this machine without authentication; returns
    a warning to print when `--insecure` allows it anyway."""
    if loopback(prefect_host) or env.get(AUTH_SERVER_ENV):
        return None
    why = (f"--prefect-host {prefect_host} would open the Prefect API to the network without "
           "authentication: anyone reaching it could read the Secret blocks (the webhook "
           "secret, provider credentials), answer the gates, start or cancel runs and purges")
    if not insecure:
        raise UnsafeBind(f"{why}. Set {AUTH_SERVER_ENV} (and {AUTH_CLIENT_ENV} to the same "
                         "value on every host), put an authenticating proxy in front, or pass "
                         "--insecure to do it anyway")
    return f"WARNING: {why} (--insecure)"


def _auth_header() -> dict[str, str]:
    auth = os.environ.get(AUTH_CLIENT_ENV) or os.environ.get(AUTH_SERVER_ENV)
    if not auth:
        return {}
    return {"Authorization": "Basic " + base64.b64encode(auth.encode()).decode()}


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
    from flows.launch import RESPOND

    url = f"{api_url.rstrip('/')}/deployments/name/{RESPOND}"
    request = urllib.request.Request(url, headers=_auth_header())  # noqa: S310 - our own URL
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(request, timeout=5) as reply:  # noqa: S310 - our own URL
                if json.loads(reply.read()).get("status") == "READY":
                    return
        except OSError:
            pass
        if runner.poll() is not None:
            raise ServeError(f"the deployment runner exited with {runner.returncode}")
        time.sleep(0.5)
    raise ServeError(f"the deployments were not ready within {STARTUP_TIMEOUT:.0f} s")


def serve(*, host: str, ui_port: int, api_port: int, executor_only: bool,
          pool: str | None = None, prefect_host: str = "127.0.0.1",
          insecure: bool = False) -> int:
    runtime.configure()
    warning = check_bind(prefect_host=prefect_host, insecure=insecure, env=dict(os.environ))
    if warning:
        say(warning, err=True)
    if os.environ.get(AUTH_SERVER_ENV) and not os.environ.get(AUTH_CLIENT_ENV):
        # Our own clients (the runner, the intake API, the flows) sign in like any other.
        os.environ[AUTH_CLIENT_ENV] = os.environ[AUTH_SERVER_ENV]
    supervisor = Supervisor()

    def _stop(_signum: int, _frame: FrameType | None) -> None:
        supervisor.stopping = True

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    env = dict(os.environ)
    if not executor_only:
        # The runs link the notices' HTML on this API (incidents/notices/samples.py).
        public = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host  # noqa: S104
        env.setdefault("BREACHFLOW_PUBLIC_URL", f"http://{public}:{api_port}")
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
            # Local clients reach a wildcard bind on loopback.
            local = "127.0.0.1" if prefect_host in ("0.0.0.0", "::", "") else prefect_host  # noqa: S104
            api_url = f"http://{local}:{ui_port}/api"
            if healthy(f"{api_url}/health"):
                say(f"Prefect server: using the one already at http://{local}:{ui_port}")
            else:
                # The UI asks this URL for the API; Prefect's default assumes port 4200.
                # Prefect's server, its UI's Resume retried on SQLite's busy answer
                # (flows/prefect_server.py).
                server = supervisor.start("the Prefect server", [
                    "-m", "flows.prefect_server", "server", "start", "--host", prefect_host,
                    "--port", str(ui_port)], {"PREFECT_UI_API_URL": api_url, **env})
                wait_healthy(f"{api_url}/health", server, "the Prefect server")
            env["PREFECT_API_URL"] = api_url
            access = ("loopback only" if loopback(prefect_host) else
                      f"{prefect_host}, sign-in required ({AUTH_SERVER_ENV})"
                      if env.get(AUTH_SERVER_ENV) else f"{prefect_host}, NO AUTHENTICATION")
            say(f"Prefect UI:  http://{local}:{ui_port} ({access})")
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
        from flows.serve import NAMES

        say("Deployments: " + ", ".join(NAMES))
        say("Ready. Stop with Ctrl-C.")
        code = supervisor.wait()
    except ServeError as error:
        say(f"breachflow serve: {error}", err=True)
        code = 1
    finally:
        supervisor.stop()
    return code
