"""Start Vigil as production runs it, on this machine, for the load benchmark and the fault test:
gunicorn (config/gunicorn.conf.py, production settings, HTTPS with a certificate made for
the run) and the task worker, as processes of their own, stopped by their own pids.

Everything is on the loopback address. The caller gives the database (DATABASE_URL) and the
keys; `environment()` builds the rest of the environment the way the README's production
section says."""

from __future__ import annotations

import csv
import datetime as dt
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BASE_DIR = Path(__file__).resolve().parent.parent.parent
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def make_certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1, for this run only."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    import ipaddress

    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert, private = folder / "server.crt", folder / "server.key"
    cert.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    private.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    private.chmod(0o600)
    return cert, private


def database_url(settings_dict: Mapping[str, Any]) -> str:
    """The URL of a Django connection's database (`connection.settings_dict`), for a child process."""
    s = settings_dict
    return f"postgres://{s['USER']}:{s['PASSWORD']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def environment(
    *, database_url: str, field_keys: str, audit_key: str, var_dir: Path, extra: Mapping[str, str] | None = None
) -> dict[str, str]:
    """The production settings' environment for a run on this machine."""
    import secrets

    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "VIGIL_", "DATABASE_")) and key != "PYTEST_CURRENT_TEST"
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(48),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            "DATABASE_URL": database_url,
            "VIGIL_FIELD_KEYS": field_keys,
            "VIGIL_AUDIT_KEY": audit_key,
            "VIGIL_VAR_DIR": str(var_dir),
            "VIGIL_LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.update(extra or {})
    return env


