"""Time the peeking simulator: the A/A Monte Carlo and a warm-cache rerun of the page.

Run from the repository root:

    python -m benchmarks.bench_peeking

Targets: 10,000 A/A experiments x 100 looks (all five stopping rules) in at most 1 s, and a
rerun of pages/ab_peeking.py with a warm cache in at most 200 ms.
"""

from __future__ import annotations

import logging
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from core.ab.peeking import build_look_schedule, simulate_stopping_rules  # noqa: E402
from core.ab.sequential import group_sequential_constant, msprt_mixing_variance  # noqa: E402

REPEATS = 5
MONTE_CARLO_TARGET_S = 1.0
RERUN_TARGET_S = 0.2


def time_call(function, repeats: int = REPEATS) -> list[float]:
    durations = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        durations.append(time.perf_counter() - start)
    return durations


def report(label: str, durations: list[float], target: float) -> None:
    median = statistics.median(durations)
    verdict = "ok" if median <= target else "OVER TARGET"
    print(
        f"{label}: median {median * 1000:.0f} ms, min {min(durations) * 1000:.0f} ms, "
        f"max {max(durations) * 1000:.0f} ms over {len(durations)} runs "
        f"(target {target * 1000:.0f} ms: {verdict})"
    )


def bench_monte_carlo() -> None:
    # 1,000 users per arm and look at a 12% baseline, one look per day for 100 days.
    schedule = build_look_schedule(1000, 1, 100)
    tau2 = msprt_mixing_variance(0.02)

    start = time.perf_counter()
    for method in ("pocock", "obrien_fleming"):
        group_sequential_constant(5, 0.05, method)
    print(f"group sequential constants, K = 5, first call: {(time.perf_counter() - start) * 1000:.0f} ms")

    def run() -> None:
        simulate_stopping_rules(
            0.12, 0.0, schedule, alpha=0.05, horizon=99, n_analyses=5, mixing_variance=tau2, n_runs=10_000
        )

    report("10,000 A/A experiments x 100 looks, five rules", time_call(run), MONTE_CARLO_TARGET_S)


class PageDurations(logging.Handler):
    """Collect the script durations that pages/ab_peeking.py logs at the end of each run."""

    def __init__(self) -> None:
        super().__init__(level=logging.INFO)
        self.durations: list[float] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.getMessage().startswith("Peeking page ran in"):
            self.durations.append(float(record.args[0]))


def bench_page_rerun() -> None:
    page = ROOT / "pages" / "ab_peeking.py"
    home = ROOT / "Home.py"
    if not page.exists() or not home.exists():
        print("page rerun: skipped, pages/ab_peeking.py or Home.py is missing")
        return

    from streamlit.testing.v1 import AppTest

    # Installed before Home.py runs, so its logging.basicConfig adds no console handler.
    handler = PageDurations()
    logging.getLogger().addHandler(handler)
    logging.getLogger().setLevel(logging.INFO)

    app = AppTest.from_file(str(home), default_timeout=120)
    app.run()
    app.switch_page("pages/ab_peeking.py")
    start = time.perf_counter()
    app.run()
    print(f"page first run (cold cache, A/A and true-lift Monte Carlo): {time.perf_counter() - start:.2f} s")
    if app.exception:
        print(f"page raised: {app.exception[0].value}")
        return

    handler.durations.clear()
    round_trips = time_call(app.run)
    report("page rerun, warm cache, script time", handler.durations, RERUN_TARGET_S)
    report("page rerun, warm cache, AppTest round trip", round_trips, RERUN_TARGET_S)


if __name__ == "__main__":
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average {load}")
    bench_monte_carlo()
    bench_page_rerun()
