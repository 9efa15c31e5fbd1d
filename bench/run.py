"""Requests per second and p50/p99 latency of Medora's pages under gunicorn, measured with wrk.

    make bench                                    # DATABASE_URL / REDIS_URL as set, else SQLite
    .venv/bin/python bench/run.py --duration 10 --threads 2 --connections 16 --workers 2
    .venv/bin/python bench/run.py --url "login=/accounts/login/"   # one ad-hoc row (repeatable)

It migrates and seeds the configured database (`seed_demo`), collects static files, starts gunicorn with
production settings (DEBUG=0, a fresh SECRET_KEY) on a free loopback port, signs the demo users in (a real
session in the session store), warms the workers up (2 s of /healthz, not reported), runs wrk against each
URL below, prints a markdown table (with each row's req/s as a ratio to the mean of the /healthz rows),
writes JSON to bench/out/ and stops gunicorn. Requests only ever go to 127.0.0.1.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

# What to measure: (name, path, as which user: None for anonymous or a demo user's email).
# Later issues add their pages here. A provider's or admin's session passes the MFA gate when the
# user has a TOTP authenticator (seed_demo enrols the demo staff's).
URLS: list[tuple[str, str, str | None]] = [
    ("healthz", "/healthz", None),  # the ceiling: the cheapest request the stack can serve
    ("me", "/api/v1/me/", "alice@medora.demo"),
    ("status page", "/status/", None),
    ("status summary", "/status/api/v1/summary.json", None),
    ("status badge", "/status/badge/web.svg", None),
    ("appointments (provider)", "/api/v1/appointments/", "dr.lee@medora.demo"),
    ("providers (patient)", "/api/v1/providers/", "alice@medora.demo"),
    ("healthz (again)", "/healthz", None),  # the ceiling again: the machine's load drifts
]

BASE_DIR = Path(__file__).resolve().parent.parent
OUT_DIR = BASE_DIR / "bench" / "out"
DEMO_PASSWORD = "Medora-demo-2026"  # noqa: S105 - the documented demo password
WRK_INSTALL_HINT = (
    "wrk is not installed: `apt-get install wrk` (Debian/Ubuntu), then run `make bench` again."
)


def main() -> int:
    args = parse_args()
    wrk = shutil.which("wrk")
    if not wrk:
        print(WRK_INSTALL_HINT, file=sys.stderr)
        return 2

    urls = URLS + [parse_url_option(option) for option in args.url]
    env = production_env()
    os.environ.update(env)
    manage("migrate", "--noinput", "-v", "0", env=env)
    seed(env)
    manage("collectstatic", "--noinput", "-v", "0", env=env)
    cookies = sessions_for({user for _, _, user in urls if user})
    machine = describe_machine(wrk)

    port = free_port()
    server = start_gunicorn(port, args.workers, env)
    results = []
    try:
        wait_until_serving(port)
        # A short untimed run first, so that the first row does not pay for cold workers.
        run_wrk(wrk, port, "/healthz", "", argparse.Namespace(**{**vars(args), "duration": 2}))
        for name, path, user in urls:
            cookie = cookies.get(user, "") if user else ""
            status = probe(port, path, cookie)
            row = {"name": name, "path": path, "user": user or "anonymous", "status": status}
            if not 200 <= status < 300:
                row["skipped"] = f"HTTP {status} on the first request"
            else:
                row.update(run_wrk(wrk, port, path, cookie, args))
            results.append(row)
            print(f"  {name}: {row.get('skipped') or format_row(row)}", file=sys.stderr)
    finally:
        stop(server)

    ceiling = [
        row["requests_per_s"]
        for row in results
        if row["path"] == "/healthz" and "skipped" not in row
    ]
    for row in results:
        if ceiling and "skipped" not in row:
            row["ratio_to_healthz"] = round(
                row["requests_per_s"] / (sum(ceiling) / len(ceiling)), 3
            )
    report = {
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine,
        "load": {
            "duration_s": args.duration,
            "threads": args.threads,
            "connections": args.connections,
            "gunicorn_workers": args.workers,
        },
        "results": results,
    }
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    out = OUT_DIR / f"bench-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
    out.write_text(json.dumps(report, indent=2))
    print(markdown(report))
    print(f"\nJSON: {out.relative_to(BASE_DIR)}", file=sys.stderr)
    return 0


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per URL (default 10)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    parser.add_argument("--connections", type=int, default=16, help="open connections (default 16)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument(
        "--url", action="append", default=[], metavar="NAME=PATH[@EMAIL]", help="an extra row"
    )
    return parser.parse_args()


def parse_url_option(option: str) -> tuple[str, str, str | None]:
    name, _, rest = option.partition("=")
    path, _, user = rest.partition("@")
    if not name or not path.startswith("/"):
        raise SystemExit(f"--url wants NAME=/path[@email], got {option!r}")
    return name, path, user or None


def production_env() -> dict[str, str]:
    """Production settings, except that plain HTTP on loopback is allowed (no TLS proxy here)."""
    return {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "STATIC_ROOT": str(BASE_DIR / "var" / "bench-static"),
        "LOG_LEVEL": "WARNING",
        # The load generator is one client: the API throttles would refuse it, and a huge rate is no
        # answer (DRF keeps every request of the last minute in the user's throttle history, so the
        # bench would measure pickling that list). Off, as for a client behind its own limits.
        "API_THROTTLE_ANON": "off",
        "API_THROTTLE_USER": "off",
        "PYTHONUNBUFFERED": "1",
    }


def manage(*command: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *command], cwd=BASE_DIR, env=env, check=True, text=True
    )


def seed(env: dict[str, str]) -> None:
    """The demo data (seed_demo refuses DEBUG=0, so it runs with DEBUG=1 on the same database)."""
    commands = subprocess.run(
        [sys.executable, "manage.py", "help", "--commands"],
        cwd=BASE_DIR,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    if "seed_demo" in commands:
        manage("seed_demo", env={**env, "DEBUG": "1"})
    else:
        print("  (no seed_demo command yet: creating the demo patient only)", file=sys.stderr)


def sessions_for(emails: set[str]) -> dict[str, str]:
    """A signed-in session per user, stored where the app looks (db or cached_db): the Cookie header."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(BASE_DIR))
    import django

    django.setup()
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    from accounts.models import User

    store = import_module(settings.SESSION_ENGINE).SessionStore
    cookies = {}
    for email in sorted(emails):
        user = User.objects.filter(email=email).first() or demo_patient(email)
        session = store()
        session[SESSION_KEY] = user._meta.pk.value_to_string(user)
        # What allauth's sign-in stores: the email backend.
        session[BACKEND_SESSION_KEY] = "accounts.backends.AuthenticationBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        cookies[email] = f"{settings.SESSION_COOKIE_NAME}={session.session_key}"
    return cookies


