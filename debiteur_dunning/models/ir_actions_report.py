"""The add-on's reports on a wkhtmltopdf without Odoo's patched Qt.

Such a build (Debian's, for one) draws text in a web font, like the report
layouts' Lato, as outlines: a one-page reminder becomes half a megabyte of
curves with no text in it, that nobody can search or copy and that a
scheduler run of a thousand letters turns into a gigabyte of attachments. A
system font is embedded as a font instead: the same letter is some 20 KB
and its text can be found. So on such a build the add-on's reports are set
in a system font; on Odoo's recommended build they keep the company's font.
"""

import logging
import re
import subprocess

from markupsafe import Markup

from odoo import api, models

from ..report_pdf import KEEP_FONT_CLASS

_logger = logging.getLogger(__name__)

# Metric-compatible with Arial where installed (fonts-liberation), else the
# DejaVu that fontconfig itself depends on.
SYSTEM_FONTS = "'Liberation Sans', 'DejaVu Sans', Arial, sans-serif"
SYSTEM_FONT_STYLE = (
    '<style id="o_debiteur_system_font">'
    f"body, body *:not(.{KEEP_FONT_CLASS}) "
    f"{{ font-family: {SYSTEM_FONTS} !important; }}"
    "</style>"
)
_patched = {}
# Reports that carry their own styles and images (see the letter template):
# wkhtmltopdf gets them without the stylesheet and script links of Odoo's
# layout and without header or footer documents, so it fetches nothing and
# the PDF is the same with or without a running HTTP server (the scheduler
# renders without one). Nor do they run any script: wkhtmltopdf does not wait
# for scripts (Odoo's ``report.print_delay``, a second per call by default,
# which was most of the time of a batch of 25 letters).
SELF_CONTAINED_REPORTS = frozenset({"debiteur_dunning.report_debiteur_letter"})
# Reports whose documents run no script of their own: wkhtmltopdf need not
# wait for one. The handoff dossier keeps Odoo's layout (its stylesheets, and
# the header and footer whose page numbers are filled in by a script run on
# the page's load, before wkhtmltopdf prints: no delay needed for that).
NO_SCRIPT_REPORTS = SELF_CONTAINED_REPORTS | {
    "debiteur_dunning.report_debiteur_handoff"
}
_FETCHING = re.compile(
    r"<link\b[^>]*>|<base\b[^>]*>|<script\b[^>]*\bsrc=[^>]*>\s*</script\s*>",
    re.IGNORECASE,
)


def wkhtmltopdf_is_patched():
    """Whether the installed wkhtmltopdf is built with Odoo's patched Qt
    (``wkhtmltopdf 0.12.6.1 (with patched qt)``); asked once per process.
    Without wkhtmltopdf there is no PDF to worry about: True."""
    if "value" not in _patched:
        from odoo.addons.base.models.ir_actions_report import _get_wkhtmltopdf_bin

        try:
            output = subprocess.run(
                [_get_wkhtmltopdf_bin(), "--version"],
                capture_output=True,
                text=True,
                timeout=30,
                check=False,
            ).stdout
            _patched["value"] = bool(re.search(r"patched qt", output, re.IGNORECASE))
        except (OSError, subprocess.SubprocessError):
            _patched["value"] = True
        if not _patched["value"]:
            _logger.info(
                "wkhtmltopdf is not built with Odoo's patched Qt: the dunning "
                "reports are set in a system font (%s).",
                SYSTEM_FONTS,
            )
    return _patched["value"]


def with_system_font(html):
    """``html`` (a whole document) with the system-font style in its head."""
    if not html:
        return html
    # Odoo hands the documents over as Markup, which would escape the style
    # when concatenated: work on the text and hand back the same kind.
    text = str(html)
    head = re.search(r"</head\s*>", text, re.IGNORECASE)
    if SYSTEM_FONT_STYLE in text or not head:
        return html
    text = text[: head.start()] + SYSTEM_FONT_STYLE + text[head.start() :]
    return Markup(text) if isinstance(html, Markup) else text


def without_fetching(html):
    """``html`` without the elements that make wkhtmltopdf fetch a URL."""
    if not html:
        return html
    text = _FETCHING.sub("", str(html))
    return Markup(text) if isinstance(html, Markup) else text


class IrActionsReport(models.Model):
    _inherit = "ir.actions.report"

    @api.model
    def _run_wkhtmltopdf(self, bodies, report_ref=False, *args, **kwargs):
        reports = self
        if report_ref and self._get_report(report_ref).report_name in (
            NO_SCRIPT_REPORTS
        ):
            reports = self.with_context(debiteur_no_script_delay=True)
        return super(IrActionsReport, reports)._run_wkhtmltopdf(
            bodies, report_ref, *args, **kwargs
        )

    @api.model
    def _build_wkhtmltopdf_args(self, *args, **kwargs):
        command = super()._build_wkhtmltopdf_args(*args, **kwargs)
        if self.env.context.get("debiteur_no_script_delay"):
            # A self-contained report has no script to wait for.
            for index, arg in enumerate(command[:-1]):
                if arg == "--javascript-delay":
                    command[index + 1] = "0"
        return command

    def get_paperformat_by_xmlid(self, xml_id):
        # Odoo's layout asks this once per rendered document (``env.ref``: a
        # query each); the add-on's reports are looked up in the cache of
        # external identifiers instead (the same record, as ``env.ref`` gives
        # it, without checking in the database that it exists).
        if xml_id and xml_id.startswith("debiteur_dunning."):
            model, res_id = self.env["ir.model.data"]._xmlid_to_res_model_res_id(
                xml_id, raise_if_not_found=True
            )
            return self.env[model].browse(res_id).get_paperformat()
        return super().get_paperformat_by_xmlid(xml_id)

    def _debiteur_uses_system_font(self):
        return (
            len(self) == 1
            and (self.report_name or "").startswith("debiteur_dunning.")
            and not wkhtmltopdf_is_patched()
        )

    def _prepare_html(self, html, report_model=False):
        bodies, res_ids, header, footer, specific_args = super()._prepare_html(
            html, report_model=report_model
        )
        if len(self) == 1 and self.report_name in SELF_CONTAINED_REPORTS:
            bodies = [without_fetching(body) for body in bodies]
            header = footer = None
        if self._debiteur_uses_system_font():
            bodies = [with_system_font(body) for body in bodies]
            header = with_system_font(header)
            footer = with_system_font(footer)
        return bodies, res_ids, header, footer, specific_args
