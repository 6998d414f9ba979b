"""Tests of ``debiteur_dunning/qr_image.py``: the letters' QR codes, made
faster than Odoo's ``barcode("QR")`` and the same codes.

Loaded by file path (no database, no Odoo), as ``test_report_pdf.py`` does.
The reference is ReportLab itself, which Odoo's ``barcode`` calls: its mask
scores (``QRUtil.getLostPoint``) for every mask of many payloads, its chosen
matrix, and its drawing (``createBarcodeDrawing`` with the arguments Odoo's
``barcode("QR", value, width=240, height=240, barLevel="M")`` passes).
"""

import io
import random
import string

import pytest
from PIL import Image
from reportlab.graphics.barcode import createBarcodeDrawing, qrencoder

from .pure import load_pure

qr_image = load_pure("qr_image.py", "debiteur_qr_image")

EPC = (
    "BCD\n002\n1\nSCT\nINGBNL2A\nBench Company BV\nNL91ABNA0417164300\n"
    "EUR1234.56\n\nRF18539007547034\nDV/2026/00012"
)


def payloads():
    """Payloads of the letters' kinds and of many lengths (QR versions 1 to
    about 12): debtor's page links, EPC transfers, digits, accents."""
    rng = random.Random(20261207)
    alphabet = string.ascii_letters + string.digits + "/?=&-_.:"
    out = [
        "https://bench-nl.example/debtor/abcdefghijklmnopqrstuvwxyz012345?r=12345",
        EPC,
        "1234567890",
        "HELLO WORLD",
        "Société Générale — créance échue, 12 € de frais",
    ]
    for length in list(range(1, 80, 3)) + [120, 180, 250, 420]:
        out.append("".join(rng.choice(alphabet) for _ in range(length)))
    for _ in range(20):
        token, number = rng.getrandbits(128), rng.randint(1, 10**7)
        out.append(f"https://pay.example/d/{token:032x}?r={number}")
    return out


def reportlab_code(value, level="M"):
    code = qrencoder.QRCode(None, getattr(qrencoder.QRErrorCorrectLevel, level))
    code.addData(value)
    code.make()
    return code


@pytest.mark.parametrize("level", ["L", "M", "Q", "H"])
@pytest.mark.parametrize("value", payloads())
def test_codewords_are_reportlabs(value, level):
    """Data, padding and error correction codewords, blocks interleaved."""
    code = reportlab_code(value, level)
    expected = qrencoder.QRCode.createData(
        code.version, code.errorCorrectLevel, code.dataList
    )
    assert qr_image.create_data(
        code.version, code.errorCorrectLevel, code.dataList
    ) == (expected)


def test_payloads_cover_versions():
    """From the smallest code to several blocks and version information
    (version 7 and up)."""
    versions = {reportlab_code(value, "M").version for value in payloads()}
    assert min(versions) <= 2 and max(versions) >= 10, versions


@pytest.mark.parametrize("value", payloads())
def test_mask_scores_are_reportlabs(value):
    code = reportlab_code(value)
    for mask in range(8):
        code.makeImpl(True, mask)
        expected = qrencoder.QRUtil.getLostPoint(code)
        assert qr_image.lost_point(code.modules) == expected, f"mask {mask}"


@pytest.mark.parametrize("level", ["L", "M", "Q", "H"])
@pytest.mark.parametrize("value", payloads())
def test_matrix_is_reportlabs(value, level):
    expected = [
        [bool(dark) for dark in row] for row in reportlab_code(value, level).modules
    ]
    assert qr_image.qr_matrix(value, level) == expected


def odoo_png(value, size=240):
    """What Odoo's ``ir.actions.report.barcode("QR", value, width=size,
    height=size, barLevel="M")`` returns (``quiet`` makes barBorder 0)."""
    drawing = createBarcodeDrawing(
        "QR", value=value, format="png", width=size, height=size,
        humanReadable=False, quiet=True, barBorder=0, barLevel="M", mask=None,
    )  # fmt: skip
    return drawing.asString("png")


def module_centres(png, count):
    """The grey level at the centre of every module of a ``count`` x
    ``count`` code that fills the image."""
    image = Image.open(io.BytesIO(png)).convert("L")
    width, height = image.size
    return [
        [
            image.getpixel(
                (int((col + 0.5) * width / count), int((row + 0.5) * height / count))
            )
            for col in range(count)
        ]
        for row in range(count)
    ]


@pytest.mark.parametrize("value", payloads()[:8] + payloads()[-3:])
def test_image_shows_the_modules_odoo_draws(value):
    ours = qr_image.qr_png(value)
    image = Image.open(io.BytesIO(ours))
    assert image.format == "PNG"
    assert image.size == (240, 240)
    matrix = qr_image.qr_matrix(value)
    count = len(matrix)
    theirs = module_centres(odoo_png(value), count)
    mine = module_centres(ours, count)
    for row in range(count):
        for col in range(count):
            dark = matrix[row][col]
            assert (theirs[row][col] < 128) == dark, (row, col)
            assert (mine[row][col] < 128) == dark, (row, col)
    # No quiet zone, as Odoo's: the finder pattern's corner is the image's.
    assert image.convert("L").getpixel((0, 0)) < 128


def test_size_and_level():
    image = Image.open(io.BytesIO(qr_image.qr_png(EPC, size=120, level="H")))
    assert image.size == (120, 120)
    with pytest.raises(ValueError):
        qr_image.qr_matrix(EPC, level="X")