def demo_patient(email: str):
    from allauth.account.models import EmailAddress

    from accounts.models import Role
    from accounts.services import user_create

    user = user_create(email=email, role=Role.PATIENT, password=DEMO_PASSWORD)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


def describe_machine(wrk: str) -> dict:
    from django.db import connection

    meminfo = Path("/proc/meminfo").read_text() if Path("/proc/meminfo").exists() else ""
    total_kb = int(re.search(r"MemTotal:\s+(\d+)", meminfo).group(1)) if meminfo else 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            database = f"PostgreSQL {cursor.fetchone()[0].split()[0]}"
        elif connection.vendor == "sqlite":
            cursor.execute("SELECT sqlite_version()")
            database = f"SQLite {cursor.fetchone()[0]}"
        else:
            database = connection.vendor
    wrk_version = subprocess.run([wrk, "-v"], capture_output=True, text=True).stdout.split("\n")[0]
    return {
        "cpus": os.cpu_count(),
        "memory_gb": round(total_kb / 1024 / 1024, 1),
        # Other work on the machine skews the figures: the 1/5/15-minute load before the run says how much.
        "load_average": [round(load, 2) for load in os.getloadavg()],
        "python": platform.python_version(),
        "platform": platform.platform(),
        "database": database,
        "cache_and_sessions": "Redis" if os.environ.get("REDIS_URL") else "local memory + database",
        "wrk": " ".join(wrk_version.split()[:2]),
    }


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(port: int, workers: int, env: dict[str, str]) -> subprocess.Popen:
    gunicorn = Path(sys.executable).with_name("gunicorn")
    command = [
        str(gunicorn),
        "config.wsgi",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--log-level",
        "warning",
    ]
    return subprocess.Popen(command, cwd=BASE_DIR, env=env, start_new_session=True)


