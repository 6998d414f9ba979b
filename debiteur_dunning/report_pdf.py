"""Letters rendered in batches by wkhtmltopdf: the workarounds, as pure functions.

A wkhtmltopdf built with Odoo's patched Qt renders a batch of letters as
several documents in one call, and Odoo splits the PDF on its outline. An
unpatched build (Debian's) refuses more than one document per call: the batch
is then rendered as one document, one letter per page break, each letter's
first page carrying a marker (``join_letter_bodies``), and the PDF is split
again on the markers (``split_letters``). Should that split fail, letters go
one per call. How letters are batched is learnt once per process
(``letter_batching``).

A batch rendered as one document runs its wkhtmltopdf in a thread of its own
(``run_wkhtmltopdf``) while the next batch's HTML is rendered.

This module imports nothing from Odoo: functions over bytes and strings, tested
without a database (``tests/test_report_pdf.py``). The model that renders the
letters (``debiteur.dispatch``) calls them.
"""

import io
import os
import subprocess
import tempfile

import lxml.html
from PyPDF2 import PdfReader, PdfWriter

# Letters per wkhtmltopdf call.
LETTER_BATCH_SIZE = 25
# How letters are batched, learnt once per process: "documents" (several
# documents per wkhtmltopdf call, Odoo's patched Qt), "one_document" (unpatched
# Qt: the batch as one document, split afterwards) or "single" (one per call).
letter_batching = {"mode": "documents"}
BATCHING_MODES = ("documents", "one_document", "single")
# The font of the markers that split a batch rendered as one document, as the
# PDF names it: DejaVu Sans Mono, a system font the letters do not use. Where
# it is missing the split fails safely and letters go one per call.
MARKER_FONT = "DejaVuSansMono"
# Elements that set their own font on purpose (the markers that split a batch
# of letters) carry this class and keep it (see ``ir_actions_report``).
KEEP_FONT_CLASS = "o_debiteur_keep_font"


def batch_size(mode=None):
    """Letters per wkhtmltopdf call in batching ``mode`` (default: the mode
    learnt so far)."""
    mode = mode or letter_batching["mode"]
    return 1 if mode == "single" else LETTER_BATCH_SIZE


def letter_marker(letter_id):
    """The text that marks the first page of letter ``letter_id``."""
    return f"DEBITEURLETTER{letter_id}END"


def join_letter_bodies(bodies, markers):
    """One HTML document holding every body, each from a new page and
    starting with its marker.

    The marker is set in a system font (wkhtmltopdf draws web fonts as
    outlines, which leave no text to find), white, 1 px and of no height: the
    letter looks the same, and its first page carries text the split can find.
    """
    parser = lxml.html.HTMLParser(encoding="utf-8")
    root = target = None
    for body, marker in zip(bodies, markers, strict=True):
        document = lxml.html.fromstring(body, parser=parser)
        content = document.find("body")
        mark = lxml.html.fragment_fromstring(
            f'<div class="{KEEP_FONT_CLASS}" '
            "style=\"font-family: 'DejaVu Sans Mono', monospace; "
            "font-size: 1px; color: #ffffff; height: 0; line-height: 0; "
            'overflow: visible;"></div>'
        )
        mark.text = marker
        content.insert(0, mark)
        if root is None:
            root, target = document, content
            continue
        target.append(
            lxml.html.fragment_fromstring(
                '<div style="page-break-before: always;"></div>'
            )
        )
        for child in list(content):
            target.append(child)
    return lxml.html.tostring(root, encoding="unicode")


def _get(dictionary, key, default=None):
    """``dictionary[key]`` of a PDF dictionary, indirect objects resolved."""
    try:
        return dictionary[key]
    except KeyError:
        return default


def uses_marker_font(page):
    """Whether ``page`` (a PDF page object) uses the markers' font."""
    resources = _get(page, "/Resources", {})
    fonts = _get(resources, "/Font", {})
    for key in list(fonts):
        font = fonts[key].get_object()
        name = str(_get(font, "/BaseFont", ""))
        # Embedded subsets are named "/ABCDEF+DejaVuSansMono".
        if name.lstrip("/").split("+")[-1] == MARKER_FONT:
            return True
    return False


def has_marker(pdf):
    """Whether any page of ``pdf`` (bytes) uses the markers' font."""
    reader = PdfReader(io.BytesIO(pdf), strict=False)
    return any(uses_marker_font(page) for page in reader.pages)


def split_letters(pdf, count):
    """Split ``pdf`` (bytes) into ``count`` letters (bytes each), each starting
    on a page that uses the markers' font (MARKER_FONT).

    Only a marker uses that font, and every letter's first page has one: so
    when exactly ``count`` pages use it, the first of them page one, they are
    the letters' first pages, in order. Anything else (a letter that itself
    uses the font, a build that draws it as outlines) returns None. The font
    is looked up in the page resources, not in the text: extracting the text
    of pages whose letters are drawn as outlines takes seconds per page.
    """
    reader = PdfReader(io.BytesIO(pdf), strict=False)
    pages = reader.pages
    starts = [number for number, page in enumerate(pages) if uses_marker_font(page)]
    if len(starts) != count or not starts or starts[0] != 0:
        return None
    ends = starts[1:] + [len(pages)]
    letters = []
    for start, end in zip(starts, ends, strict=True):
        writer = PdfWriter()
        for number in range(start, end):
            writer.add_page(pages[number])
        writer.add_metadata({"/Creator": "Odoo", "/Producer": "Odoo"})
        stream = io.BytesIO()
        writer.write(stream)
        letters.append(stream.getvalue())
    return letters


class WkhtmltopdfError(Exception):
    """wkhtmltopdf ended with an exit code other than 0 or 1."""

    def __init__(self, returncode, stderr):
        super().__init__(f"wkhtmltopdf failed (error code: {returncode})")
        self.returncode = returncode
        self.stderr = stderr or ""


def run_wkhtmltopdf(command, body):
    """Run ``command`` (wkhtmltopdf and its options, as a list) on ``body``
    (one HTML document, bytes): ``(pdf bytes, warnings)``, its standard
    error being the warnings. As Odoo's ``_run_wkhtmltopdf`` does: the
    document and the PDF in temporary files, exit codes 0 and 1 taken as
    success (1: warnings), any other raises ``WkhtmltopdfError``. Touches
    nothing of Odoo: safe to run in a thread of its own.
    """
    with tempfile.TemporaryDirectory(prefix="report.letters.tmp.") as folder:
        html_path = os.path.join(folder, "report.body.tmp.0.html")
        pdf_path = os.path.join(folder, "report.tmp.pdf")
        with open(html_path, "wb") as html_file:
            html_file.write(body)
        process = subprocess.run(
            [*command, html_path, pdf_path],
            capture_output=True,
            encoding="utf-8",
            errors="replace",
            check=False,
        )
        if process.returncode not in (0, 1):
            raise WkhtmltopdfError(process.returncode, process.stderr)
        if not os.path.exists(pdf_path):
            return b"", process.stderr  # as Odoo's empty temporary file
        with open(pdf_path, "rb") as pdf_file:
            return pdf_file.read(), process.stderr
