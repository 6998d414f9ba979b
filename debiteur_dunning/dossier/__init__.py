"""The collection dossier handed to an agency, written from plain data.

Pure functions: this package imports nothing from Odoo (the standard library,
lxml and python-stdnum only), like ``legal/``. The handoff
(``models/debiteur_handoff_dossier.py``) gathers what the dossier holds from
its records into one dict and stores what these functions write: the XML
(``dossier_xml``, checked against ``data/handoff_dossier.xsd`` by
``validation``) and the CSV (``csv_export``).

The dict (``debiteur.handoff._dossier_data``); amounts are numbers (float or
Decimal), dates ``datetime.date``, texts ``str`` ("" when unknown):

- ``reference``, ``date``;
- ``creditor``: ``name``, ``vat``, ``registry``;
- ``agency``: ``name``, ``type``, ``registration``;
- ``debtor``: ``name``, ``type``, ``street``, ``street2``, ``zip``, ``city``,
  ``country``, ``email``, ``phone``, ``lang``, ``vat`` and ``vat_valid``,
  ``registry`` and ``registry_valid``, ``ibans`` (``number``, ``valid``);
- ``invoices``: ``number``, ``invoice_date``, ``due_date``, ``currency``,
  ``amount_total``, ``amount_open``, ``interest``, ``disputed``;
- ``cost_invoices``: the same but ``disputed``, and ``costs``, ``origin``;
- ``claim``: ``currency``, ``principal``, ``interest``, ``interest_invoiced``,
  ``costs``, ``costs_invoiced``, ``total``;
- ``communications``: ``reference``, ``date``, ``channel``, ``level``,
  ``formal_notice``, ``sha256``, ``file_name``;
- ``arrangements``: ``reference``, ``start_date``, ``state``,
  ``amount_total``, ``amount_paid``;
- ``disputes``: ``invoice``, ``reason``, ``until`` (a date or None).

Other keys (labels and notes for the PDF summary, warnings) are ignored here.
"""

from .csv_export import CSV_COLUMNS, CSV_NUMERIC_COLUMNS, csv_cell, write_csv
from .dossier_xml import XMLNS, write_xml, xml_tree
from .validation import (
    XSD_PATH,
    DossierSchemaError,
    registry_is_valid,
    schema,
    validate,
)

__all__ = [
    "CSV_COLUMNS",
    "CSV_NUMERIC_COLUMNS",
    "XMLNS",
    "XSD_PATH",
    "DossierSchemaError",
    "csv_cell",
    "registry_is_valid",
    "schema",
    "validate",
    "write_csv",
    "write_xml",
    "xml_tree",
]
