"""What the dossier checks: the XML against its schema, the debtor's numbers."""

import re
from pathlib import Path

from lxml import etree
from stdnum.be import vat as be_vat

# The schema the agency receives the dossier against (shipped with the addon).
XSD_PATH = Path(__file__).resolve().parent.parent / "data" / "handoff_dossier.xsd"
MAX_ERRORS = 5  # schema errors quoted in the refusal

_KVK = re.compile(r"^\d{8}$")
_REGISTRY_SEPARATORS = re.compile(r"[\s.\-]")


class DossierSchemaError(ValueError):
    """The dossier does not match its XML schema; ``errors`` quotes the first
    ``MAX_ERRORS`` of them, as ``"line N: message"``."""

    def __init__(self, errors):
        self.errors = list(errors)
        super().__init__("; ".join(self.errors))


def schema():
    """The dossier's XML schema (``data/handoff_dossier.xsd``)."""
    with open(XSD_PATH, "rb") as xsd:
        return etree.XMLSchema(etree.parse(xsd))


def validate(tree):
    """Refuse (``DossierSchemaError``) a dossier tree that does not match the
    schema; True otherwise."""
    xml_schema = schema()
    if not xml_schema.validate(tree):
        raise DossierSchemaError(
            "line %s: %s" % (error.line, error.message)
            for error in list(xml_schema.error_log)[:MAX_ERRORS]
        )
    return True


def registry_is_valid(number, country_code):
    """Whether ``number`` can be a company registry number of the country: a
    KvK number (eight digits) in the Netherlands, an enterprise number (KBO/BCE)
    in Belgium; any number elsewhere."""
    number = _REGISTRY_SEPARATORS.sub("", number or "")
    if country_code == "NL":
        return bool(_KVK.match(number))
    if country_code == "BE":
        return be_vat.is_valid(number)
    return True
