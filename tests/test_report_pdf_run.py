"""Tests of ``report_pdf.run_wkhtmltopdf``: wkhtmltopdf run on one document
outside Odoo (in the thread that renders a batch of letters while the next
batch's HTML is made), as Odoo's ``_run_wkhtmltopdf`` runs it.

No database: the module is loaded by its path, as in ``test_report_pdf.py``.
Real subprocesses: a shell standing in for wkhtmltopdf where the exit codes
are tested, and the installed wkhtmltopdf (when there is one) on two letters
joined as one document and split again.
"""

import shutil
from pathlib import Path

import pytest

from .pure import load_pure

report_pdf = load_pure("report_pdf.py", "debiteur_report_pdf")


def shell(script):
    """A command that runs ``script`` with $0 the document and $1 the PDF,
    the two paths ``run_wkhtmltopdf`` appends."""
    return ["sh", "-c", script]


def test_the_pdf_and_the_warnings():
    pdf, warnings = report_pdf.run_wkhtmltopdf(
        shell('cp "$0" "$1"; echo "a warning" >&2'), b"<html>letters</html>"
    )
    assert pdf == b"<html>letters</html>"
    assert warnings == "a warning\n"


def test_exit_code_one_is_success():
    """wkhtmltopdf ends with 1 when a resource failed to load: a PDF all
    the same, as Odoo takes it."""
    pdf, warnings = report_pdf.run_wkhtmltopdf(
        shell('cp "$0" "$1"; echo "failed to load" >&2; exit 1'), b"<p/>"
    )
    assert (pdf, warnings) == (b"<p/>", "failed to load\n")


def test_other_exit_codes_raise():
    with pytest.raises(report_pdf.WkhtmltopdfError) as raised:
        report_pdf.run_wkhtmltopdf(shell('echo "out of memory" >&2; exit 2'), b"")
    assert raised.value.returncode == 2
    assert raised.value.stderr == "out of memory\n"


def test_no_pdf_written_is_empty():
    """As Odoo's temporary file that wkhtmltopdf left empty."""
    assert report_pdf.run_wkhtmltopdf(shell("exit 0"), b"<p/>") == (b"", "")


def test_temporary_files_removed():
    pdf, warnings = report_pdf.run_wkhtmltopdf(
        shell('echo "$0" >&2; cp "$0" "$1"'), b"x"
    )
    document = Path(warnings.strip())
    assert pdf == b"x"
    assert document.name.endswith(".html")
    assert not document.exists()
    assert not document.parent.exists()


@pytest.mark.skipif(not shutil.which("wkhtmltopdf"), reason="needs wkhtmltopdf")
def test_letters_as_one_document_with_wkhtmltopdf():
    bodies = [
        f"<html><head><meta charset='utf-8'/></head><body><p>Letter {number}</p>"
        "</body></html>"
        for number in (1, 2)
    ]
    markers = [report_pdf.letter_marker(number) for number in (1, 2)]
    body = report_pdf.join_letter_bodies(bodies, markers).encode()
    command = ["wkhtmltopdf", "--quiet", "--javascript-delay", "0"]
    pdf, _warnings = report_pdf.run_wkhtmltopdf(command, body)
    assert pdf.startswith(b"%PDF")
    letters = report_pdf.split_letters(pdf, 2)
    assert letters is not None and len(letters) == 2
