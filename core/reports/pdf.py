"""Lay out a composed report as an A4 PDF (fpdf2): the same parts in the same order as the HTML, with page numbers."""

from __future__ import annotations

from pathlib import Path

from fpdf import FPDF
from fpdf.fonts import FontFace

from core.reports.compose import ReportContent, ReportOption, ReportPart

_FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"))
ACCENT = (26, 77, 110)
MUTED = (82, 96, 109)
SOFT = (240, 244, 248)
WARN = (255, 246, 224)
BODY_SIZE = 10.5
LINE = 5.3
TABLE_WIDTHS = (34, 38, 15, 30, 34, 35)  # mm; the A4 text width is 186 mm at 12 mm margins
TABLE_HEADINGS = ("Option", "What it is", "Phase", "Nearest open site", "How it may fit", "What to ask")


def _font_path(name: str) -> Path | None:
    return next((d / name for d in _FONT_DIRS if (d / name).exists()), None)


class _ReportPDF(FPDF):
    """A4 pages with a running title and "Page n of m" at the foot."""

    def __init__(self, running_title: str) -> None:
        super().__init__(format="A4")
        self.running_title = running_title
        self.set_margins(12, 14, 12)
        self.set_auto_page_break(auto=True, margin=16)
        regular, bold = _font_path("DejaVuSans.ttf"), _font_path("DejaVuSans-Bold.ttf")
        if regular and bold:
            self.add_font("Body", "", str(regular))
            self.add_font("Body", "B", str(bold))
            self.family_name, self.unicode = "Body", True
        else:  # without a Unicode font, degrade to Latin-1 rather than fail the release
            self.family_name, self.unicode = "Helvetica", False

    def text_of(self, text: str) -> str:
        return text if self.unicode else text.encode("latin-1", "replace").decode("latin-1")

    def header(self) -> None:
        if self.page_no() == 1:
            return
        self.set_font(self.family_name, "", 8)
        self.set_text_color(*MUTED)
        self.cell(0, 5, self.text_of(self.running_title), align="L")
        self.ln(7)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(self.family_name, "", 8)
        self.set_text_color(*MUTED)
        self.cell(0, 5, f"Page {self.page_no()} of {{nb}}", align="C")


def _heading(
    pdf: _ReportPDF, text: str, size: float, *, color: tuple[int, int, int] = ACCENT, rule: bool = False
) -> None:
    if pdf.get_y() > pdf.h - 45:  # a heading never sits alone at the foot of a page
        pdf.add_page()
    pdf.ln(2 if size < 12 else 4)
    if rule:
        pdf.set_draw_color(217, 226, 236)
        pdf.line(pdf.l_margin, pdf.get_y(), pdf.w - pdf.r_margin, pdf.get_y())
        pdf.ln(2)
    pdf.set_font(pdf.family_name, "B", size)
    pdf.set_text_color(*color)
    pdf.multi_cell(0, size * 0.5, pdf.text_of(text), align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1.2)


def _paragraphs(pdf: _ReportPDF, paragraphs: list[str], size: float = BODY_SIZE) -> None:
    pdf.set_font(pdf.family_name, "", size)
    pdf.set_text_color(31, 41, 51)
    for paragraph in paragraphs:
        pdf.multi_cell(0, LINE, pdf.text_of(paragraph), align="L", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1.6)


def _box(pdf: _ReportPDF, title: str, paragraphs: list[str], fill: tuple[int, int, int]) -> None:
    _heading(pdf, title, 12.5)
    pdf.set_fill_color(*fill)
    pdf.set_font(pdf.family_name, "", BODY_SIZE)
    pdf.set_text_color(31, 41, 51)
    pdf.multi_cell(
        0,
        LINE,
        pdf.text_of("\n\n".join(paragraphs)),
        fill=True,
        padding=(3, 4, 3, 4),
        new_x="LMARGIN",
        new_y="NEXT",
    )


