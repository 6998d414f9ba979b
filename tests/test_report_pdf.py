"""Tests of ``debiteur_dunning/report_pdf.py``: batching letters for
wkhtmltopdf, their markers, splitting a batch rendered as one document.

The module is loaded by file path, never through ``odoo.addons`` (as in
``test_legal.py``): no database, no Odoo. PDFs are made here with PyPDF2, their
pages using the markers' font or not as each test needs; the same functions on
letters rendered by wkhtmltopdf are tested in ``test_letters.py``.
"""

import io

import lxml.html
import pytest
from PyPDF2 import PdfReader, PdfWriter
from PyPDF2.generic import DictionaryObject, NameObject

from .pure import load_pure

report_pdf = load_pure("report_pdf.py", "debiteur_report_pdf")


def make_pdf(fonts_per_page):
    """A PDF with one page per item of ``fonts_per_page``, each page's font
    resources naming the fonts of its item (a page's width tells it apart)."""
    writer = PdfWriter()
    for number, fonts in enumerate(fonts_per_page):
        page = writer.add_blank_page(width=100 + number, height=100)
        font_dict = DictionaryObject()
        for index, base_font in enumerate(fonts):
            font = DictionaryObject(
                {
                    NameObject("/Type"): NameObject("/Font"),
                    NameObject("/Subtype"): NameObject("/TrueType"),
                    NameObject("/BaseFont"): NameObject("/" + base_font),
                }
            )
            font_dict[NameObject(f"/F{index}")] = writer._add_object(font)
        page[NameObject("/Resources")] = DictionaryObject(
            {NameObject("/Font"): font_dict}
        )
    stream = io.BytesIO()
    writer.write(stream)
    return stream.getvalue()


MARKER = "ABCDEF+DejaVuSansMono"
LETTER = "GHIJKL+LiberationSans"


def widths(pdf):
    return [int(page.mediabox.width) for page in PdfReader(io.BytesIO(pdf)).pages]


def test_batch_size_per_mode():
    assert report_pdf.batch_size("documents") == report_pdf.LETTER_BATCH_SIZE
    assert report_pdf.batch_size("one_document") == report_pdf.LETTER_BATCH_SIZE
    assert report_pdf.batch_size("single") == 1
    assert report_pdf.letter_batching["mode"] in report_pdf.BATCHING_MODES


def test_marker_names_the_letter():
    assert report_pdf.letter_marker(42) == "DEBITEURLETTER42END"
    assert report_pdf.letter_marker(4) not in report_pdf.letter_marker(42)


def test_join_letter_bodies():
    bodies = [
        f"<html><head><title>x</title></head><body><p>Letter {i}</p>"
        f"<p>Second paragraph {i}</p></body></html>"
        for i in range(3)
    ]
    markers = [report_pdf.letter_marker(i) for i in (7, 8, 9)]
    html = report_pdf.join_letter_bodies(bodies, markers)
    document = lxml.html.fromstring(html)
    body = document.find("body")
    texts = [el.text for el in body]
    # Each letter from a new page, starting with its marker.
    assert texts == [
        markers[0],
        "Letter 0",
        "Second paragraph 0",
        None,
        markers[1],
        "Letter 1",
        "Second paragraph 1",
        None,
        markers[2],
        "Letter 2",
        "Second paragraph 2",
    ]
    breaks = [el for el in body if "page-break-before" in (el.get("style") or "")]
    assert len(breaks) == 2
    marks = [el for el in body if el.text in markers]
    for mark in marks:
        assert mark.get("class") == report_pdf.KEEP_FONT_CLASS
        assert "DejaVu Sans Mono" in mark.get("style")
        assert "color: #ffffff" in mark.get("style")
    with pytest.raises(ValueError):
        report_pdf.join_letter_bodies(bodies, markers[:2])


def test_marker_font_found_in_page_resources():
    pdf = make_pdf([[LETTER, MARKER], [LETTER], [], ["DejaVuSansMono"]])
    pages = PdfReader(io.BytesIO(pdf)).pages
    assert [report_pdf.uses_marker_font(page) for page in pages] == [
        True,
        False,
        False,
        True,
    ]
    assert report_pdf.has_marker(pdf)
    assert not report_pdf.has_marker(make_pdf([[LETTER], [LETTER]]))
    # A font whose name only ends like the markers' is another font.
    assert not report_pdf.has_marker(make_pdf([["ABCDEF+XDejaVuSansMono"]]))


def test_split_on_the_markers():
    # Three letters of 2, 1 and 3 pages.
    pdf = make_pdf([[MARKER], [LETTER], [MARKER, LETTER], [MARKER], [], [LETTER]])
    letters = report_pdf.split_letters(pdf, 3)
    assert [widths(letter) for letter in letters] == [
        [100, 101],
        [102],
        [103, 104, 105],
    ]
    for letter in letters:
        assert letter.startswith(b"%PDF")


@pytest.mark.parametrize("count", [1, 2, 4])
def test_split_refuses_another_count(count):
    pdf = make_pdf([[MARKER], [LETTER], [MARKER], [MARKER]])
    assert report_pdf.split_letters(pdf, count) is None


def test_split_refuses_a_first_page_without_marker():
    pdf = make_pdf([[LETTER], [MARKER], [MARKER]])
    assert report_pdf.split_letters(pdf, 2) is None


def test_split_refuses_a_pdf_without_markers():
    assert report_pdf.split_letters(make_pdf([[LETTER], [LETTER]]), 2) is None
    assert report_pdf.split_letters(make_pdf([[LETTER]]), 0) is None
