"""Tests of the payment-behaviour arithmetic in ``debiteur_dunning/analysis.py``.

Pure: the module is loaded by file path, never through ``odoo.addons`` (as in
``test_legal.py``), so this file runs under plain pytest
(``python3 -m pytest -p no:odoo tests/test_analysis.py``) and under pytest-odoo,
without a database.
"""

import ast
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from .pure import load_pure

ANALYSIS = Path(__file__).resolve().parent.parent / "debiteur_dunning" / "analysis.py"


analysis = load_pure("analysis.py", "debiteur_analysis")


def test_no_odoo_import():
    allowed = set(sys.stdlib_module_names) | {"dateutil"}
    tree = ast.parse(ANALYSIS.read_text(), filename=str(ANALYSIS))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            assert not node.level, f"analysis.py imports relatively: {node.module}"
            modules = [node.module]
        else:
            continue
        for module in modules:
            top = module.split(".")[0]
            assert top != "odoo", f"analysis.py imports {module}"
            assert top in allowed, f"analysis.py imports non-stdlib {module}"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("10.25"), 10.3),
        (10.25, 10.3),  # round() gives 10.2
        (Decimal("-10.25"), -10.3),
        (0, 0.0),
        (Decimal("7"), 7.0),
    ],
)
def test_days_round_half_up(value, expected):
    assert analysis.round_days(value) == expected


def test_round_days_keeps_none():
    assert analysis.round_days(None) is None


def test_trend_rounds_once():
    # 10.25 - 10.04 = 0.21 -> 0.2; not round(10.25) - round(10.04) = 0.3.
    assert analysis.days_late_trend(Decimal("10.25"), Decimal("10.04")) == 0.2
    assert analysis.days_late_trend(Decimal("2"), Decimal("10")) == -8.0


def test_no_trend_without_both_half_years():
    assert analysis.days_late_trend(None, Decimal("3")) is False
    assert analysis.days_late_trend(Decimal("3"), None) is False
    # A debtor paying exactly as before has a trend of 0.0, not none.
    assert analysis.days_late_trend(Decimal("3"), Decimal("3")) == 0.0


def test_dso():
    # 500 open of 1,000 sold in the last 365 days: half a year.
    assert analysis.dso_days(500.0, 1000.0) == 182.5
    assert analysis.dso_days(0.0, 1000.0) == 0.0
    assert analysis.dso_days(500.0, 0.0) == 0.0
    assert analysis.dso_days(500.0, -100.0) == 0.0
    assert analysis.dso_days(None, None) == 0.0


def test_windows_in_calendar_months():
    # 6 months back from 31 August: 28 February, not 2 March.
    assert analysis.behaviour_windows(date(2026, 8, 31)) == (
        date(2025, 8, 31),
        date(2026, 2, 28),
    )
    assert analysis.behaviour_windows(date(2028, 8, 31))[1] == date(2028, 2, 29)


@pytest.mark.parametrize(
    ("days_late", "bucket"),
    [
        (-5, "not_due"),
        (0, "not_due"),
        (1, "1_30"),
        (30, "1_30"),
        (31, "31_60"),
        (60, "31_60"),
        (61, "61_90"),
        (90, "61_90"),
        (91, "90_plus"),
    ],
)
def test_aging_buckets(days_late, bucket):
    today = date(2026, 6, 15)
    due = date.fromordinal(today.toordinal() - days_late)
    assert analysis.aging_bucket(due, today) == bucket
    assert bucket in analysis.AGING_BUCKETS


def test_no_due_date_is_not_due():
    assert analysis.aging_bucket(None, date(2026, 6, 15)) == "not_due"