def _table(pdf: _ReportPDF, options: list[ReportOption]) -> None:
    pdf.set_font(pdf.family_name, "", 7.6)
    pdf.set_text_color(31, 41, 51)
    heading_style = FontFace(emphasis="BOLD", color=(255, 255, 255), fill_color=ACCENT)
    with pdf.table(
        col_widths=TABLE_WIDTHS,
        headings_style=heading_style,
        line_height=3.6,
        padding=1.2,
        text_align="LEFT",
        cell_fill_color=SOFT,
        cell_fill_mode="ROWS",
        borders_layout="HORIZONTAL_LINES",
    ) as table:
        table.row([pdf.text_of(h) for h in TABLE_HEADINGS])
        for o in options:
            site = o.nearest_site or "Not listed"
            if o.nearest_site and o.distance:
                site += f", {o.distance}"
            cells = (
                f"{o.number}. {o.title} ({o.registry_id})",
                o.what_it_is,
                o.phase,
                site,
                o.how_it_may_fit,
                o.what_to_ask,
            )
            table.row([pdf.text_of(c) for c in cells])


def _facts(pdf: _ReportPDF, option: ReportOption) -> list[str]:
    noun = "Programme" if option.programme else "Study"
    lines = [
        f"{noun} number: {option.registry_id}" + (f" · {option.registry_url}" if option.registry_url else "")
    ]
    lines.append(f"{option.phase} · Status: {option.status}")  # the phase says "Phase" itself
    if option.nearest_site:
        lines.append(
            f"Nearest open site: {option.nearest_site}"
            + (f", {option.distance} away" if option.distance else "")
        )
    if option.record_updated:
        lines.append(f"Registry record last updated: {option.record_updated}")
    return lines


def _option(pdf: _ReportPDF, option: ReportOption) -> None:
    pdf.add_page()
    _heading(pdf, f"Option {option.number}: {option.title}", 14)
    pdf.set_fill_color(*SOFT)
    pdf.set_font(pdf.family_name, "", 9)
    pdf.set_text_color(*MUTED)
    pdf.multi_cell(
        0,
        4.6,
        pdf.text_of("\n".join(_facts(pdf, option))),
        fill=True,
        padding=(2, 3, 2, 3),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    for part in option.parts:
        _heading(pdf, part.title, 11.5, color=(31, 41, 51))
        _paragraphs(pdf, part.paragraphs)
    if option.contacts:
        _heading(
            pdf, ("Programme" if option.programme else "Study team") + " contacts", 11.5, color=(31, 41, 51)
        )
        _paragraphs(pdf, [f"• {c}" for c in option.contacts])


def _part(pdf: _ReportPDF, part: ReportPart) -> None:
    _heading(pdf, part.title, 13, rule=True)
    _paragraphs(pdf, part.paragraphs)


def render_pdf(content: ReportContent) -> bytes:
    """The report as a PDF with a Unicode font (DejaVu), so medical terms and non-ASCII names render."""
    pdf = _ReportPDF(f"{content.title} · Case {content.case_reference}")
    pdf.alias_nb_pages()
    pdf.add_page()
    pdf.set_font(pdf.family_name, "B", 18)
    pdf.set_text_color(*ACCENT)
    pdf.multi_cell(0, 8, pdf.text_of(content.title), align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(pdf.family_name, "", 9.5)
    pdf.set_text_color(*MUTED)
    meta = f"{content.date} · Case {content.case_reference}"
    if content.prepared_for:
        meta = f"Prepared for {content.prepared_for} · {meta}"
    pdf.multi_cell(0, 5, pdf.text_of(meta), new_x="LMARGIN", new_y="NEXT")
    pdf.set_draw_color(*ACCENT)
    pdf.set_line_width(0.8)
    pdf.line(pdf.l_margin, pdf.get_y() + 1.5, pdf.w - pdf.r_margin, pdf.get_y() + 1.5)
    pdf.set_line_width(0.2)
    pdf.ln(3)
    for index, part in enumerate(content.overview):
        _part(pdf, part)
        if index == 0 and content.options:
            _table(pdf, content.options)
    for option in content.options:
        _option(pdf, option)
    team = " · ".join(p for p in (content.team.name, content.team.email, content.team.phone) if p)
    _box(pdf, "Questions about this report", [team], SOFT)
    _box(pdf, "Please read", content.disclaimer, WARN)
    return bytes(pdf.output())
