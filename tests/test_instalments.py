"""Tests of the instalment arithmetic in ``debiteur_dunning/instalments.py``.

Pure: the module is loaded by file path (as in ``test_analysis.py``), so this
file runs under plain pytest and under pytest-odoo, without a database. The
checks on the input and the schedule as the wizard shows it are tested in
``test_arrangement.py``.
"""

import ast
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from .pure import load_pure

MODULE = Path(__file__).resolve().parent.parent / "debiteur_dunning" / "instalments.py"


instalments = load_pure("instalments.py", "debiteur_instalments")
D = Decimal
CENT = D("0.01")


def test_no_odoo_import():
    allowed = set(sys.stdlib_module_names) | {"dateutil"}
    for node in ast.walk(ast.parse(MODULE.read_text(), filename=str(MODULE))):
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            assert not node.level, f"instalments.py imports relatively: {node.module}"
            modules = [node.module]
        else:
            continue
        for module in modules:
            top = module.split(".")[0]
            assert top != "odoo", f"instalments.py imports {module}"
            assert top in allowed, f"instalments.py imports non-stdlib {module}"


def test_equal_instalments_the_last_takes_the_difference():
    step = instalments.equal_step(D("100.00"), 3, CENT)
    assert step == D("33.33")
    assert instalments.amounts(D("100.00"), step, 3) == [
        D("33.33"),
        D("33.33"),
        D("33.34"),
    ]


def test_instalments_of_an_amount_the_last_is_smaller():
    assert instalments.count_for_amount(D("100.00"), D("30.00")) == 4
    assert instalments.amounts(D("100.00"), D("30.00"), 4)[-1] == D("10.00")
    assert instalments.count_for_amount(D("90.00"), D("30.00")) == 3


def test_float_reads_as_written():
    assert instalments.to_decimal(0.1) == D("0.1")
    assert instalments.to_decimal(None) == D("0.0")


@pytest.mark.parametrize(
    ("frequency", "index", "expected"),
    [
        ("weekly", 2, date(2027, 2, 14)),
        ("biweekly", 2, date(2027, 2, 28)),
        ("monthly", 1, date(2027, 2, 28)),
        ("monthly", 2, date(2027, 3, 31)),
        ("monthly", 0, date(2027, 1, 31)),
    ],
)
def test_dates(frequency, index, expected):
    assert instalments.instalment_date(date(2027, 1, 31), frequency, index) == expected


def test_monthly_in_a_leap_year():
    assert instalments.instalment_date(date(2028, 1, 31), "monthly", 1) == date(
        2028, 2, 29
    )


@settings(max_examples=200, deadline=None)
@given(
    rest=st.decimals(min_value=D("0.01"), max_value=D("1000000"), places=2),
    count=st.integers(min_value=1, max_value=instalments.MAX_INSTALMENTS),
)
def test_amounts_add_up_and_differ_by_less_than_the_count(rest, count):
    step = instalments.equal_step(rest, count, CENT)
    parts = instalments.amounts(rest, step, count)
    assert len(parts) == count
    assert sum(parts) == rest
    assert all(part == step for part in parts[:-1])
    assert step <= parts[-1] < step + CENT * count
