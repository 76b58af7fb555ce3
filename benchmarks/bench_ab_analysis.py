"""Time the analysis of a finished A/B test at its largest allowed size.

Run from the repository root: ``python benchmarks/bench_ab_analysis.py``.
It prints the median wall time of parsing a results CSV and of the full
analysis (z-tests, posteriors, sample ratio check, adjusted p-values) for 5
variants and 9 metrics, the most the parser accepts.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.ab.report import GuardrailSpec, analyze_experiment  # noqa: E402
from core.ab.results import MAX_EXTRA_METRICS, MAX_VARIANTS, parse_results_csv  # noqa: E402


def build_csv(users: int) -> bytes:
    extra = [f"metric{i}_conversions" for i in range(MAX_EXTRA_METRICS)]
    lines = [",".join(["variant", "users", "conversions", *extra])]
    for variant in range(MAX_VARIANTS):
        counts = [str(users // 10 + 37 * variant)]
        counts += [str(users // (20 + i) + 11 * variant) for i in range(MAX_EXTRA_METRICS)]
        lines.append(",".join([f"variant {variant}", str(users + 101 * variant), *counts]))
    return ("\n".join(lines) + "\n").encode()


def median_seconds(function, repeats: int) -> float:
    timings = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        timings.append(time.perf_counter() - start)
    return statistics.median(timings)


def main() -> None:
    for users in (10_000, 10_000_000):
        data = build_csv(users)
        counts = parse_results_csv(data)
        guardrails = {"metric0": GuardrailSpec(0.005), "metric1": GuardrailSpec(0.005, False)}
        parse_time = median_seconds(lambda: parse_results_csv(data), 50)
        analysis_time = median_seconds(lambda: analyze_experiment(counts, guardrails=guardrails), 5)
        comparisons = (MAX_VARIANTS - 1) * (MAX_EXTRA_METRICS + 1)
        print(
            f"users per arm {users:>10,}: parse {parse_time * 1000:.2f} ms "
            f"({len(data)} bytes), analyze {comparisons} comparisons "
            f"{analysis_time * 1000:.0f} ms"
        )


if __name__ == "__main__":
    main()
