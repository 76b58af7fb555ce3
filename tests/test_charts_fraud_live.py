"""The live-scoring charts build from core results, with titles and axis titles."""

from __future__ import annotations

import pytest

from charts.fraud_live import (
    contribution_chart,
    label_metrics_chart,
    latency_chart,
    psi_chart,
    score_distribution_chart,
    sensitivity_chart,
)
from core.fraud.model import build_default_models
from core.fraud.monitoring import (
    build_reference,
    drift_alerts,
    hourly_label_metrics,
    hourly_operations,
    hourly_psi,
    hourly_score_quantiles,
    labels_as_of_seconds,
)
from core.fraud.online import (
    ReplayScenario,
    TreeEnsembleScorer,
    Transaction,
    feature_contributions,
    prepare_replay,
    replay_day,
    sensitivity_sweep,
    training_scores,
    typical_values,
)


@pytest.fixture(scope="module")
def charts():
    models = build_default_models(seed=0)
    scorer = TreeEnsembleScorer(models.gbm.estimator)
    transaction = Transaction(250.0, 1, False, 0.2, 14)
    frame = replay_day(scorer, prepare_replay(models, ReplayScenario(max_transactions=5_000))).transactions
    reference = build_reference(models.train_features, training_scores(models))
    psi_table = hourly_psi(frame, reference)
    labels = hourly_label_metrics(frame, 0.5, labels_as_of_seconds(5))
    alerts = drift_alerts(psi_table, labels, 0.2)
    return {
        "contribution": contribution_chart(
            feature_contributions(scorer, transaction, typical_values(models.train_features))
        ),
        "sensitivity": sensitivity_chart(
            sensitivity_sweep(scorer, transaction, "amount"), "amount", 250.0, 0.08, 0.5, 0.9
        ),
        "psi": psi_chart(psi_table, 3),
        "score": score_distribution_chart(hourly_score_quantiles(frame, 0.5), None),
        "labels": label_metrics_chart(labels, 3),
        "latency": latency_chart(hourly_operations(frame, alerts)),
    }


def _axis_titles(spec: dict) -> list[str]:
    layers = spec.get("layer", [spec])
    titles = []
    for layer in layers:
        for channel in ("x", "y"):
            encoding = layer.get("encoding", {}).get(channel, {})
            if "title" in encoding:
                titles.append(encoding["title"])
    return titles


@pytest.mark.parametrize("name", ["contribution", "sensitivity", "psi", "score", "labels", "latency"])
def test_chart_has_title_and_axes(charts, name):
    spec = charts[name].to_dict()
    assert spec["title"]
    assert len(_axis_titles(spec)) >= 2
    assert spec["autosize"]["type"] == "fit-x"


def test_psi_legend_fits_half_width(charts):
    # The PSI chart sits in one of two page columns, about 460 px wide at a 1400 px
    # window. Three legend columns of "Merchant risk (fraud share)" cut the third off.
    legend = charts["psi"].to_dict()["layer"][0]["encoding"]["color"]["legend"]
    assert legend["columns"] * legend["labelLimit"] <= 400


def test_label_lines_break_at_missing_hours(charts):
    # An hour without labelled frauds has no recall: the line must break there rather
    # than slope through it, so the value stays in the data as null.
    spec = charts["labels"].to_dict()
    line = spec["layer"][0]
    assert line["mark"]["invalid"] == "break-paths-filter-domains"
    values = spec["datasets"][line["data"]["name"]]
    assert any(row["value"] is None for row in values)
