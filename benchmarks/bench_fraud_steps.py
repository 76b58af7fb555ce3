"""Time the live results of the fraud design steps and the page's step switches.

Run from the project root: ``python -m benchmarks.bench_fraud_steps``. It prints the
cold time of each step's core computation (after the models are trained, which is
timed separately) and the median time of an AppTest rerun that switches to each step
once its results are cached.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from streamlit.testing.v1 import AppTest

from core.fraud import step_artifacts
from core.fraud.model import build_default_models

HOME = Path(__file__).resolve().parents[1] / "Home.py"
STEP_KEY = "fraud_design_steps__step"


def _timed(function: Callable[[], object]) -> float:
    started = time.perf_counter()
    function()
    return time.perf_counter() - started


def time_core() -> list[tuple[str, float]]:
    """Return (name, seconds) for the model training and each step's computation."""
    # seed=0 as a keyword, as ui.fraud_inputs calls it, so the page reuses these models.
    rows = [("train models (simulate + fit 3 models)", _timed(lambda: build_default_models(seed=0)))]
    models = build_default_models(seed=0)
    days = models.split.test_days
    volume = len(models.test) / days
    rows += [
        ("1 base rates", _timed(lambda: step_artifacts.base_rates(models.stream, models.config.n_days))),
        ("2 decision bands", _timed(lambda: step_artifacts.decision_bands(models.y_test, models.test_scores, 0.1, 0.5, days))),
        ("3 class balance and label timeline", _timed(lambda: step_artifacts.daily_class_balance(models))),
        ("4 feature table", _timed(lambda: step_artifacts.feature_table(models))),
        ("5 model comparison with rules", _timed(lambda: step_artifacts.model_comparison(models))),
        ("6 threshold trade-off", _timed(lambda: step_artifacts.threshold_tradeoff(models.y_test, models.test_scores, 0.5, 0.1, volume))),
        ("6 permutation importance", _timed(models.permutation_importance)),
        ("7 latency budget (200 calls)", _timed(lambda: step_artifacts.latency_budget(models))),
        ("8 drift view (simulate + score)", _timed(lambda: step_artifacts.drift_view(models, models.split.test_start_day + 5, 0.5))),
    ]
    return rows


def time_step_switches(rounds: int) -> dict[int, float]:
    """Return the median seconds of a rerun that switches to each step, caches warm."""
    app = AppTest.from_file(str(HOME), default_timeout=600).run()
    app.switch_page("pages/fraud_design_steps.py").run()
    # One untimed pass fills every cache of the page.
    for number in range(1, 9):
        app.button_group(key=STEP_KEY).set_value(number).run()

    timings: dict[int, list[float]] = {number: [] for number in range(1, 9)}
    for _ in range(rounds):
        for number in range(1, 9):
            widget = app.button_group(key=STEP_KEY).set_value(number)
            started = time.perf_counter()
            widget.run()
            timings[number].append(time.perf_counter() - started)
            if app.exception:
                raise RuntimeError(f"step {number} raised during the benchmark: {app.exception[0].value}")
    return {number: statistics.median(values) for number, values in timings.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="timed passes over the eight steps")
    arguments = parser.parse_args()

    print("Core computations, cold (seconds):")
    for name, seconds in time_core():
        print(f"  {name:<42} {seconds:7.2f}")
    print(f"Step switch with warm caches, median of {arguments.rounds} (milliseconds):")
    for number, seconds in time_step_switches(max(1, arguments.rounds)).items():
        print(f"  step {number}: {seconds * 1000:7.1f}")


if __name__ == "__main__":
    main()
