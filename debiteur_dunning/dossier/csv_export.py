"""The dossier as CSV, safe to open in a spreadsheet."""

import csv
import io
import re

from ._common import amount

CSV_COLUMNS = (
    "record_type",
    "handoff",
    "debtor",
    "reference",
    "date",
    "due_date",
    "currency",
    "amount",
    "amount_open",
    "interest",
    "costs",
    "channel",
    "sha256",
    "status",
    "note",
    "interest_invoiced",
    "costs_invoiced",
)
# Columns that hold amounts: written as plain numbers (a negative amount keeps its
# minus sign, so that the agency's spreadsheet still reads a number).
CSV_NUMERIC_COLUMNS = frozenset(
    (
        "amount",
        "amount_open",
        "interest",
        "costs",
        "interest_invoiced",
        "costs_invoiced",
    )
)
_CSV_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
# A cell starting with one of these is read as a formula by spreadsheets (OWASP
# "CSV injection"): a debtor edits its own address through the portal.
_CSV_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value, numeric=False):
    """One CSV cell, safe to open in a spreadsheet.

    Text that starts like a formula gets a leading single quote (OWASP), so that
    ``=HYPERLINK(...)`` in a debtor's name or address stays text. An amount column
    (``numeric``) keeps a plain number as it is, negative ones included; anything
    else in it is neutralised like text.
    """
    text = "" if value is None or value is False else str(value)
    if numeric and _CSV_NUMBER.match(text):
        return text
    if text.startswith(_CSV_FORMULA_START):
        return "'" + text
    return text


def _document(inv):
    """The columns an invoice and a costs invoice share."""
    return {
        "reference": inv["number"],
        "date": inv["invoice_date"].isoformat(),
        "due_date": inv["due_date"].isoformat(),
        "currency": inv["currency"],
        "amount": amount(inv["amount_total"]),
        "amount_open": amount(inv["amount_open"]),
        "interest": amount(inv["interest"]),
    }


def write_csv(data):
    """The dossier as a CSV file (UTF-8 bytes, ``;``, CRLF), one row per record:
    debtor, invoices, costs invoices, claim, communications, arrangements,
    disputes; the columns are ``CSV_COLUMNS``."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    # Every cell goes through csv_cell: text is neutralised, amounts stay numbers.
    debtor = data["debtor"]
    base = {"handoff": data["reference"], "debtor": debtor["name"]}

    def row(**values):
        merged = dict(base, **values)
        writer.writerow(
            [
                csv_cell(merged.get(col, ""), numeric=col in CSV_NUMERIC_COLUMNS)
                for col in CSV_COLUMNS
            ]
        )

    row(
        record_type="debtor",
        reference=debtor["registry"],
        status=debtor["type"],
        note=" | ".join(
            v
            for v in (
                debtor["vat"],
                debtor["street"],
                debtor["zip"],
                debtor["city"],
                debtor["country"],
                debtor["email"],
                debtor["phone"],
                *[iban["number"] for iban in debtor["ibans"]],
            )
            if v
        ),
    )
    for inv in data["invoices"]:
        row(
            **_document(inv),
            record_type="invoice",
            status="disputed" if inv["disputed"] else "",
        )
    for inv in data["cost_invoices"]:
        row(
            **_document(inv),
            record_type="cost_invoice",
            costs=amount(inv["costs"]),
            note=inv["origin"],
        )
    claim = data["claim"]
    row(
        record_type="claim",
        date=data["date"].isoformat(),
        currency=claim["currency"],
        amount=amount(claim["total"]),
        amount_open=amount(claim["principal"]),
        interest=amount(claim["interest"]),
        costs=amount(claim["costs"]),
        interest_invoiced=amount(claim["interest_invoiced"]),
        costs_invoiced=amount(claim["costs_invoiced"]),
    )
    for comm in data["communications"]:
        row(
            record_type="communication",
            reference=comm["reference"],
            date=comm["date"].isoformat(),
            channel=comm["channel"],
            sha256=comm["sha256"],
            status="formal_notice" if comm["formal_notice"] else "reminder",
            note=comm["file_name"],
        )
    for arr in data["arrangements"]:
        row(
            record_type="arrangement",
            reference=arr["reference"],
            date=arr["start_date"].isoformat(),
            amount=amount(arr["amount_total"]),
            amount_open=amount(arr["amount_total"] - arr["amount_paid"]),
            status=arr["state"],
        )
    for dispute in data["disputes"]:
        row(
            record_type="dispute",
            reference=dispute["invoice"],
            due_date=dispute["until"].isoformat() if dispute["until"] else "",
            status="disputed",
            note=dispute["reason"],
        )
    return out.getvalue().encode("utf-8")