def wait_until_serving(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            probe(port, "/", "")
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"gunicorn did not answer on 127.0.0.1:{port} within {timeout:.0f}s")


def probe(port: int, path: str, cookie: str) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path, headers={"Cookie": cookie} if cookie else {})
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def run_wrk(wrk: str, port: int, path: str, cookie: str, args: argparse.Namespace) -> dict:
    command = [
        wrk,
        f"--threads={args.threads}",
        f"--connections={args.connections}",
        f"--duration={args.duration}s",
        "--timeout=10s",
        "--latency",
    ]
    if cookie:
        command += ["--header", f"Cookie: {cookie}"]
    command.append(f"http://127.0.0.1:{port}{path}")
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return parse_wrk(output)


def parse_wrk(output: str) -> dict:
    """The figures we report from `wrk --latency` output."""
    percentiles = dict(re.findall(r"^\s+(50|75|90|99)%\s+(\S+)", output, re.MULTILINE))
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    return {
        "requests": int(re.search(r"(\d+) requests in", output).group(1)),
        "requests_per_s": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50_ms": to_ms(percentiles["50"]),
        "p90_ms": to_ms(percentiles["90"]),
        "p99_ms": to_ms(percentiles["99"]),
        "non_2xx": int(errors.group(1)) if errors else 0,
        "socket_errors": sum(map(int, socket_errors.groups())) if socket_errors else 0,
    }


def to_ms(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value).groups()
    factor = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]
    return round(float(number) * factor, 2)


def format_row(row: dict) -> str:
    return f"{row['requests_per_s']:.0f} req/s, p50 {row['p50_ms']} ms, p99 {row['p99_ms']} ms"


def markdown(report: dict) -> str:
    machine, load = report["machine"], report["load"]
    lines = [
        f"{machine['cpus']} CPUs, {machine['memory_gb']} GB, Python {machine['python']}, "
        f"{machine['database']}, cache/sessions: {machine['cache_and_sessions']}; "
        f"gunicorn {load['gunicorn_workers']} workers; wrk {load['threads']} threads, "
        f"{load['connections']} connections, {load['duration_s']} s per URL; "
        f"load average before: {' / '.join(map(str, machine['load_average']))}; "
        "× healthz: req/s over the mean of the /healthz rows (first and last)",
        "",
        "| name | path | as | req/s | × healthz | p50 ms | p90 ms | p99 ms | errors |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for row in report["results"]:
        if "skipped" in row:
            lines.append(
                f"| {row['name']} | `{row['path']}` | {row['user']} | skipped: {row['skipped']} ||||||"
            )
            continue
        lines.append(
            f"| {row['name']} | `{row['path']}` | {row['user']} | {row['requests_per_s']:.0f} "
            f"| {row.get('ratio_to_healthz', '')} | {row['p50_ms']} | {row['p90_ms']} | {row['p99_ms']} "
            f"| {row['non_2xx'] + row['socket_errors']} |"
        )
    return "\n".join(lines)


def stop(server: subprocess.Popen) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=5)


if __name__ == "__main__":
    sys.exit(main())
