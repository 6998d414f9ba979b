"""Structured payment references, so that incoming payments can be matched.

- ISO 11649 creditor reference ("RF reference"), accepted in SEPA credit
  transfers in the Netherlands and Belgium: ``RF``, two check digits
  (ISO 7064 MOD 97-10) and a base of at most 21 letters and digits. The result
  is validated with ``stdnum.iso11649``.
- Belgian structured communication (gestructureerde mededeling / OGM-VCS, the
  Febelfin standard; not a statute): ten digits followed by two check digits,
  the ten-digit number modulo 97 (97 when that is 0), written
  ``+++123/4567/89012+++``. python-stdnum has no module for it, so the check
  is computed here.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

from stdnum import iso11649

RF_BASE_MAX_LENGTH = 21
BE_COMMUNICATION_MAX = 10**10 - 1  # ten digits

_SEPARATORS = re.compile(r"[\s-]+")
_RF_BASE = re.compile(r"[0-9A-Z]+")
_DIGITS = re.compile(r"[0-9]{1,10}")


def rf_reference(base: str) -> str:
    """ISO 11649 creditor reference for ``base``, compact (``"RF18539007547034"``).

    ``base`` is the creditor's own reference (an invoice number, a debtor
    code): spaces and dashes are removed and letters upper-cased; what remains
    must be 1 to 21 letters (A-Z) and digits. Other characters, such as the
    slashes of Odoo's ``INV/2025/00001``, raise ValueError: the caller decides
    how to turn them into a base.

    The check digits are 98 minus (base + "RF00", letters as 10-35) modulo 97.

    >>> rf_reference("5390 0754 7034")
    'RF18539007547034'
    """
    if not isinstance(base, str):
        raise TypeError(f"base must be a str, not {type(base).__name__}")
    compact = _SEPARATORS.sub("", base).upper()
    if not compact:
        raise ValueError("an RF reference needs a non-empty base")
    if len(compact) > RF_BASE_MAX_LENGTH:
        raise ValueError(
            f"an RF reference base has at most {RF_BASE_MAX_LENGTH} characters, "
            f"{compact!r} has {len(compact)}"
        )
    if not _RF_BASE.fullmatch(compact):
        raise ValueError(
            f"an RF reference base may contain only letters A-Z and digits, "
            f"got {base!r}"
        )
    check = 98 - _as_number(compact + "RF00") % 97
    return iso11649.validate(f"RF{check:02d}{compact}")


def be_structured_communication(number: int | str) -> str:
    """Belgian structured communication for ``number``: ``+++090/9337/55493+++``.

    ``number`` is a non-negative integer of at most ten digits, or a string of
    those digits (surrounding whitespace ignored); shorter numbers are padded
    with leading zeros. The check digits are the number modulo 97, or 97 when
    that is 0.
    """
    if isinstance(number, bool) or not isinstance(number, int | str):
        raise TypeError(f"number must be an int or a str, not {type(number).__name__}")
    if isinstance(number, str):
        digits = number.strip()
        if not _DIGITS.fullmatch(digits):
            raise ValueError(
                f"a structured communication needs 1 to 10 digits, got {number!r}"
            )
        value = int(digits)
    else:
        value = number
    if not 0 <= value <= BE_COMMUNICATION_MAX:
        raise ValueError(
            f"a structured communication holds a number from 0 to "
            f"{BE_COMMUNICATION_MAX}, got {number!r}"
        )
    text = f"{value:010d}{value % 97 or 97:02d}"
    return f"+++{text[:3]}/{text[3:7]}/{text[7:]}+++"


_RF_COMPACT = re.compile(r"RF[0-9]{2}[0-9A-Z]{1,21}")
_BE_COMPACT = re.compile(r"[0-9]{12}")


def is_structured_reference(reference: str) -> bool:
    """Whether ``reference``, compact (letters upper-cased, digits, nothing
    else: ``RF18539007547034``, ``090933755493``), is an RF creditor reference
    or a Belgian structured communication with valid check digits."""
    if _RF_COMPACT.fullmatch(reference):
        return _as_number(reference[4:] + reference[:4]) % 97 == 1
    if _BE_COMPACT.fullmatch(reference):
        return int(reference[10:]) == (int(reference[:10]) % 97 or 97)
    return False


def _as_number(text: str) -> int:
    """ISO 7064 conversion: digits stay, letters become 10 (A) to 35 (Z)."""
    return int("".join(str(int(char, 36)) for char in text))


EPC_MAX_BYTES = 331
EPC_MAX_AMOUNT = Decimal("999999999.99")


def epc_qr_payload(
    name: str,
    iban: str,
    amount: Decimal | None = None,
    reference: str = "",
    bic: str = "",
    text: str = "",
) -> str:
    """The text of an EPC QR code (EPC069-12, version 002, UTF-8): a SEPA credit
    transfer a banking app fills in when it scans the code.

    ``name`` (the beneficiary, at most 70 characters, cut), ``iban`` (spaces
    removed), ``amount`` in euro (None or zero: the payer types it; else
    0.01 to 999,999,999.99, two decimals), ``reference``: an ISO 11649
    creditor reference goes in the structured remittance field; anything else
    (a Belgian structured communication) in the unstructured one, where
    Belgian banks read it; ``text`` is used when there is no reference.
    """
    iban = _SEPARATORS.sub("", iban or "").upper()
    if not re.fullmatch(r"[A-Z]{2}[0-9]{2}[0-9A-Z]{8,30}", iban):
        raise ValueError(f"not an IBAN: {iban!r}")
    name = " ".join((name or "").split())[:70]
    if not name:
        raise ValueError("the beneficiary's name is required")
    amount_text = ""
    if amount:
        amount = _as_decimal(amount).quantize(Decimal("0.01"), ROUND_HALF_UP)
        if not Decimal("0.01") <= amount <= EPC_MAX_AMOUNT:
            raise ValueError(f"amount out of the EPC range: {amount}")
        amount_text = f"EUR{amount}"
    reference = _SEPARATORS.sub("", reference or "").upper()
    structured = unstructured = ""
    if reference.startswith("RF") and iso11649.is_valid(reference):
        structured = reference
    else:
        unstructured = (reference or " ".join((text or "").split()))[:140]
    lines = [
        "BCD",
        "002",
        "1",
        "SCT",
        (bic or "").replace(" ", "").upper(),
        name,
        iban,
        amount_text,
        "",  # purpose
        structured,
        unstructured,
    ]
    payload = "\n".join(lines).rstrip("\n")
    if len(payload.encode()) > EPC_MAX_BYTES:
        raise ValueError("EPC QR payload longer than 331 bytes")
    return payload


def _as_decimal(value) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        raise TypeError(f"amount must be a number, not {type(value).__name__}")
    return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
