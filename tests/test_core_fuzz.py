"""Fuzz every public core function with extreme, NaN, infinite and malformed inputs.

Each call must either return a valid result (finite numbers, probabilities in [0, 1])
or raise ``ValueError`` whose message names a parameter of the function. Any other
exception, a RuntimeWarning (turned into an error here) or a call that runs past the
hypothesis deadline is a bug.

``FUZZ_TABLE`` maps every public callable of ``core`` to a strategy for its arguments.
``test_fuzz_table_covers_core`` fails when a public function or a validating dataclass
is added to ``core`` without an entry, so new code cannot skip this check.
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import math
import pkgutil
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import core.ab
import core.fraud
from core.ab import (
    analysis,
    bayesian,
    design,
    guardrails,
    multiple_testing,
    peeking,
    report,
    results,
    sample_size,
    sequential,
    srm,
)
from core.fraud import evaluation, model, monitoring, online, step_artifacts, steps, stream
from core import validation

# --------------------------------------------------------------------------- values

EXTREME_FLOATS = [
    math.nan,
    math.inf,
    -math.inf,
    0.0,
    -0.0,
    -1.0,
    1e308,
    -1e308,
    5e-324,
    1e-300,
    0.5,
    1.0,
]
EXTREME_INTS = [0, 1, -1, 2, 10**18, -(10**18), 10**400]
ODD_TYPES = [True, False, None, "1", [], (), object()]


def numbers(valid: st.SearchStrategy) -> st.SearchStrategy:
    """Mix valid values with extremes, huge integers, booleans and non-numbers."""
    return st.one_of(
        valid,
        valid,
        st.sampled_from(EXTREME_FLOATS),
        st.sampled_from(EXTREME_INTS),
        st.sampled_from(ODD_TYPES),
        st.floats(allow_nan=True, allow_infinity=True),
    )


def real(low: float, high: float) -> st.SearchStrategy:
    return numbers(st.floats(low, high))


def integer(low: int, high: int) -> st.SearchStrategy:
    return numbers(st.integers(low, high))


def float_arrays(low: float = 0.0, high: float = 1.0, min_size: int = 0, max_size: int = 30):
    """Arrays of valid values, sometimes with NaN, infinities or huge values mixed in."""
    element = st.one_of(
        st.floats(low, high), st.floats(low, high), st.sampled_from(EXTREME_FLOATS)
    )
    return st.one_of(
        st.lists(st.floats(low, high), min_size=min_size, max_size=max_size).map(np.array),
        st.lists(element, min_size=min_size, max_size=max_size).map(np.array),
        st.just(np.array([])),
        st.just(np.zeros((2, 2))),
    )


@st.composite
def labels_and_scores(draw, max_size: int = 40):
    """Labels and scores of the same length most of the time, sometimes not."""
    size = draw(st.integers(0, max_size))
    labels = draw(
        st.one_of(
            st.lists(st.integers(0, 1), min_size=size, max_size=size),
            st.lists(st.sampled_from([0, 1, 2, math.nan]), min_size=size, max_size=size),
            st.just([0] * size),
            st.just([1] * size),
        )
    )
    scores = draw(
        st.lists(
            st.one_of(st.floats(0, 1), st.floats(0, 1), st.sampled_from(EXTREME_FLOATS)),
            min_size=size,
            max_size=size,
        )
    )
    if draw(st.booleans()) and draw(st.booleans()):
        scores = scores + [0.5]
    return np.array(labels), np.array(scores, dtype=float)


# --------------------------------------------------------------------------- context


@dataclass
class Context:
    """Expensive shared objects built once per session: a small stream and its models."""

    models: model.FraudModels
    scorer: online.TreeEnsembleScorer
    replay: online.ReplayResult
    replay_input: online.ReplayInput
    reference: monitoring.MonitoringReference
    proportion_test: analysis.ProportionTest
    counts: results.ExperimentCounts
    schedule: peeking.LookSchedule
    null_result: peeking.MonteCarloResult
    plan: sample_size.SizingPlan


SMALL_CONFIG = stream.StreamConfig(
    n_cards=1000,
    n_merchants=50,
    n_days=12,
    fraud_rate=0.01,
    label_delay_days=2,
    merchant_risk_window_days=3,
    seed=1,
)


@pytest.fixture(scope="session")
def context() -> Context:
    small_stream = stream.simulate_stream(SMALL_CONFIG)
    models = model.train_fraud_models(
        small_stream, SMALL_CONFIG, test_days=4, negative_sample_rate=0.2, seed=1
    )
    scorer = online.TreeEnsembleScorer(models.gbm.estimator)
    replay_input = online.prepare_replay(models, online.ReplayScenario(max_transactions=300))
    replay = online.replay_day(scorer, replay_input)
    reference = monitoring.build_reference(models.train_features, online.training_scores(models))
    schedule = peeking.build_look_schedule(100, 1, 5)
    null_result = peeking.simulate_stopping_rules(
        0.1, 0.0, schedule, alpha=0.05, horizon=4, n_analyses=2, mixing_variance=1e-4, n_runs=20
    )
    return Context(
        models=models,
        scorer=scorer,
        replay=replay,
        replay_input=replay_input,
        reference=reference,
        proportion_test=analysis.compare_proportions(1000, 100, 1000, 120),
        counts=results.build_counts(
            ["control", "treatment"], [1000, 1000], {"conversions": [100, 120]}
        ),
        schedule=schedule,
        null_result=null_result,
        plan=sample_size.plan_experiment(sample_size.SizingScenario()),
    )


# --------------------------------------------------------------------------- table


@dataclass(frozen=True)
class Fuzz:
    """How to fuzz one public callable.

    ``arguments`` returns a dict of strategies, one per keyword argument, given the
    session context. ``check`` validates a returned value. ``names`` adds words a
    ValueError may name besides the parameters, for example the fields of a dataclass
    argument or the column of a table argument.
    """

    arguments: Callable[[Context], Mapping[str, st.SearchStrategy]]
    check: Callable[[Any], None] | None = None
    names: tuple[str, ...] = ()
    max_examples: int = 80
    deadline_ms: int = 3000
    allow_nonfinite: bool = False


def in_unit_interval(value: Any) -> None:
    assert 0.0 <= float(value) <= 1.0, value


def scenario_strategy() -> st.SearchStrategy:
    return st.builds(
        sample_size.SizingScenario,
        baseline_rate=real(0.001, 0.99),
        mde=real(0.001, 0.5),
        power=real(0.5, 0.99),
        alpha=real(0.001, 0.2),
        two_sided=st.sampled_from([True, False, 1, None]),
        mde_relative=st.sampled_from([True, False, 0]),
        n_treatments=integer(1, 5),
        daily_traffic_per_variant=integer(1, 100_000),
        full_weeks=st.booleans(),
    )


SCENARIO_FIELDS = tuple(f.name for f in dataclasses.fields(sample_size.SizingScenario))
STREAM_FIELDS = tuple(f.name for f in dataclasses.fields(stream.StreamConfig)) + (
    "expected transactions",
    "period",
)


def valid_transaction() -> st.SearchStrategy:
    return st.builds(
        online.Transaction,
        amount=st.floats(0, 1e9),
        velocity_1h=st.floats(0, 10_000),
        is_international=st.booleans(),
        merchant_risk=st.floats(0, 1),
        hour_of_day=st.integers(0, 23),
    )


def cost_settings() -> st.SearchStrategy:
    return st.builds(
        evaluation.CostSettings,
        fp_cost=st.floats(0, 100),
        fn_cost=st.floats(0, 1000),
        daily_volume=st.floats(1, 1e7),
        fn_cost_is_amount=st.booleans(),
    )


def feature_frames() -> st.SearchStrategy:
    """Feature tables, some with NaN, infinite or negative values or a missing column."""
    value = st.one_of(st.floats(0, 100), st.sampled_from(EXTREME_FLOATS))
    row = st.fixed_dictionaries({name: value for name in stream.FEATURES})
    return st.one_of(
        st.lists(row, min_size=0, max_size=5).map(
            lambda rows: pd.DataFrame(rows, columns=list(stream.FEATURES))
        ),
        st.just(pd.DataFrame({"amount": [1.0]})),
        st.just({name: 1.0 for name in stream.FEATURES}),
    )


@st.composite
def stream_like(draw, context: Context) -> pd.DataFrame:
    """The small stream, sometimes with a NaN or infinite value in one column."""
    frame = context.models.stream.copy()
    if draw(st.booleans()):
        column = draw(st.sampled_from(list(frame.columns)))
        frame[column] = frame[column].astype(float)
        frame.loc[frame.index[0], column] = draw(st.sampled_from([math.nan, math.inf, -1e308]))
    return frame


@st.composite
def replayed(draw, context: Context) -> pd.DataFrame:
    """The replayed transactions, sometimes with a bad score or an empty table."""
    frame = context.replay.transactions.copy()
    choice = draw(st.integers(0, 3))
    if choice == 1:
        frame["score"] = frame["score"].astype(float)
        frame.loc[frame.index[0], "score"] = draw(st.sampled_from([math.nan, math.inf, -1.0, 2.0]))
    elif choice == 2:
        frame = frame.iloc[:0]
    return frame


FUZZ_TABLE: dict[Callable[..., Any], Fuzz] = {
    # ---------------------------------------------------------------- validation
    validation.check_number: Fuzz(
        lambda c: {
            "name": st.just("value"),
            "value": real(-10, 10),
            "low": st.floats(-10, 0),
            "high": st.floats(0, 10),
        }
    ),
    validation.check_integer: Fuzz(
        lambda c: {
            "name": st.just("value"),
            "value": integer(-10, 10),
            "low": st.integers(-10, 0),
            "high": st.one_of(st.none(), st.integers(0, 10)),
        }
    ),
    validation.check_array: Fuzz(
        lambda c: {
            "name": st.just("values"),
            "values": st.one_of(float_arrays(-10, 10), st.sampled_from(ODD_TYPES), st.just([[1], [1, 2]])),
            "low": st.floats(-10, 0),
            "high": st.floats(0, 10),
            "allow_infinite": st.booleans(),
        },
        allow_nonfinite=True,
    ),
    validation.check_broadcastable: Fuzz(
        lambda c: {"first": float_arrays(), "second": float_arrays()},
        names=("first", "second"),
    ),
    # ---------------------------------------------------------------- ab
    analysis.check_counts: Fuzz(
        lambda c: {"name": st.just("control"), "users": integer(0, 1000), "conversions": integer(0, 1000)},
        names=("control",),
    ),
    analysis.compare_proportions: Fuzz(
        lambda c: {
            "control_users": integer(1, 10**6),
            "control_conversions": integer(0, 10**6),
            "treatment_users": integer(1, 10**6),
            "treatment_conversions": integer(0, 10**6),
            "alpha": real(0.001, 0.5),
        },
        names=("conversions", "users"),
        allow_nonfinite=True,
    ),
    bayesian.compare_posteriors: Fuzz(
        lambda c: {
            "control_users": integer(1, 10**6),
            "control_conversions": integer(0, 10**6),
            "treatment_users": integer(1, 10**6),
            "treatment_conversions": integer(0, 10**6),
            "prior_alpha": real(0.01, 100),
            "prior_beta": real(0.01, 100),
        },
        names=("conversions", "users"),
        max_examples=25,
    ),
    design.design_effect: Fuzz(lambda c: {"mean_cluster_size": real(1, 1000), "icc": real(0, 1)}),
    design.cuped_variance_factor: Fuzz(lambda c: {"correlation": real(-1, 1)}),
    design.scale_sample_size: Fuzz(
        lambda c: {
            "n_per_variant": integer(1, 10**7),
            "factor": real(0.01, 100),
            "n_variants": integer(2, 10),
            "daily_traffic_per_variant": real(1, 10**6),
        }
    ),
    guardrails.check_guardrail: Fuzz(
        lambda c: {
            "comparison": st.just(c.proportion_test),
            "margin": real(0, 0.5),
            "higher_is_better": st.sampled_from([True, False, 1, None, "no"]),
        }
    ),
    multiple_testing.adjust_p_values: Fuzz(
        lambda c: {
            "p_values": st.one_of(float_arrays(0, 1), st.lists(real(0, 1), max_size=5)),
            "method": st.sampled_from(["bonferroni", "holm", "bh", "BH", "none", "", "x"]),
        }
    ),
    peeking.build_look_schedule: Fuzz(
        lambda c: {
            "daily_traffic_per_variant": real(1, 10**5),
            "looks_per_day": integer(1, 24),
            "experiment_days": real(1, 60),
        }
    ),
    peeking.horizon_index: Fuzz(
        lambda c: {"schedule": st.just(c.schedule), "n_per_variant": integer(1, 1000)}
    ),
    peeking.reaches_planned_n: Fuzz(
        lambda c: {"schedule": st.just(c.schedule), "n_per_variant": integer(1, 1000)}
    ),
    peeking.check_rates: Fuzz(lambda c: {"baseline_rate": real(0.01, 0.99), "true_lift": real(-0.5, 0.5)}),
    peeking.two_proportion_z: Fuzz(
        lambda c: {
            "conversions_a": float_arrays(0, 50, 3, 3),
            "conversions_b": float_arrays(0, 50, 3, 3),
            "n_per_variant": float_arrays(50, 100, 3, 3),
        },
        names=("conversions", "n_per_variant"),
    ),
    peeking.two_sided_p_values: Fuzz(
        lambda c: {"z": float_arrays(-10, 10)}, check=lambda p: np.all((p >= 0) & (p <= 1))
    ),
    peeking.simulate_experiment: Fuzz(
        lambda c: {
            "baseline_rate": real(0.01, 0.5),
            "true_lift": real(-0.1, 0.1),
            "schedule": st.just(c.schedule),
            "seed": integer(0, 100),
            "mixing_variance": real(1e-6, 1),
        },
        max_examples=25,
    ),
    peeking.first_significant_index: Fuzz(
        lambda c: {
            "p_values": float_arrays(0, 1),
            "alpha": real(0.001, 0.5),
            "before_index": st.one_of(st.none(), integer(0, 30)),
        }
    ),
    peeking.analysis_indices: Fuzz(lambda c: {"n_looks": integer(1, 100), "n_analyses": integer(1, 100)}),
    peeking.merge_monte_carlo_results: Fuzz(
        lambda c: {"results": st.lists(st.just(c.null_result), max_size=3)}
    ),
    peeking.simulate_stopping_rules: Fuzz(
        lambda c: {
            "baseline_rate": real(0.01, 0.5),
            "true_lift": real(-0.1, 0.1),
            "schedule": st.just(c.schedule),
            "alpha": real(0.001, 0.5),
            "horizon": integer(0, 4),
            "n_analyses": integer(1, 5),
            "mixing_variance": real(1e-6, 1),
            "n_runs": integer(1, 30),
            "seed": integer(0, 100),
            "batch": integer(0, 3),
        },
        max_examples=25,
    ),
    peeking.summarize_trade_offs: Fuzz(
        lambda c: {"null": st.just(c.null_result), "lift": st.sampled_from([None, c.null_result])},
        max_examples=3,
    ),
    report.analyze_experiment: Fuzz(
        lambda c: {
            "counts": st.just(c.counts),
            "alpha": real(0.001, 0.5),
            "primary_metric": st.sampled_from(["conversions", "missing", ""]),
            "guardrails": st.one_of(
                st.none(),
                st.builds(lambda m: {"conversions": report.GuardrailSpec(m)}, real(0, 0.5)),
            ),
            "planned_split": st.one_of(st.none(), st.lists(real(0, 1), max_size=3)),
        },
        names=("guardrail", "margin"),
        allow_nonfinite=True,
    ),
    results.build_counts: Fuzz(
        lambda c: {
            "variants": st.sampled_from([["control", "treatment"], ["a"], [], ["a", "a"], ["a", ""]]),
            "users": st.lists(integer(0, 1000), max_size=3),
            "conversions": st.dictionaries(
                st.sampled_from(["conversions", "", "users"]),
                st.lists(integer(0, 1000), max_size=3),
                max_size=2,
            ),
        },
        names=("variant", "conversion", "user", "metric"),
    ),
    results.parse_results_csv: Fuzz(
        lambda c: {
            "data": st.one_of(
                st.binary(max_size=200),
                st.sampled_from(
                    [
                        b"variant,users,conversions\ncontrol,1000,100\ntreatment,1000,120\n",
                        b"variant,users,conversions\ncontrol,nan,100\ntreatment,inf,120\n",
                        b"variant,users,conversions\ncontrol,1e400,100\ntreatment,-1,120\n",
                        b"variant,users,conversions\ncontrol,10,11\ntreatment,10,1\n",
                        b"",
                        b"\xff\xfe",
                    ]
                ),
            )
        },
        names=("CSV", "csv", "variant", "users", "conversions", "row", "column", "data"),
    ),
    sample_size.n_per_variant_pooled: Fuzz(
        lambda c: {
            "baseline_rate": real(0.01, 0.99),
            "treatment_rate": real(0.01, 0.99),
            "power": real(0.5, 0.99),
            "alpha": real(0.001, 0.2),
            "two_sided": st.booleans(),
        },
        names=("mde",),
    ),
    sample_size.n_per_variant_cohens_h: Fuzz(
        lambda c: {
            "baseline_rate": real(0.01, 0.99),
            "treatment_rate": real(0.01, 0.99),
            "power": real(0.5, 0.99),
            "alpha": real(0.001, 0.2),
            "two_sided": st.booleans(),
        },
        names=("mde",),
    ),
    sample_size.n_per_variant_continuity_corrected: Fuzz(
        lambda c: {
            "baseline_rate": real(0.01, 0.99),
            "treatment_rate": real(0.01, 0.99),
            "power": real(0.5, 0.99),
            "alpha": real(0.001, 0.2),
            "two_sided": st.booleans(),
        },
        names=("mde",),
    ),
    sample_size.validate_scenario: Fuzz(
        lambda c: {"scenario": scenario_strategy()}, names=SCENARIO_FIELDS + ("treatment",)
    ),
    sample_size.plan_experiment: Fuzz(
        lambda c: {"scenario": scenario_strategy()}, names=SCENARIO_FIELDS + ("treatment",)
    ),
    sample_size.power_at_n: Fuzz(
        lambda c: {
            "baseline_rate": real(0.01, 0.99),
            "treatment_rate": real(0.01, 0.99),
            "n_per_variant": real(1, 10**7),
            "alpha": real(0.001, 0.2),
            "two_sided": st.booleans(),
        },
        names=("mde",),
        check=in_unit_interval,
    ),
    sample_size.sampling_distributions: Fuzz(
        lambda c: {"plan": st.just(c.plan)},
    ),
    sample_size.compare_formulas: Fuzz(
        lambda c: {"scenario": scenario_strategy()}, names=SCENARIO_FIELDS + ("treatment",)
    ),
    sample_size.python_snippet: Fuzz(
        lambda c: {"scenario": scenario_strategy()}, names=SCENARIO_FIELDS + ("treatment",)
    ),
    sample_size.n_over_mde_range: Fuzz(
        lambda c: {"scenario": scenario_strategy(), "n_points": integer(2, 100)},
        names=SCENARIO_FIELDS + ("treatment",),
        max_examples=25,
    ),
    sample_size.power_over_n: Fuzz(
        lambda c: {"plan": st.just(c.plan), "n_points": integer(2, 100)}
    ),
    sample_size.distribution_curves: Fuzz(
        lambda c: {
            "distributions": st.just(sample_size.sampling_distributions(c.plan)),
            "n_points": integer(2, 1000),
        }
    ),
    sequential.crossing_probabilities: Fuzz(
        lambda c: {"z_boundaries": float_arrays(0, 5, 0, 6)}, max_examples=25
    ),
    sequential.repeated_testing_error: Fuzz(
        lambda c: {"n_looks": integer(1, 20), "alpha": real(0.001, 0.2)}, max_examples=25
    ),
    sequential.group_sequential_constant: Fuzz(
        lambda c: {
            "n_looks": integer(1, 10),
            "alpha": real(0.001, 0.2),
            "method": st.sampled_from(["pocock", "obrien_fleming", "x"]),
        },
        max_examples=25,
    ),
    sequential.group_sequential_boundaries: Fuzz(
        lambda c: {
            "n_looks": integer(1, 10),
            "alpha": real(0.001, 0.2),
            "method": st.sampled_from(["pocock", "obrien_fleming", "x"]),
        },
        max_examples=25,
    ),
    sequential.nominal_p_thresholds: Fuzz(
        lambda c: {"z_boundaries": float_arrays(0, 5)},
        check=lambda p: np.all((p >= 0) & (p <= 1)),
    ),
    sequential.msprt_mixing_variance: Fuzz(lambda c: {"mde_absolute": real(1e-4, 0.5)}),
    sequential.msprt_log_likelihood_ratio: Fuzz(
        lambda c: {
            "difference": float_arrays(-0.1, 0.1, 3, 3),
            "variance": float_arrays(0.01, 0.5, 3, 3),
            "n_per_variant": float_arrays(1, 1000, 3, 3),
            "mixing_variance": real(1e-6, 1),
        }
    ),
    sequential.msprt_p_values: Fuzz(
        lambda c: {
            "conversions_a": float_arrays(0, 50, 3, 3),
            "conversions_b": float_arrays(0, 50, 3, 3),
            "n_per_variant": float_arrays(50, 100, 3, 3),
            "mixing_variance": real(1e-6, 1),
        },
        names=("conversions", "n_per_variant"),
        check=lambda p: np.all((p >= 0) & (p <= 1)),
    ),
    srm.check_sample_ratio: Fuzz(
        lambda c: {
            "users": st.lists(integer(0, 10**6), max_size=4),
            "planned_split": st.one_of(st.none(), st.lists(real(0, 1), max_size=4)),
            "threshold": real(1e-6, 0.5),
        },
        allow_nonfinite=True,
    ),
    srm.parse_planned_split: Fuzz(
        lambda c: {
            "text": st.one_of(
                st.text(max_size=20),
                st.sampled_from(["50/50", "nan/50", "inf,1", "1e400/1", "0/0", "-1/2", "1/2/3"]),
            ),
            "n_arms": integer(1, 5),
        },
        names=("split", "planned"),
    ),
}


def _labels_scores_entry(extra: Callable[[Context], Mapping[str, Any]] = lambda c: {}, **kwargs):
    """Entry for a function whose first two arguments are labels and scores."""

    def arguments(c: Context) -> dict[str, st.SearchStrategy]:
        return {"_pair": labels_and_scores(), **extra(c)}

    return Fuzz(arguments, names=("labels", "scores") + kwargs.pop("names", ()), **kwargs)


def check_metric(result: evaluation.MetricResult) -> None:
    if result.value is not None:
        in_unit_interval(result.value)


FUZZ_TABLE.update(
    {
        evaluation.average_precision: _labels_scores_entry(check=check_metric),
        evaluation.roc_auc: _labels_scores_entry(check=check_metric),
        evaluation.pr_curve: _labels_scores_entry(),
        # With one class in the labels scikit-learn returns NaN rates (undefined, not 0).
        evaluation.roc_curve: _labels_scores_entry(allow_nonfinite=True),
        evaluation.downsample_curve: Fuzz(
            lambda c: {
                "curve": st.just(evaluation.pr_curve(c.models.y_test, c.models.test_scores)),
                "max_points": integer(2, 5000),
            }
        ),
        evaluation.metrics_at_threshold: _labels_scores_entry(lambda c: {"threshold": real(0, 1)}),
        evaluation.daily_confusion_matrix: Fuzz(
            lambda c: {
                "metrics": st.just(evaluation.metrics_at_threshold(c.models.y_test, c.models.test_scores, 0.5)),
                "daily_volume": real(1, 1e9),
            }
        ),
        evaluation.CostSettings: Fuzz(
            lambda c: {
                "fp_cost": real(0, 100),
                "fn_cost": real(0, 1000),
                "daily_volume": real(1, 1e9),
                "fn_cost_is_amount": st.sampled_from([True, False, 1, None]),
            }
        ),
        evaluation.cost_curve: _labels_scores_entry(
            lambda c: {
                "settings": cost_settings(),
                "amounts": st.one_of(st.none(), float_arrays(0, 1000)),
            },
            names=("amounts",),
        ),
        # Precision, recall and false positive rate are documented as NaN where undefined.
        evaluation.sweep_thresholds: _labels_scores_entry(
            lambda c: {
                "thresholds": float_arrays(0, 1),
                "settings": st.one_of(st.none(), cost_settings()),
                "amounts": st.one_of(st.none(), float_arrays(0, 1000)),
            },
            allow_nonfinite=True,
        ),
        evaluation.optimal_threshold: Fuzz(
            lambda c: {
                "curve": st.sampled_from(
                    [
                        evaluation.cost_curve(
                            c.models.y_test, c.models.test_scores, evaluation.CostSettings(5, 50, 1e6)
                        ),
                        pd.DataFrame(columns=["threshold", "cost_per_day"]),
                    ]
                )
            },
            names=("curve", "cost"),
        ),
        evaluation.cost_at_threshold: _labels_scores_entry(
            lambda c: {
                "threshold": real(0, 1),
                "settings": cost_settings(),
                "amounts": st.one_of(st.none(), float_arrays(0, 1000)),
            },
            names=("amounts",),
        ),
        evaluation.brute_force_optimal_threshold: _labels_scores_entry(
            lambda c: {
                "settings": cost_settings(),
                "thresholds": float_arrays(0, 1),
                "amounts": st.one_of(st.none(), float_arrays(0, 1000)),
            },
            names=("amounts",),
        ),
        evaluation.calibration_table: _labels_scores_entry(lambda c: {"n_bins": integer(1, 50)}),
        evaluation.permutation_importance_table: Fuzz(
            lambda c: {
                "estimator": st.just(c.models.gbm.estimator),
                "matrix": st.just(c.models.test.loc[:200, list(stream.FEATURES)].to_numpy(float)),
                "labels": st.just(c.models.y_test[:201]),
                "feature_names": st.sampled_from([stream.FEATURES, stream.FEATURES[:2]]),
                "n_repeats": integer(1, 3),
                "seed": integer(0, 10),
                "sample_weight": st.none(),
            },
            max_examples=10,
            deadline_ms=10_000,
        ),
        evaluation.impurity_importance_table: Fuzz(
            lambda c: {
                "estimator": st.just(c.models.models["baseline_gbm"].estimator),
                "feature_names": st.sampled_from([stream.FEATURES, stream.FEATURES[:2]]),
            },
            max_examples=3,
        ),
        evaluation.parse_scores_csv: Fuzz(
            lambda c: {
                "data": st.one_of(
                    st.binary(max_size=200),
                    st.text(max_size=100),
                    st.sampled_from(
                        [
                            b"label,score\n1,0.9\n0,0.1\n",
                            b"label,score\n1,nan\n0,inf\n",
                            b"label,score,amount\n1,0.9,-5\n0,0.1,1e400\n",
                            b"label,score\n2,0.9\n0,1.5\n",
                            b"label,score\n1,0.9\n1,0.1\n",
                            b"",
                        ]
                    ),
                ),
                "max_bytes": integer(1, 10**6),
                "max_rows": integer(1, 1000),
            },
            names=("CSV", "csv", "label", "score", "amount", "row", "column", "data", "file"),
        ),
        # ------------------------------------------------------------ fraud.model
        model.make_time_split: Fuzz(
            lambda c: {"config": st.just(SMALL_CONFIG), "test_days": integer(1, 20)}
        ),
        model.validate_features: Fuzz(
            lambda c: {"features": feature_frames()}, names=stream.FEATURES + ("features",)
        ),
        model.measure_latency_ms: Fuzz(
            lambda c: {"score_one": st.just(lambda: None), "n_calls": integer(1, 50)}
        ),
        model.train_fraud_models: Fuzz(
            lambda c: {
                "stream": st.just(c.models.stream),
                "config": st.just(SMALL_CONFIG),
                "test_days": st.sampled_from([4, 0, -1, 11, 12, math.nan, True]),
                "negative_sample_rate": st.sampled_from([0.2, 0.0, math.nan, math.inf, 5e-324, 1e308]),
                "seed": st.sampled_from([1, -1, 2**40, math.nan]),
            },
            names=("period", "test_days"),
            max_examples=6,
            deadline_ms=30_000,
        ),
        # ------------------------------------------------------------ fraud.monitoring
        monitoring.bin_edges: Fuzz(
            lambda c: {"reference": float_arrays(0, 100), "max_bins": integer(1, 20)}
        ),
        monitoring.bin_shares: Fuzz(
            lambda c: {"values": float_arrays(0, 100), "edges": float_arrays(0, 100, 0, 5).map(np.sort)},
            allow_nonfinite=True,
        ),
        monitoring.psi: Fuzz(
            lambda c: {
                "expected_shares": float_arrays(0, 1, 0, 4),
                "actual_shares": float_arrays(0, 1, 0, 4),
                "epsilon": real(1e-6, 0.1),
            },
            names=("shares",),
        ),
        monitoring.psi_of_samples: Fuzz(
            lambda c: {
                "reference": float_arrays(0, 100),
                "actual": float_arrays(0, 100),
                "max_bins": integer(1, 20),
            }
        ),
        monitoring.hourly_psi: Fuzz(
            lambda c: {"transactions": replayed(c), "reference": st.just(c.reference)},
            names=("score", "transactions") + monitoring.MONITORED_COLUMNS,
            max_examples=10,
        ),
        monitoring.hourly_score_quantiles: Fuzz(
            lambda c: {"transactions": replayed(c), "review_threshold": real(0, 1)},
            names=("score", "transactions"),
            max_examples=15,
        ),
        monitoring.clopper_pearson_upper: Fuzz(
            lambda c: {"successes": integer(0, 100), "trials": integer(0, 100), "confidence": real(0.5, 0.999)},
            check=in_unit_interval,
        ),
        monitoring.hourly_label_metrics: Fuzz(
            lambda c: {
                "transactions": replayed(c),
                "review_threshold": real(0, 1),
                "labels_as_of": real(0, 1e7),
                "window_hours": integer(1, 24),
            },
            names=("score", "transactions"),
            max_examples=15,
            allow_nonfinite=True,
        ),
        monitoring.drift_alerts: Fuzz(
            lambda c: {
                "psi_table": st.just(monitoring.hourly_psi(c.replay.transactions, c.reference)),
                "label_table": st.just(
                    monitoring.hourly_label_metrics(c.replay.transactions, 0.5, 1e9)
                ),
                "recall_level": real(0, 1),
                "psi_threshold": real(0, 10),
                "min_frauds": integer(0, 100),
            },
            max_examples=15,
            allow_nonfinite=True,
        ),
        monitoring.labels_as_of_seconds: Fuzz(lambda c: {"days_after_replay": real(0, 60)}),
        monitoring.hourly_operations: Fuzz(
            lambda c: {
                "transactions": replayed(c),
                "alerts": st.just(
                    monitoring.drift_alerts(
                        monitoring.hourly_psi(c.replay.transactions, c.reference),
                        monitoring.hourly_label_metrics(c.replay.transactions, 0.5, 1e9),
                        0.5,
                    )
                ),
            },
            names=("score", "transactions"),
            max_examples=10,
            allow_nonfinite=True,
        ),
        # ------------------------------------------------------------ fraud.online
        online.Transaction: Fuzz(
            lambda c: {
                "amount": real(0, 5000),
                "velocity_1h": real(0, 20),
                "is_international": st.sampled_from([True, False, 0, 1, 2, None, "yes", math.nan]),
                "merchant_risk": real(0, 1),
                "hour_of_day": integer(0, 23),
            }
        ),
        online.decide: Fuzz(
            lambda c: {"score": real(0, 1), "review_threshold": real(0, 1), "block_threshold": real(0, 1)}
        ),
        online.check_thresholds: Fuzz(
            lambda c: {"review_threshold": real(0, 1), "block_threshold": real(0, 1)}
        ),
        online.feature_contributions: Fuzz(
            lambda c: {
                "scorer": st.just(c.scorer),
                "transaction": valid_transaction(),
                "typical": st.one_of(
                    st.just(online.typical_values(c.models.train_features)),
                    st.fixed_dictionaries({name: real(0, 100) for name in stream.FEATURES}),
                    st.just({}),
                ),
            },
            names=("typical",) + stream.FEATURES,
        ),
        online.sensitivity_sweep: Fuzz(
            lambda c: {
                "scorer": st.just(c.scorer),
                "transaction": valid_transaction(),
                "feature": st.sampled_from(list(stream.FEATURES) + ["x", ""]),
            },
        ),
        online.score_transaction: Fuzz(
            lambda c: {
                "scorer": st.just(c.scorer),
                "transaction": valid_transaction(),
                "review_threshold": real(0, 1),
                "block_threshold": real(0, 1),
                "latency_calls": integer(1, 20),
            },
        ),
        online.merchant_risk_table: Fuzz(
            lambda c: {
                "stream": st.just(c.models.stream),
                "as_of": real(0, 12 * 86400),
                "n_merchants": integer(1, 100),
                "label_delay_seconds": real(0, 5 * 86400),
                "window_seconds": real(1, 5 * 86400),
                "prior_rate": real(1e-4, 0.5),
            },
            max_examples=25,
        ),
        online.ReplayScenario: Fuzz(
            lambda c: {
                "drift": st.sampled_from(list(online.DRIFT_SCENARIOS) + ["x"]),
                "drift_start_hour": integer(0, 23),
                "max_transactions": st.one_of(st.none(), integer(1, 1000)),
            }
        ),
        online.prepare_replay: Fuzz(
            lambda c: {
                "models": st.just(c.models),
                "scenario": st.builds(
                    online.ReplayScenario,
                    drift=st.sampled_from(list(online.DRIFT_SCENARIOS)),
                    drift_start_hour=st.integers(0, 23),
                    max_transactions=st.sampled_from([None, 1, 100]),
                ),
            },
            max_examples=5,
            deadline_ms=10_000,
        ),
        online.replay_day: Fuzz(
            lambda c: {
                "scorer": st.just(c.scorer),
                "replay_input": st.just(c.replay_input),
                "progress": st.sampled_from([None, lambda fraction: None]),
                "progress_every": integer(1, 5000),
            },
            max_examples=10,
            deadline_ms=10_000,
        ),
        # ------------------------------------------------------------ fraud.step_artifacts
        step_artifacts.base_rates: Fuzz(
            lambda c: {"stream": stream_like(c), "n_days": integer(1, 12)},
            names=("stream", "is_fraud", "amount"),
            max_examples=15,
        ),
        # fraud_rate is documented as NaN for an empty band.
        step_artifacts.decision_bands: _labels_scores_entry(
            lambda c: {
                "review_threshold": real(0, 1),
                "block_threshold": real(0, 1),
                "n_days": real(1, 30),
            },
            allow_nonfinite=True,
        ),
        step_artifacts.period_of_day: Fuzz(
            lambda c: {"day": integer(0, 11), "models": st.just(c.models)}
        ),
        step_artifacts.rule_scores: Fuzz(
            lambda c: {"features": feature_frames()},
            names=stream.FEATURES + ("features",),
            check=lambda scores: np.all((scores >= 0) & (scores <= 1)),
        ),
        step_artifacts.threshold_tradeoff: _labels_scores_entry(
            lambda c: {
                "threshold": real(0, 1),
                "fp_to_fn_ratio": real(1e-3, 1000),
                "daily_volume": real(1, 1e9),
            },
            names=("fp_cost", "fn_cost"),
            # The curve's precision and recall are documented as NaN where undefined.
            allow_nonfinite=True,
        ),
        step_artifacts.measure_latencies_ms: Fuzz(
            lambda c: {
                "score_one": st.just(lambda: None),
                "n_calls": integer(1, 50),
                "warmup_calls": integer(0, 10),
            }
        ),
        step_artifacts.latency_budget: Fuzz(
            lambda c: {"models": st.just(c.models), "n_calls": integer(1, 20), "sla_ms": real(0.01, 1000)},
            max_examples=15,
        ),
        step_artifacts.drift_view: Fuzz(
            lambda c: {
                "models": st.just(c.models),
                "drift_start_day": integer(0, 11),
                "threshold": real(0, 1),
            },
            max_examples=5,
            deadline_ms=15_000,
            allow_nonfinite=True,
        ),
        # ------------------------------------------------------------ fraud.steps
        steps.parse_step: Fuzz(
            lambda c: {
                "number": integer(1, 8),
                "text": st.one_of(
                    st.text(max_size=200),
                    st.just((steps.STEPS_DIR / "01_clarify.md").read_text()),
                ),
                "source": st.just("step.md"),
            },
            names=("step.md",),
        ),
        # ------------------------------------------------------------ fraud.stream
        stream.StreamConfig: Fuzz(
            lambda c: {
                "n_cards": integer(100, 200_000),
                "n_merchants": integer(10, 20_000),
                "n_days": integer(3, 120),
                "fraud_rate": real(0.0005, 0.05),
                "label_delay_days": integer(0, 10),
                "merchant_risk_window_days": integer(1, 90),
                "mean_transactions_per_card_day": real(0.1, 20),
                "drift_start_day": st.one_of(st.none(), integer(0, 120)),
                "drift_start_hour": integer(0, 23),
                "seed": integer(0, 2**32 - 1),
            },
            names=STREAM_FIELDS,
        ),
        stream.compute_velocity_1h: Fuzz(
            lambda c: {
                "card_id": float_arrays(0, 5, 3, 3).map(lambda a: a.astype(int) if np.isfinite(a).all() else a),
                "timestamp": float_arrays(0, 1e4, 3, 3).map(np.sort),
            },
        ),
        stream.compute_merchant_risk: Fuzz(
            lambda c: {
                "merchant_id": st.just(np.array([0, 1, 0, 1])),
                "timestamp": float_arrays(0, 1e6, 4, 4).map(np.sort),
                "is_fraud": st.sampled_from([np.array([0, 1, 0, 1]), np.array([0, 0, 0, 0]), np.array([2, 0, 0, 1])]),
                "label_delay_seconds": real(0, 1e5),
                "window_seconds": real(1, 1e6),
                "prior_rate": real(1e-4, 0.5),
            },
        ),
        stream.simulate_stream: Fuzz(
            lambda c: {
                "config": st.builds(
                    stream.StreamConfig,
                    n_cards=st.integers(100, 300),
                    n_merchants=st.integers(10, 30),
                    n_days=st.integers(3, 6),
                    fraud_rate=st.sampled_from([0.0005, 0.05]),
                    label_delay_days=st.integers(0, 2),
                    merchant_risk_window_days=st.integers(1, 90),
                    mean_transactions_per_card_day=st.sampled_from([0.1, 2.0]),
                    drift_start_day=st.sampled_from([None, 0, 2]),
                    drift_start_hour=st.integers(0, 23),
                    seed=st.sampled_from([0, 2**32 - 1]),
                )
            },
            names=STREAM_FIELDS,
            max_examples=10,
            deadline_ms=10_000,
        ),
    }
)

# Functions that take no user input: they read the app's own files or the cached
# models, whose parameters come from the code, not from a page or a URL. Their
# results are checked by the module tests and the model immutability test.
EXCLUDED: dict[Callable[..., Any], str] = {
    steps.load_steps: "reads the step files shipped in data/fraud_steps",
    online.replay_day_index: "derives the day from the models' own split",
    online.training_scores: "scores the models' own training rows",
    step_artifacts.daily_class_balance: "summarises the models' own stream",
    step_artifacts.feature_table: "summarises the models' own training rows",
    step_artifacts.model_comparison: "summarises the models' own test scores",
    online.typical_values: "medians of the models' own training features",
    monitoring.build_reference: "bins of the models' own training features and scores",
}

# --------------------------------------------------------------------------- discovery


def _core_modules() -> list[Any]:
    modules = [validation]
    for package in (core.ab, core.fraud):
        for info in pkgutil.iter_modules(package.__path__):
            modules.append(importlib.import_module(f"{package.__name__}.{info.name}"))
    return modules


def _validates(cls: type) -> bool:
    """Return whether a public class checks its inputs: a dataclass with __post_init__."""
    if dataclasses.is_dataclass(cls):
        return hasattr(cls, "__post_init__")
    return False


def public_core_callables() -> set[Callable[..., Any]]:
    found = set()
    for module in _core_modules():
        for name, obj in vars(module).items():
            if name.startswith("_") or getattr(obj, "__module__", None) != module.__name__:
                continue
            if inspect.isfunction(obj) or (inspect.isclass(obj) and _validates(obj)):
                found.add(obj)
    return found


def test_fuzz_table_covers_core() -> None:
    found = public_core_callables()
    missing = sorted(f"{f.__module__}.{f.__qualname__}" for f in found - set(FUZZ_TABLE) - set(EXCLUDED))
    stale = sorted(f"{f.__module__}.{f.__qualname__}" for f in set(FUZZ_TABLE) - found)
    assert not missing, f"public core callables without a fuzz strategy: {missing}"
    assert not stale, f"fuzz entries for callables that are not public core: {stale}"


def test_fuzz_table_excludes_no_fuzzed_function() -> None:
    assert not set(FUZZ_TABLE) & set(EXCLUDED)


# --------------------------------------------------------------------------- checks


def assert_finite(value: Any, path: str = "result") -> None:
    """Walk a result and assert every number in it is finite (None is allowed)."""
    if value is None or isinstance(value, (str, bool, np.bool_)):
        return
    if isinstance(value, (int, np.integer)):
        return
    if isinstance(value, (float, np.floating)):
        assert math.isfinite(value), f"{path} = {value}"
        return
    if isinstance(value, np.ndarray):
        if value.dtype.kind in "fc":
            assert np.all(np.isfinite(value)), f"{path} contains {value[~np.isfinite(value)][:3]}"
        return
    if isinstance(value, pd.DataFrame):
        numeric = value.select_dtypes("number")
        for column in numeric.columns:
            values = numeric[column].to_numpy(dtype=float)
            assert np.all(np.isfinite(values)), f"{path}[{column!r}] contains NaN or inf"
        return
    if isinstance(value, pd.Series):
        assert_finite(value.to_numpy(), path)
        return
    if dataclasses.is_dataclass(value):
        for item in dataclasses.fields(value):
            assert_finite(getattr(value, item.name), f"{path}.{item.name}")
        return
    if isinstance(value, Mapping):
        for key, item in value.items():
            assert_finite(item, f"{path}[{key!r}]")
        return
    if isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            assert_finite(item, f"{path}[{index}]")


def call_checked(function: Callable[..., Any], entry: Fuzz, kwargs: dict[str, Any]) -> None:
    if "_pair" in kwargs:
        labels, scores = kwargs.pop("_pair")
        kwargs = {"labels": labels, "scores": scores, **kwargs}
    names = set(kwargs) | set(entry.names)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        try:
            result = function(**kwargs)
        except ValueError as error:
            message = str(error)
            assert any(name in message for name in names), (
                f"{function.__qualname__} raised ValueError naming none of {sorted(names)}: {message}"
            )
            return
    if not entry.allow_nonfinite:
        assert_finite(result)
    if entry.check is not None:
        outcome = entry.check(result)
        assert outcome is None or bool(outcome), f"{function.__qualname__} returned {result!r}"


def _entry_id(function: Callable[..., Any]) -> str:
    return f"{function.__module__.removeprefix('core.')}.{function.__qualname__}"


@pytest.mark.parametrize("function", list(FUZZ_TABLE), ids=_entry_id)
def test_core_fuzz(function: Callable[..., Any], context: Context) -> None:
    entry = FUZZ_TABLE[function]
    strategy = st.fixed_dictionaries(dict(entry.arguments(context)))

    @settings(
        max_examples=entry.max_examples,
        deadline=entry.deadline_ms,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        derandomize=True,
        report_multiple_bugs=False,
        database=None,
    )
    @given(kwargs=strategy)
    def run(kwargs: dict[str, Any]) -> None:
        call_checked(function, entry, dict(kwargs))

    run()
