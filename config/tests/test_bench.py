"""bench/run.py: its URL table and how it reads wrk's output (the load run itself is `make bench`)."""

import importlib.util

import pytest
from django.conf import settings

WRK_OUTPUT = """Running 10s test @ http://127.0.0.1:40123/healthz
  2 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     4.03ms    2.61ms  41.20ms   83.11%
    Req/Sec     2.04k   210.33     2.51k    71.00%
  Latency Distribution
     50%    3.14ms
     75%    4.90ms
     90%  812.00us
     99%    1.26s
  40612 requests in 10.01s, 9.11MB read
  Socket errors: connect 0, read 2, write 0, timeout 1
  Non-2xx or 3xx responses: 7
Requests/sec:   4057.32
Transfer/sec:      0.91MB
"""


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location(
        "bench_run", settings.BASE_DIR / "bench" / "run.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_it_reads_throughput_latency_and_errors_from_wrk(bench):
    assert bench.parse_wrk(WRK_OUTPUT) == {
        "requests": 40612,
        "requests_per_s": 4057.32,
        "p50_ms": 3.14,
        "p90_ms": 0.81,
        "p99_ms": 1260.0,
        "non_2xx": 7,
        "socket_errors": 3,
    }


def test_it_reports_no_errors_when_wrk_saw_none(bench):
    clean = WRK_OUTPUT.replace("  Non-2xx or 3xx responses: 7\n", "")
    clean = clean.replace("  Socket errors: connect 0, read 2, write 0, timeout 1\n", "")
    figures = bench.parse_wrk(clean)
    assert (figures["non_2xx"], figures["socket_errors"]) == (0, 0)


def test_it_measures_the_ceiling_and_the_patient_api(bench):
    rows = {name: (path, user) for name, path, user in bench.URLS}
    assert rows["healthz"] == ("/healthz", None)
    assert rows["me"] == ("/api/v1/me/", "alice@medora.demo")
    assert all(path.startswith("/") for path, _ in rows.values())


def test_it_takes_extra_rows_from_the_command_line(bench):
    assert bench.parse_url_option("login=/accounts/login/") == ("login", "/accounts/login/", None)
    assert bench.parse_url_option("appts=/api/v1/appointments/@bob@medora.demo") == (
        "appts",
        "/api/v1/appointments/",
        "bob@medora.demo",
    )
    with pytest.raises(SystemExit):
        bench.parse_url_option("broken")


def test_it_benchmarks_production_settings_on_loopback_only(bench):
    env = bench.production_env()
    assert env["DEBUG"] == "0"
    assert len(env["SECRET_KEY"]) >= 50
    assert env["ALLOWED_HOSTS"] == "127.0.0.1"
    assert env["SECURE_SSL_REDIRECT"] == "0"
    assert bench.production_env()["SECRET_KEY"] != env["SECRET_KEY"]
