"""The scheduling benchmarks of ISSUE3 on the data of bench/seed_scheduling.py (PostgreSQL only).

    make bench-scheduling                          # seed (idempotent) + all four figures
    .venv/bin/python bench/scheduling.py [--runs 50] [--duration 10] [--only a,b,c,d]

(a) free slots of one provider over 30 days (`appointments.slots.slot_list`): median and p95 of --runs;
(b) provider search with each one's next free slot, all findable providers (`provider_search`, as the
    providers API calls it, plus its output serializer), and the API view itself through the Django
    test client (one page of the maximum size);
(c) 50 patients POST /api/v1/appointments/ for the same slot at once, over HTTP to gunicorn
    (one thread each, released together): the status counts (aim: one 201, 49 × 409, no 500);
(d) GET /api/v1/appointments/ as a bench provider (500 appointments) under wrk, as a ratio to
    /healthz in the same run (aim ≥ 0.35).

(a) and (b) run in this process with production settings (DEBUG=0). gunicorn, wrk and the
requests stay on 127.0.0.1; every process started here is stopped before it exits. Figures go to
stdout as markdown and to bench/out/scheduling-<time>.json.
"""

from __future__ import annotations

import argparse
import datetime
import http.client
import json
import os
import shutil
import statistics
import sys
import threading
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run as harness  # noqa: E402  (bench/run.py: gunicorn, sessions, wrk)
import seed_scheduling  # noqa: E402

BASE_DIR = harness.BASE_DIR
CONCURRENT_BOOKINGS = 50
BOOKING_WORKERS = 8  # gunicorn sync workers for (c): eight bookings really race in the database


