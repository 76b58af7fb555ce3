"""Tests for the peeking simulator charts in charts.peeking."""

from __future__ import annotations

import json

import numpy as np
import pytest

from charts.peeking import BoundaryMarks, false_positive_chart, to_vega_lite_spec, trajectory_chart
from core.ab.peeking import (
    analysis_indices,
    build_look_schedule,
    first_significant_index,
    horizon_index,
    simulate_experiment,
)
from core.ab.sequential import group_sequential_boundaries, msprt_mixing_variance, nominal_p_thresholds


@pytest.fixture(scope="module")
def experiment():
    schedule = build_look_schedule(1000, 24, 6)
    trajectory = simulate_experiment(0.12, 0.0, schedule, 3, msprt_mixing_variance(0.02))
    return schedule, trajectory


def build_trajectory_chart(experiment, **changes):
    schedule, trajectory = experiment
    horizon = horizon_index(schedule, 4438)
    analyses = analysis_indices(schedule.n_looks, 5)
    thresholds = nominal_p_thresholds(group_sequential_boundaries(5, 0.05, "obrien_fleming"))
    arguments = dict(
        alpha=0.05,
        horizon_day=float(schedule.days[horizon]),
        planned_n=4438,
        peek_index=first_significant_index(trajectory.p_value, 0.05, horizon),
        boundaries=[BoundaryMarks("O'Brien-Fleming threshold", schedule.days[analyses], thresholds)],
    )
    arguments.update(changes)
    return trajectory_chart(trajectory, **arguments).to_dict()


def test_trajectory_chart_title_and_axes(experiment) -> None:
    spec = build_trajectory_chart(experiment)
    text = json.dumps(spec)
    assert spec["title"] == "Simulated experiment — p-value trajectory over time"
    assert "Day of experiment (days)" in text
    assert "p-value (two-sided)" in text
    assert '"tooltip"' in text


def test_trajectory_chart_shows_boundary_and_zone(experiment) -> None:
    text = json.dumps(build_trajectory_chart(experiment))
    assert "Required n boundary: 4,438 users per variant" in text
    assert "Peeking danger zone" in text


def test_trajectory_chart_marks_peek(experiment) -> None:
    text = json.dumps(build_trajectory_chart(experiment, peek_index=3))
    assert "A peeker would have stopped here" in text


def test_trajectory_chart_linear_scale(experiment) -> None:
    text = json.dumps(build_trajectory_chart(experiment, log_scale=False, horizon_day=None, peek_index=None))
    assert '"type": "log"' not in text
    assert "Required n boundary" not in text


def test_false_positive_chart_layers() -> None:
    rates = np.array([0.05, 0.08, 0.1])
    spec = false_positive_chart(rates, n_runs=1000, alpha=0.05, exact_by_look=np.array([0.05, 0.083])).to_dict()
    text = json.dumps(spec)
    assert spec["title"].startswith("Monte Carlo of A/A tests")
    assert "Number of looks (peeks)" in text
    assert "False-positive rate (share of A/A tests)" in text
    assert "Exact, large samples (numerical integration)" in text
    assert len(spec["layer"]) == 4


def test_vega_lite_spec_has_inline_data(experiment) -> None:
    _, trajectory = experiment
    chart = trajectory_chart(
        trajectory, alpha=0.05, horizon_day=1.0, planned_n=4438, peek_index=None, boundaries=[]
    )
    spec = to_vega_lite_spec(chart)
    assert "config" not in spec
    assert spec["datasets"]
    assert json.loads(json.dumps(spec)) == spec
