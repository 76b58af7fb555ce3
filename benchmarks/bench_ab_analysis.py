"""Time the analysis of a finished A/B test: the core at its largest size, and the page rerun.

Run from the project root: ``python -m benchmarks.bench_ab_analysis``. It prints
the median wall time of parsing a results CSV and of the full analysis (z-tests,
posteriors, sample ratio check, adjusted p-values) for 5 variants and 9 metrics,
the most the parser accepts. Then it prints the median rerun of the Analyze
results page after a change of the conversions, measured with AppTest. The
target for the page is a median of 150 ms or less on a 2-core machine.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from streamlit.testing.v1 import AppTest

from core.ab.report import GuardrailSpec, analyze_experiment
from core.ab.results import MAX_EXTRA_METRICS, MAX_VARIANTS, parse_results_csv

HOME = Path(__file__).resolve().parents[1] / "Home.py"
TARGET_MS = 150.0


def build_csv(users: int) -> bytes:
    extra = [f"metric{i}_conversions" for i in range(MAX_EXTRA_METRICS)]
    lines = [",".join(["variant", "users", "conversions", *extra])]
    for variant in range(MAX_VARIANTS):
        counts = [str(users // 10 + 37 * variant)]
        counts += [str(users // (20 + i) + 11 * variant) for i in range(MAX_EXTRA_METRICS)]
        lines.append(",".join([f"variant {variant}", str(users + 101 * variant), *counts]))
    return ("\n".join(lines) + "\n").encode()


def median_ms(function, repeats: int) -> float:
    timings = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        timings.append((time.perf_counter() - start) * 1000.0)
    return statistics.median(timings)


def measure_core() -> None:
    guardrails = {"metric0": GuardrailSpec(0.005), "metric1": GuardrailSpec(0.005, False)}
    comparisons = (MAX_VARIANTS - 1) * (MAX_EXTRA_METRICS + 1)
    for users in (10_000, 10_000_000):
        data = build_csv(users)
        counts = parse_results_csv(data)
        parse = median_ms(lambda: parse_results_csv(data), 50)
        analysis = median_ms(lambda: analyze_experiment(counts, guardrails=guardrails), 7)
        print(
            f"core, {users:,} users per arm: parse {parse:.2f} ms ({len(data)} bytes), "
            f"analyze {comparisons} comparisons {analysis:.0f} ms"
        )


def measure_page(reruns: int) -> list[float]:
    app = AppTest.from_file(str(HOME), default_timeout=60).run()
    app.switch_page("pages/ab_analyze.py").run()
    # One untimed change first so imports and caches of the first rerun are not counted.
    app.number_input(key="ab_analyze__conv1").set_value(1301).run()

    timings_ms = []
    for index in range(reruns):
        # A new count on every rerun, so the cached analysis misses each time.
        widget = app.number_input(key="ab_analyze__conv1").set_value(1250 + index)
        start = time.perf_counter()
        widget.run()
        timings_ms.append((time.perf_counter() - start) * 1000.0)
        if app.exception:
            raise RuntimeError(f"page raised during the benchmark: {app.exception[0].value}")
    return timings_ms


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reruns", type=int, default=30, help="timed page reruns (at least 20)")
    arguments = parser.parse_args()

    measure_core()
    timings_ms = measure_page(max(20, arguments.reruns))
    median = statistics.median(timings_ms)
    p90 = statistics.quantiles(timings_ms, n=10)[-1]
    verdict = "meets" if median <= TARGET_MS else "misses"
    print(f"analysis page rerun after a conversions change: {len(timings_ms)} reruns")
    print(f"median {median:.1f} ms, p90 {p90:.1f} ms, max {max(timings_ms):.1f} ms")
    print(f"{verdict} the {TARGET_MS:.0f} ms target for the median")


if __name__ == "__main__":
    main()