def run(
    args: list[str], env: Mapping[str, str], *, settings: str | None = None, timeout: float = 1800, check: bool = True
) -> str:
    """Run a `vigil` command to its end (migrate, demo-data, loadtest-seed); its output, or an
    error naming the command and what it printed (with `check=False`, its output whatever
    its exit status)."""
    command_env = dict(env)
    if settings:
        command_env["DJANGO_SETTINGS_MODULE"] = settings
    done = subprocess.run(  # noqa: S603 - our own executable and arguments
        [str(BIN / "vigil"), *args], env=command_env, cwd=BASE_DIR, capture_output=True, text=True, timeout=timeout, check=False
    )
    if check and done.returncode != 0:
        raise RuntimeError(f"vigil {' '.join(args)} failed ({done.returncode}):\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return done.stdout


@dataclass
class Servers:
    """The web server and the task worker of one run."""

    env: dict[str, str]
    folder: Path
    workers: int | None = 2  # None: config/gunicorn.conf.py's default
    port: int = field(default_factory=free_port)
    web: subprocess.Popen[bytes] | None = None
    worker: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    def start_web(self) -> None:
        cert, key = make_certificate(self.folder)
        env = {**self.env, "VIGIL_WEB_BIND": f"127.0.0.1:{self.port}"}
        if self.workers:
            env["VIGIL_WEB_WORKERS"] = str(self.workers)
        log = open(self.folder / "gunicorn.log", "ab")  # noqa: SIM115 - closed with the process
        self.web = subprocess.Popen(  # noqa: S603
            [
                str(BIN / "gunicorn"),
                "-c",
                str(BASE_DIR / "config" / "gunicorn.conf.py"),
                "--certfile",
                str(cert),
                "--keyfile",
                str(key),
                "config.wsgi",
            ],
            env=env,
            cwd=BASE_DIR,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self.wait_until_serving()

    def wait_until_serving(self, timeout: float = 120) -> None:
        import ssl
        import urllib.request

        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.web is not None and self.web.poll() is not None:
                raise RuntimeError(f"gunicorn stopped ({self.web.returncode}): see {self.folder / 'gunicorn.log'}")
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", context=context, timeout=5) as answer:  # noqa: S310
                    if answer.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError(f"gunicorn did not answer on {self.url} within {timeout:.0f} s")

    def web_workers(self) -> list[int]:
        """The pids of gunicorn's worker processes (the master's children)."""
        if self.web is None:
            return []
        children = Path(f"/proc/{self.web.pid}/task/{self.web.pid}/children")
        try:
            return [int(pid) for pid in children.read_text().split()]
        except OSError:
            return []

    def start_worker(self, *extra: str) -> None:
        log = open(self.folder / "worker.log", "ab")  # noqa: SIM115
        self.worker = subprocess.Popen(  # noqa: S603
            [str(BIN / "vigil"), "db_worker", "--no-reload", "--no-startup-delay", "--interval", "0.2", *extra],
            env=self.env,
            cwd=BASE_DIR,
            stdout=log,
            stderr=subprocess.STDOUT,
        )

    def kill_worker(self) -> None:
        """kill -9 the task worker, as a crash or the out-of-memory killer would."""
        if self.worker is not None:
            os.kill(self.worker.pid, signal.SIGKILL)
            self.worker.wait(timeout=30)
            self.worker = None

    def cpu_seconds(self) -> float:
        """Processor time the web server has used so far: gunicorn's master, its live workers and
        the workers it has already replaced and reaped (the task worker is not counted: a run
        kills and restarts it). A figure a busy machine does not inflate, unlike the wall clock."""
        if self.web is None:
            return 0.0
        return process_cpu_seconds(self.web.pid, children=True) + sum(process_cpu_seconds(pid) for pid in self.web_workers())

    def stop(self) -> None:
        for process in (self.worker, self.web):
            if process is None or process.poll() is not None:
                continue
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=30)
        self.worker = self.web = None


def process_cpu_seconds(pid: int, *, children: bool = False) -> float:
    """User and system time of a process (with `children`, also of its reaped children), from /proc."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    # After the name: state is field 3, utime 14, stime 15, cutime 16, cstime 17 (1-based).
    ticks = sum(int(value) for value in fields[11 : 15 if children else 13])
    return ticks / os.sysconf("SC_CLK_TCK")


def run_locust(
    *,
    url: str,
    credentials: Path,
    log: Path,
    officers: int,
    portal_users: int,
    seconds: int,
    csv_prefix: Path,
    env: Mapping[str, str],
) -> subprocess.Popen[bytes]:
    """Start locust headless against `url` for `seconds` (the caller waits for it)."""
    users = officers + portal_users
    locust_env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "VIGIL_", "DATABASE_"))},
        "VIGIL_LOAD_CREDENTIALS": str(credentials),
        "VIGIL_LOAD_LOG": str(log),
        "VIGIL_LOAD_OFFICERS": str(officers),
        "VIGIL_LOAD_PORTAL_USERS": str(portal_users),
        **dict(env),
    }
    output = open(csv_prefix.with_suffix(".log"), "ab")  # noqa: SIM115
    return subprocess.Popen(  # noqa: S603
        [
            str(BIN / "locust"),
            "-f",
            str(BASE_DIR / "vigil" / "loadtest" / "locustfile.py"),
            "--headless",
            "--host",
            url,
            "--users",
            str(users),
            "--spawn-rate",
            str(max(1, users // 5)),
            "--run-time",
            f"{seconds}s",
            "--stop-timeout",
            "20",
            "--csv",
            str(csv_prefix),
            "--only-summary",
            "--exit-code-on-error",
            "0",
        ],
        env=locust_env,
        cwd=BASE_DIR,
        stdout=output,
        stderr=subprocess.STDOUT,
    )


def read_stats(prefix: Path) -> list[dict[str, Any]]:
    """locust's per-request figures (its `_stats.csv`), the total last."""
    path = prefix.parent / f"{prefix.name}_stats.csv"
    if not path.exists():
        return []
    rows = []
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            rows.append(
                {
                    "name": row["Name"],
                    "method": row["Type"],
                    "requests": int(row["Request Count"]),
                    "failures": int(row["Failure Count"]),
                    "p50": _ms(row["50%"]),
                    "p95": _ms(row["95%"]),
                    "p99": _ms(row["99%"]),
                    "rps": float(row["Requests/s"] or 0),
                }
            )
    return rows


def read_failures(prefix: Path) -> list[str]:
    path = prefix.parent / f"{prefix.name}_failures.csv"
    if not path.exists():
        return []
    with path.open(encoding="utf-8", newline="") as handle:
        return [f"{row['Name']}: {row['Error']} (x{row['Occurrences']})" for row in csv.DictReader(handle)]


def _ms(value: str) -> float | None:
    return None if value in ("", "N/A") else float(value)
