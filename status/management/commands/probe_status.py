import time

from django.core.management.base import BaseCommand

from status.services import status_probe_cycle


class Command(BaseCommand):
    help = "Run one status probe cycle now (for cron, or when no Celery worker runs)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--repeat", type=int, default=1, help="Run this many cycles (timing: see --quiet)."
        )
        parser.add_argument("--quiet", action="store_true", help="Print only the timings.")

    def handle(self, *args, repeat: int, quiet: bool, **options):
        timings = []
        for _ in range(max(1, repeat)):
            started = time.perf_counter()
            payload = status_probe_cycle()
            timings.append(time.perf_counter() - started)
        if not quiet:
            for component in payload["components"]:
                latency = component["latency_ms"]
                self.stdout.write(
                    f"{component['name']:<28} {component['state']:<14} "
                    f"{'' if latency is None else f'{latency:.1f} ms'}"
                )
            self.stdout.write(f"Overall: {payload['overall']['description']}")
        ordered = sorted(timings)
        self.stdout.write(
            f"cycle time: min {ordered[0]:.3f} s, median {ordered[len(ordered) // 2]:.3f} s, "
            f"max {ordered[-1]:.3f} s over {len(ordered)} cycle(s)"
        )
