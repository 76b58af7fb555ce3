"""Time the Python side of the narration control for every script in data/narration.

Run from the project root: ``python -m benchmarks.bench_narration``. For each script it
prints the median time of one page's narration work on a rerun: load the script, render
it twice (transcript and speech), convert it to speech text and build the control's HTML.
Streamlit's own cost of sending the element is not included.
"""

from __future__ import annotations

import argparse
import statistics
import time

from core.narration import SCRIPT_DIR, load_script, render_script, speech_text
from ui.narration import control_html

# Enough values for every script: a sentence whose placeholder has no value is dropped,
# which is cheaper than filling it, so the benchmark fills as many as it can.
VALUES: dict[str, object] = {
    "n_pages": 5, "n_ab_pages": 3, "n_fraud_pages": 2,
    "baseline_rate": 0.12, "treatment_rate": 0.14, "n_per_variant": 4438, "n_total": 8876,
    "n_treatments": 1, "daily_traffic_per_variant": 5000, "days_to_run": 7, "days_exact": 1,
    "power": 0.8, "alpha": 0.05, "alpha_per_comparison": 0.025, "sides": "two-sided",
}


def measure(page_id: str, repeats: int) -> list[float]:
    timings_ms = []
    for _ in range(repeats):
        start = time.perf_counter()
        template = load_script(page_id)
        render_script(template, VALUES)
        control_html(page_id, speech_text(render_script(template, VALUES)))
        timings_ms.append((time.perf_counter() - start) * 1000.0)
    return timings_ms


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=500, help="timed repetitions per script")
    arguments = parser.parse_args()

    for path in sorted(SCRIPT_DIR.glob("*.md")):
        timings_ms = measure(path.stem, max(20, arguments.repeats))
        median = statistics.median(timings_ms)
        p90 = statistics.quantiles(timings_ms, n=10)[-1]
        size_kb = len(control_html(path.stem, speech_text(render_script(load_script(path.stem), VALUES)))) / 1024
        print(f"{path.stem}: median {median:.2f} ms, p90 {p90:.2f} ms, control HTML {size_kb:.1f} KB")


if __name__ == "__main__":
    main()
