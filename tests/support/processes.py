"""The services as real processes, so tests can `kill -9` and restart them; two instances of each."""

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]

# Concurrent test sessions on one machine pick different E2E_PORT_BASE values.
_BASE = int(os.environ.get("E2E_PORT_BASE", "18000"))
PORTS = {"bookings": _BASE + 1, "credits": _BASE + 2, "reports": _BASE + 3, "notifier": _BASE + 4}
# Instance B of each service; +10 is left to tests that start a twin of their own.
PORTS_B = {name: port + 20 for name, port in PORTS.items()}


@dataclass
class ServiceProcess:
    name: str
    port: int
    env: dict
    log_path: Path
    process: subprocess.Popen | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, wait: bool = True) -> None:
        env = {**os.environ, **self.env, "PORT": str(self.port), "SERVICE_NAME": self.name}
        log = self.log_path.open("ab")
        self.process = subprocess.Popen([sys.executable, "-m", f"services.{self.name}"], cwd=ROOT, env=env,
                                        stdout=log, stderr=subprocess.STDOUT)
        if wait:
            self.wait_ready()

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited; see {self.log_path}")
            try:
                if httpx.get(f"{self.url}/health/ready", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise TimeoutError(f"{self.name} not ready after {timeout}s; see {self.log_path}")

    def kill_hard(self) -> None:
        """kill -9: no shutdown hook runs, nothing is flushed or committed."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.kill_hard()


class Instances:
    """Every instance of one service, in the same consumer groups and databases. Requests go to
    instance A (`url`, `port`); `b` is there for tests about the other one. Stopping, starting or
    killing "the service" acts on every instance: a test that stops it means that nothing of it
    consumes (its groups can be rewound) or that it loses every cache."""

    def __init__(self, a: ServiceProcess, b: ServiceProcess) -> None:
        self.a, self.b = a, b
        self.each = (a, b)

    name = property(lambda self: self.a.name)
    port = property(lambda self: self.a.port)
    url = property(lambda self: self.a.url)
    log_path = property(lambda self: self.a.log_path)

    @property
    def env(self) -> dict:
        return self.a.env

    @env.setter
    def env(self, env: dict) -> None:
        for instance in self.each:
            instance.env = env

    def start(self, wait: bool = True) -> None:
        for instance in self.each:  # together: start-up is mostly imports, paid once in wall time
            instance.start(wait=False)
        if wait:
            self.wait_ready()

    def wait_ready(self, timeout: float = 60) -> None:
        for instance in self.each:
            instance.wait_ready(timeout)

    def kill_hard(self) -> None:
        for instance in self.each:
            instance.kill_hard()

    def stop(self) -> None:
        for instance in self.each:
            if instance.process and instance.process.poll() is None:
                instance.process.terminate()  # both at once, then wait for each
        for instance in self.each:
            instance.stop()