def main() -> int:
    args = parse_args()
    os.environ.update(harness.production_env())
    seed_scheduling.setup_django()
    from django.db import connection

    if connection.vendor != "postgresql":
        print(
            "The scheduling figures are defined on PostgreSQL: set DATABASE_URL.", file=sys.stderr
        )
        return 2
    if not seed_scheduling.is_seeded():
        print("No bench data: run bench/seed_scheduling.py first.", file=sys.stderr)
        return 2
    wrk = shutil.which("wrk")
    if "d" in args.only and not wrk:
        print(harness.WRK_INSTALL_HINT, file=sys.stderr)
        return 2

    report: dict = {
        "at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "machine": harness.describe_machine(wrk) if wrk else {},
        "figures": {},
    }
    figures = report["figures"]
    if "a" in args.only:
        figures["a_slots_30_days"] = bench_slots(args.runs)
        print(f"  (a) {figures['a_slots_30_days']}", file=sys.stderr)
    if "b" in args.only:
        figures["b_provider_search"] = bench_search(max(10, args.runs // 5))
        print(f"  (b) {figures['b_provider_search']}", file=sys.stderr)
    if "c" in args.only:
        figures["c_concurrent_bookings"] = bench_concurrent_bookings()
        print(f"  (c) {figures['c_concurrent_bookings']}", file=sys.stderr)
    if "d" in args.only:
        figures["d_appointments_vs_healthz"] = bench_appointment_list(wrk, args)
        print(f"  (d) {figures['d_appointments_vs_healthz']}", file=sys.stderr)

    harness.OUT_DIR.mkdir(parents=True, exist_ok=True)
    out = harness.OUT_DIR / f"scheduling-{datetime.datetime.now(datetime.UTC):%Y%m%dT%H%M%SZ}.json"
    out.write_text(json.dumps(report, indent=2, default=str))
    print(markdown(report))
    print(f"\nJSON: {out.relative_to(BASE_DIR)}", file=sys.stderr)
    return 0


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=50, help="timed runs of (a) (default 50)")
    parser.add_argument("--duration", type=int, default=10, help="wrk seconds per URL in (d)")
    parser.add_argument(
        "--rounds", type=int, default=3, help="list rows in (d), each between two /healthz rows"
    )
    parser.add_argument("--threads", type=int, default=2, help="wrk threads in (d)")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections in (d)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers in (d)")
    parser.add_argument("--only", default="a,b,c,d", help="which figures, e.g. a,b")
    args = parser.parse_args()
    args.only = set(args.only.replace(" ", "").split(","))
    args.runs = max(1, min(args.runs, 1000))
    args.rounds = max(1, min(args.rounds, 20))
    return args


def timings(function, runs: int, *, warmup: int = 3) -> dict:
    """Median, p95 and max in ms of `runs` calls, after `warmup` untimed ones."""
    for _ in range(warmup):
        function()
    samples, cpu = [], []
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        function()
        samples.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    samples.sort()
    return {
        "runs": runs,
        "median_ms": round(statistics.median(samples), 2),
        "p95_ms": round(samples[min(len(samples) - 1, int(len(samples) * 0.95))], 2),
        "max_ms": round(samples[-1], 2),
        # This process's CPU only (not PostgreSQL's): steadier than wall time on a shared machine.
        "cpu_median_ms": round(statistics.median(cpu), 2),
    }


def count_queries(function) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        function()
    return len(captured.captured_queries)


def bench_provider():
    from providers.models import Provider

    return Provider.objects.get(user__email=seed_scheduling.provider_email(7))


def bench_slots(runs: int) -> dict:
    from django.utils import timezone

    from appointments.models import Appointment
    from appointments.slots import slot_list

    provider = bench_provider()
    visit_type = provider.visit_types.get(name="Follow-up visit")
    start = timezone.now().astimezone(provider.zone).date()
    end = start + datetime.timedelta(days=29)

    def run():
        return slot_list(provider=provider, visit_type=visit_type, start_date=start, end_date=end)

    figures = timings(run, runs)
    figures.update(
        slots_found=len(run()),
        queries=count_queries(run),
        provider_appointments=Appointment.objects.filter(provider=provider).count(),
        aim="median ≤ 15 ms",
        met=figures["median_ms"] <= 15,
    )
    return figures


def bench_search(runs: int) -> dict:
    from django.test import Client

    from accounts.models import User
    from config.api import Pagination
    from providers.selectors import provider_filter, provider_search
    from providers.serializers import ProviderListOutputSerializer

    providers = provider_filter()

    def search():
        # A new queryset each time, as each request has: a reused one serves its cached rows, and
        # the providers' own query went unmeasured.
        found = provider_search(providers=provider_filter())
        return ProviderListOutputSerializer(found, many=True).data

    from django.core.cache import cache

    from appointments.slots import next_free_slot_cache_key

    keys = [next_free_slot_cache_key(pk) for pk in providers.values_list("pk", flat=True)]

    def search_cold():
        # Every provider's next free slot computed: the first search after a minute, or after
        # every provider's schedule changed.
        cache.delete_many(keys)
        return search()

    cold = {**timings(search_cold, max(runs // 5, 3)), "queries": count_queries(search_cold)}
    found = provider_search(providers=providers)
    # Warm: what patients searching within a minute of each other get (the cache is forgotten
    # per provider on any change to that provider's schedule).
    figures = {"providers": len(found), **timings(search, runs)}
    figures["with_a_free_slot"] = sum(1 for p in found if p.next_free_slot is not None)
    figures["queries"] = count_queries(search)
    figures["cold"] = cold

    # The view path: GET /api/v1/providers/ as a patient, one page of the largest size.
    page_size = Pagination.max_page_size
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(User.objects.get(email=seed_scheduling.patient_email(0)))
    url = f"/api/v1/providers/?page_size={page_size}"

    def api():
        response = client.get(url)
        assert response.status_code == 200, response.status_code
        return response

    api_figures = timings(api, runs)
    figures["api"] = {
        "path": url,
        "rows": len(api().json()["results"]),
        **api_figures,
        "queries": count_queries(api),
    }
    # Met only when both are: cold is what the first patient after any schedule change gets.
    figures.update(
        aim="≤ 150 ms for all providers, warm and cold",
        met=figures["median_ms"] <= 150 and cold["median_ms"] <= 150,
    )
    return figures


def free_slot_for_race():
    """A bookable slot of the bench provider a week or more ahead, and 50 patients free then."""
    from django.utils import timezone

    from appointments.models import LIVE_STATUSES, Appointment
    from appointments.slots import slot_list
    from patients.models import Patient

    provider = bench_provider()
    visit_type = provider.visit_types.get(name="Follow-up visit")
    first = timezone.now().astimezone(provider.zone).date() + datetime.timedelta(days=7)
    slots = slot_list(
        provider=provider,
        visit_type=visit_type,
        start_date=first,
        end_date=first + datetime.timedelta(days=30),
    )
    if not slots:
        raise SystemExit("(c): no free slot found for the bench provider")
    slot = slots[0]
    busy = Appointment.objects.filter(
        status__in=LIVE_STATUSES,
        start__lt=slot.end + datetime.timedelta(minutes=visit_type.buffer_after_minutes),
        end__gt=slot.start,
    ).values("patient_id")
    patients = list(
        Patient.objects.filter(user__email__endswith=f"@{seed_scheduling.DOMAIN}")
        .exclude(pk__in=busy)
        .select_related("user")
        .order_by("user__email")[:CONCURRENT_BOOKINGS]
    )
    return provider, visit_type, slot, patients


def bench_concurrent_bookings() -> dict:
    from django.conf import settings
    from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH
    from django.utils.crypto import get_random_string

    provider, visit_type, slot, patients = free_slot_for_race()
    cookies = harness.sessions_for({patient.user.email for patient in patients})
    body = json.dumps(
        {
            "provider": str(provider.public_id),
            "visit_type": str(visit_type.public_id),
            "start": slot.start.isoformat(),
            "reason": "Bench race",
        }
    )
    port = harness.free_port()
    server = harness.start_gunicorn(port, BOOKING_WORKERS, dict(os.environ))
    statuses: list[int | str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(len(patients))

    def book(cookie: str) -> None:
        # A CSRF secret in the csrftoken cookie and the same value in the header: what a page's
        # JavaScript sends after reading the cookie Django set.
        csrf = get_random_string(CSRF_SECRET_LENGTH, CSRF_ALLOWED_CHARS)
        headers = {
            "Content-Type": "application/json",
            "Cookie": f"{cookie}; {settings.CSRF_COOKIE_NAME}={csrf}",
            "X-CSRFToken": csrf,
        }
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        try:
            barrier.wait(timeout=60)
            connection.request("POST", "/api/v1/appointments/", body=body, headers=headers)
            response = connection.getresponse()
            response.read()
            outcome: int | str = response.status
        except Exception as error:  # a failed request is a figure, not a crash of the benchmark
            outcome = type(error).__name__
        finally:
            connection.close()
        with lock:
            statuses.append(outcome)

    started = time.perf_counter()
    try:
        harness.wait_until_serving(port)
        # One warm-up GET per worker or so, so that imports do not stagger the race.
        for _ in range(BOOKING_WORKERS * 2):
            harness.probe(port, "/healthz", "")
        threads = [threading.Thread(target=book, args=(cookies[p.user.email],)) for p in patients]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
    finally:
        harness.stop(server)
    elapsed = round((time.perf_counter() - started) * 1000)
    counts = Counter(statuses)
    from appointments.models import LIVE_STATUSES, Appointment

    held = Appointment.objects.filter(
        provider=provider, start=slot.start, status__in=LIVE_STATUSES
    ).count()
    return {
        "requests": len(patients),
        "gunicorn_workers": BOOKING_WORKERS,
        "slot_start": slot.start.isoformat(),
        "status_counts": {str(code): n for code, n in sorted(counts.items(), key=str)},
        "live_appointments_at_slot_after": held,
        "wall_ms": elapsed,
        "aim": "one 201, the rest 409, no 500",
        "met": counts.get(201) == 1 and counts.get(409) == len(patients) - 1 and held == 1,
    }


def bench_appointment_list(wrk: str, args) -> dict:
    """`/healthz` and the list in alternation (H L H L ... H), `args.rounds` lists: each list row
    is compared with the mean of the `/healthz` rows either side of it, and the figure is the
    median of those ratios (this machine's speed drifts by a fifth within a minute)."""
    provider = bench_provider()
    email = provider.user.email
    cookies = harness.sessions_for({email})
    healthz = ("healthz", "/healthz", None)
    listing = ("appointments (bench provider)", "/api/v1/appointments/", email)
    urls = [healthz]
    for _ in range(args.rounds):
        urls += [listing, healthz]
    port = harness.free_port()
    server = harness.start_gunicorn(port, args.workers, dict(os.environ))
    rows = []
    try:
        harness.wait_until_serving(port)
        for name, path, user in urls:
            cookie = cookies.get(user, "") if user else ""
            status = harness.probe(port, path, cookie)
            if status != 200:
                raise SystemExit(f"(d): {path} answered {status}")
            rows.append(
                {"name": name, "path": path, **harness.run_wrk(wrk, port, path, cookie, args)}
            )
            print(f"      {name}: {harness.format_row(rows[-1])}", file=sys.stderr)
    finally:
        harness.stop(server)
    ratios = [
        rows[i]["requests_per_s"]
        / ((rows[i - 1]["requests_per_s"] + rows[i + 1]["requests_per_s"]) / 2)
        for i in range(1, len(rows), 2)
    ]
    ratio = round(statistics.median(ratios), 3)
    return {
        "rows": rows,
        "round_ratios": [round(r, 3) for r in ratios],
        "ratio_to_healthz": ratio,
        "rebuilt": bench_appointment_list_rebuilt(provider),
        "load": {
            "duration_s": args.duration,
            "rounds": args.rounds,
            "threads": args.threads,
            "connections": args.connections,
            "gunicorn_workers": args.workers,
        },
        "aim": "≥ 0.35",
        "met": ratio >= 0.35,
    }


def bench_appointment_list_rebuilt(provider, runs: int = 30) -> dict:
    """The list request right after a change to the provider's schedule: built from the
    database, not the cache (in this process, through the test client)."""
    from django.test import Client

    from appointments.caching import appointments_of_user_scope
    from config.response_cache import response_cache_forget

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(provider.user)

    def rebuilt():
        response_cache_forget(appointments_of_user_scope(provider.user_id))
        response = client.get("/api/v1/appointments/")
        assert response.status_code == 200, response.status_code

    return {**timings(rebuilt, runs), "queries": count_queries(rebuilt)}


def markdown(report: dict) -> str:
    figures = report["figures"]
    lines = ["| figure | result | aim | met |", "|---|---|---|---|"]
    if a := figures.get("a_slots_30_days"):
        lines.append(
            f"| (a) free slots, 1 provider, 30 days | median {a['median_ms']} ms, p95 {a['p95_ms']} ms, "
            f"CPU median {a['cpu_median_ms']} ms "
            f"({a['runs']} runs, {a['slots_found']} slots, {a['queries']} queries) | {a['aim']} "
            f"| {'yes' if a['met'] else 'no'} |"
        )
    if b := figures.get("b_provider_search"):
        api = b["api"]
        lines.append(
            f"| (b) provider search + next free slot, {b['providers']} providers | warm cache: "
            f"median {b['median_ms']} ms, p95 {b['p95_ms']} ms, CPU median {b['cpu_median_ms']} ms "
            f"({b['queries']} queries); cold cache: median {b['cold']['median_ms']} ms "
            f"({b['cold']['queries']} queries); API page of "
            f"{api['rows']}: median {api['median_ms']} ms ({api['queries']} queries) | {b['aim']} "
            f"| {'yes' if b['met'] else 'no'} |"
        )
    if c := figures.get("c_concurrent_bookings"):
        counts = ", ".join(f"{n} × {code}" for code, n in c["status_counts"].items())
        lines.append(
            f"| (c) {c['requests']} concurrent bookings of one slot | {counts}; "
            f"{c['live_appointments_at_slot_after']} live appointment at the slot after | {c['aim']} "
            f"| {'yes' if c['met'] else 'no'} |"
        )
    if d := figures.get("d_appointments_vs_healthz"):
        rates = " / ".join(f"{row['requests_per_s']:.0f}" for row in d["rows"])
        rounds = ", ".join(str(r) for r in d["round_ratios"])
        lines.append(
            f"| (d) GET /api/v1/appointments/ (provider) vs /healthz | {d['ratio_to_healthz']}, "
            f"median of {rounds} (req/s healthz / list / ... / healthz: {rates}); "
            "rebuilt after a change: median "
            f"{d['rebuilt']['median_ms']} ms, CPU {d['rebuilt']['cpu_median_ms']} ms "
            f"({d['rebuilt']['queries']} queries) | {d['aim']} "
            f"| {'yes' if d['met'] else 'no'} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
