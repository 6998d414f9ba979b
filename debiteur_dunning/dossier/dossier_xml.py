"""The dossier as XML, in the namespace of ``data/handoff_dossier.xsd``."""

from lxml import etree

from ._common import amount
from .validation import validate

XMLNS = "urn:debiteur-dunning:handoff-dossier:1"


def _sub(parent, tag, text=None, **attrs):
    node = etree.SubElement(parent, "{%s}%s" % (XMLNS, tag), **attrs)
    if text is not None:
        node.text = str(text)
    return node


def _opt(parent, tag, text, **attrs):
    if text:
        return _sub(parent, tag, text, **attrs)
    return None


def _document(parent, tag, inv):
    """The dossier elements an invoice and a costs invoice share, in XSD order."""
    node = _sub(parent, tag)
    _sub(node, "number", inv["number"])
    _sub(node, "invoiceDate", inv["invoice_date"].isoformat())
    _sub(node, "dueDate", inv["due_date"].isoformat())
    _sub(node, "currency", inv["currency"])
    _sub(node, "amountTotal", amount(inv["amount_total"]))
    _sub(node, "amountOpen", amount(inv["amount_open"]))
    _sub(node, "interest", amount(inv["interest"]))
    return node


def xml_tree(data):
    """The dossier as an lxml tree (not validated)."""
    sub, opt = _sub, _opt

    root = etree.Element("{%s}dossier" % XMLNS, nsmap={None: XMLNS}, version="1")
    sub(root, "reference", data["reference"])
    sub(root, "handoffDate", data["date"].isoformat())
    creditor = sub(root, "creditor")
    sub(creditor, "name", data["creditor"]["name"])
    opt(creditor, "vat", data["creditor"]["vat"])
    opt(creditor, "companyRegistry", data["creditor"]["registry"])
    agency = sub(root, "agency")
    sub(agency, "name", data["agency"]["name"])
    sub(agency, "agencyType", data["agency"]["type"])
    opt(agency, "registrationNumber", data["agency"]["registration"])

    debtor_data = data["debtor"]
    debtor = sub(root, "debtor")
    sub(debtor, "name", debtor_data["name"])
    sub(debtor, "debtorType", debtor_data["type"])
    address = sub(debtor, "address")
    for tag, key in (
        ("street", "street"),
        ("street2", "street2"),
        ("zip", "zip"),
        ("city", "city"),
        ("country", "country"),
    ):
        opt(address, tag, debtor_data[key])
    opt(debtor, "email", debtor_data["email"])
    opt(debtor, "phone", debtor_data["phone"])
    opt(debtor, "lang", debtor_data["lang"])
    if debtor_data["vat"]:
        sub(
            debtor,
            "vat",
            debtor_data["vat"],
            valid="true" if debtor_data["vat_valid"] else "false",
        )
    if debtor_data["registry"]:
        sub(
            debtor,
            "companyRegistry",
            debtor_data["registry"],
            valid="true" if debtor_data["registry_valid"] else "false",
        )
    for iban in debtor_data["ibans"]:
        sub(
            debtor,
            "iban",
            iban["number"],
            valid="true" if iban["valid"] else "false",
        )

    invoices = sub(root, "invoices")
    for inv in data["invoices"]:
        node = _document(invoices, "invoice", inv)
        sub(node, "disputed", "true" if inv["disputed"] else "false")

    cost_invoices = sub(root, "costInvoices")
    for inv in data["cost_invoices"]:
        node = _document(cost_invoices, "costInvoice", inv)
        sub(node, "costs", amount(inv["costs"]))
        opt(node, "origin", inv["origin"])

    claim = sub(root, "claim")
    sub(claim, "currency", data["claim"]["currency"])
    for tag, key in (
        ("principal", "principal"),
        ("interest", "interest"),
        ("interestInvoiced", "interest_invoiced"),
        ("costs", "costs"),
        ("costsInvoiced", "costs_invoiced"),
        ("total", "total"),
    ):
        sub(claim, tag, amount(data["claim"][key]))

    comms = sub(root, "communications")
    for comm in data["communications"]:
        node = sub(comms, "communication")
        sub(node, "reference", comm["reference"])
        sub(node, "date", comm["date"].isoformat())
        sub(node, "channel", comm["channel"])
        sub(node, "level", comm["level"])
        sub(node, "formalNotice", "true" if comm["formal_notice"] else "false")
        opt(node, "sha256", comm["sha256"])
        opt(node, "fileName", comm["file_name"])

    arrangements = sub(root, "arrangements")
    for arr in data["arrangements"]:
        node = sub(arrangements, "arrangement")
        sub(node, "reference", arr["reference"])
        sub(node, "startDate", arr["start_date"].isoformat())
        sub(node, "state", arr["state"])
        sub(node, "amountTotal", amount(arr["amount_total"]))
        sub(node, "amountPaid", amount(arr["amount_paid"]))

    disputes = sub(root, "disputes")
    for dispute in data["disputes"]:
        node = sub(disputes, "dispute")
        sub(node, "invoiceNumber", dispute["invoice"])
        sub(node, "reason", dispute["reason"] or "-")
        if dispute["until"]:
            sub(node, "blockedUntil", dispute["until"].isoformat())
    return root


def write_xml(data):
    """The dossier as an XML file (UTF-8 bytes), after checking it against its
    schema: ``DossierSchemaError`` when it does not match."""
    tree = xml_tree(data)
    validate(tree)
    return etree.tostring(
        tree, pretty_print=True, xml_declaration=True, encoding="UTF-8"
    )
