"""Tests that the fraud charts build from core results, with titles and tooltips."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from charts.fraud import (
    calibration_chart,
    cost_chart,
    impurity_importance_chart,
    permutation_importance_chart,
    pr_curve_chart,
    precision_recall_threshold_chart,
    roc_curve_chart,
)
from core.fraud.evaluation import (
    CostSettings,
    calibration_table,
    cost_curve,
    metrics_at_threshold,
    optimal_threshold,
    pr_curve,
    roc_curve,
    sweep_thresholds,
)


@pytest.fixture(scope="module")
def scored():
    rng = np.random.default_rng(0)
    labels = (rng.random(5000) < 0.01).astype(int)
    scores = np.clip(rng.beta(1, 30, 5000) + 0.3 * labels * rng.random(5000), 0, 1)
    return labels, scores


def chart_titles(spec: dict) -> list[str]:
    titles = []
    for layer in [spec, *spec.get("layer", [])]:
        title = layer.get("title")
        if title:
            titles.append(title if isinstance(title, str) else title["text"])
    return titles


def test_threshold_charts_build(scored):
    labels, scores = scored
    settings = CostSettings(5, 50, 10_000)
    sweep = sweep_thresholds(labels, scores, np.linspace(0, 1, 101), settings)
    optimum = optimal_threshold(cost_curve(labels, scores, settings))
    cost = cost_chart(sweep, optimum, 0.5).to_dict()
    assert chart_titles(cost) == ["Expected daily cost vs threshold"]
    trade_off = precision_recall_threshold_chart(sweep, 0.5).to_dict()
    assert chart_titles(trade_off) == ["Precision and recall vs threshold"]


def test_curve_charts_build(scored):
    labels, scores = scored
    metrics = metrics_at_threshold(labels, scores, 0.2)
    pr = pr_curve_chart(pr_curve(labels, scores), labels.mean(), metrics).to_dict()
    roc = roc_curve_chart(roc_curve(labels, scores).iloc[1:], metrics).to_dict()
    assert chart_titles(pr) == ["Precision-recall curve"]
    assert chart_titles(roc) == ["ROC curve"]
    calibration = calibration_chart(calibration_table(labels, scores)).to_dict()
    assert chart_titles(calibration) == ["Calibration (score vs observed fraud rate)"]


def test_point_skipped_without_alerts(scored):
    labels, scores = scored
    # No score reaches 1, so precision is undefined and the marker has no data.
    metrics = metrics_at_threshold(labels, scores, 1.0)
    assert metrics.precision is None
    pr_curve_chart(pr_curve(labels, scores), labels.mean(), metrics).to_dict()


def test_importance_charts_build():
    table = pd.DataFrame({"feature": ["amount", "velocity_1h"], "importance": [0.3, 0.1], "std": [0.01, 0.02]})
    spec = permutation_importance_chart(table).to_dict()
    assert spec["title"] == "Feature importance (GBM model)"
    assert spec["encoding"]["x"]["title"] == "Drop in AUC-PR when shuffled (test period)"
    impurity = impurity_importance_chart(table.drop(columns="std")).to_dict()
    assert "Impurity importance" in impurity["title"]
    assert len(impurity["encoding"]["tooltip"]) == 2
