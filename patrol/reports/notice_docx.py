"""The notice (通报) as a Word file in the official document format (党政机关公文格式, GB/T 9704-2012).

What the standard fixes and this file follows: A4; 天头 37 mm, 订口 28 mm, a text block of
156 mm × 225 mm (so bottom 35 mm, right 26 mm); 22 lines of 28 characters a page (§5.2.3: a
grid of lines, and the characters spaced so that 28 fill a line); the title in 2号 小标宋, the
body in 3号 仿宋 with a first-line indent of two characters, first-level headings 黑体 and
second-level 楷体 (§7.3.3); 附件 below the body, left two characters, wrapped names aligned with
the first name (§7.3.4); the office's name and the date at
the right (§7.3.5.2); page numbers "— 1 —" in 4号 宋体 below the text block, odd pages at the
right and even pages at the left, one character in (§7.5).

Fonts a hall may not have (方正小标宋简体, 仿宋_GB2312, 楷体_GB2312) are named with the fallback
Word substitutes (宋体, 仿宋, 楷体) in the file's font table, as Word itself writes them.

Everything a reader sees comes from the ``Notice``; its text is cleaned of characters a document
cannot hold (controls, bidi overrides) and written as text only, never as a field.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from patrol.reports.notice_model import Block, Notice, Role

if TYPE_CHECKING:
    from docx.document import Document
    from docx.oxml.xmlchemy import BaseOxmlElement
    from docx.text.paragraph import Paragraph

# --- the page (GB/T 9704-2012 §5) -------------------------------------------------------------

PAGE_WIDTH_MM, PAGE_HEIGHT_MM = 210, 297
TOP_MM, BOTTOM_MM, LEFT_MM, RIGHT_MM = 37, 35, 28, 26
LINES_PER_PAGE = 22  # §5.2.3: 一般每面排22行，每行排28个字，并撑满版心
CHARS_PER_LINE = 28
BODY_PT = 16  # 3号
TITLE_PT = 22  # 2号
PAGE_NUMBER_PT = 14  # 4号
PAGE_NUMBER_BELOW_MM = 7  # §7.5: 一字线上距版心下边缘7mm

TWIPS_PER_PT = 20
TWIPS_PER_MM = 1440 / 25.4
CHAR_TWIPS = BODY_PT * TWIPS_PER_PT  # one character of the body: the unit of every indent


def line_pitch_twips() -> int:
    """The grid's line pitch: the text block's height over the lines of a page (579 for 22 lines)."""
    return int((PAGE_HEIGHT_MM - TOP_MM - BOTTOM_MM) * TWIPS_PER_MM / LINES_PER_PAGE)


HANGING_ROOM_PT = 2  # what the 28 characters leave free of a line, so a hanging 、 is drawn


def char_spacing() -> int:
    """The spacing between the body's characters, in twentieths of a point (w:spacing), that
    makes exactly CHARS_PER_LINE of them fit the text block's width, with a little room to spare:
    -6 (a 3号 character takes 15.7 pt of the 15.79 pt a 28th of the block leaves it; 29 would
    take 455 pt of the 442). The room is for a 、 or ，that follows the 28th character: both
    Word and LibreOffice hang it at the line's end, but LibreOffice does not draw it when the
    characters fill the line to within about a point and a half (-5 left 1.2 pt, and the 、 was
    missing from the print).

    Not a character grid (w:docGrid linesAndChars with a charSpace): Word squeezes characters
    into such a grid, but LibreOffice gives a character wider than its cell two cells, so a
    notice opened there had 14 characters a line. Character spacing reads the same in both."""
    width_pt = (PAGE_WIDTH_MM - LEFT_MM - RIGHT_MM) * 72 / 25.4
    return math.floor(((width_pt - HANGING_ROOM_PT) / CHARS_PER_LINE - BODY_PT) * 20)


# --- fonts --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Face:
    """A font as the file names it, the font Word substitutes where it is missing, and how the
    font table describes it (charset 86: GB2312)."""

    name: str
    fallback: str
    family: str = "modern"
    pitch: str = "fixed"


TITLE_FACE = Face("方正小标宋简体", "宋体", "script", "variable")
BODY_FACE = Face("仿宋_GB2312", "仿宋")
HEADING_FACE = Face("黑体", "SimHei")
SUBHEADING_FACE = Face("楷体_GB2312", "楷体")
PAGE_NUMBER_FACE = Face("宋体", "SimSun")
FALLBACKS = (Face("宋体", "SimSun"), Face("仿宋", "FangSong"), Face("楷体", "KaiTi"))
# Digits and Latin letters, as official documents set them: half a character wide (which the
# 落款's layout counts on) in every office's Word, and metric-compatible in LibreOffice.
WESTERN_FONT = "Times New Roman"

FACES = {
    Role.TITLE: TITLE_FACE,
    Role.HEADING: HEADING_FACE,
    Role.SUBHEADING: SUBHEADING_FACE,
}

# Paragraph styles, so that an office editing the file keeps the format with Word's style list.
STYLE_IDS = {
    Role.TITLE: ("PatrolTitle", "公文标题"),
    Role.BODY: ("PatrolBody", "公文正文"),
    Role.HEADING: ("PatrolHeading1", "公文一级标题"),
    Role.SUBHEADING: ("PatrolHeading2", "公文二级标题"),
    Role.PLACEHOLDER: ("PatrolPlaceholder", "待填写"),
    Role.ATTACHMENTS: ("PatrolAttachments", "公文附件说明"),
    Role.SIGNATURE: ("PatrolSignature", "公文落款"),
    Role.DATE: ("PatrolDate", "公文成文日期"),
}

# --- text -----------------------------------------------------------------------------------------

_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_ATTACHMENT = re.compile(r"^(附件[:：]\s*)?(\d+[.．、]?)\s*(.*)$", re.DOTALL)


def document_text(text: str) -> str:
    """``text`` as the document may hold it: line breaks and tabs become spaces (a block is one
    paragraph), other control characters, bidi overrides, lone surrogates and the two
    non-characters XML refuses are removed. What remains is written as plain text, so nothing
    a name or a note holds ("{ PAGE }", "<w:fldSimple>") becomes a field or markup."""
    out = []
    for ch in text:
        if ch in "\t\n\r\v\f\u2028\u2029\x85":
            out.append(" ")
            continue
        if ch in _BIDI or ch in "\ufffe\uffff" or unicodedata.category(ch) in ("Cc", "Cs"):
            continue
        out.append(ch)
    return "".join(out)


def text_width(text: str) -> float:
    """The width of ``text`` in body characters: CJK and full-width forms one, the rest half."""
    return sum(1.0 if unicodedata.east_asian_width(ch) in ("W", "F") else 0.5 for ch in text)


# Where a title too long for one line breaks, best first: before the phrase that names what is
# reported, so each line is whole words ("关于…2026年11月" / "窗口工作人员巡查考核情况的通报").
TITLE_PHRASES = ("窗口工作人员巡查考核情况的通报", "巡查考核情况的通报", "情况的通报", "的通报")
_PERIOD_START = re.compile(r"\d{4}年")


def title_chars() -> int:
    """How many 2号 characters a title line holds: the text block's width over the title's size."""
    return math.floor((PAGE_WIDTH_MM - LEFT_MM - RIGHT_MM) * 72 / 25.4 / TITLE_PT)


def title_lines(title: str) -> list[str]:
    """The title's lines, each whole phrases (GB/T 9704 §7.3.1: 回行时词意完整): one line when it
    fits; else a break before the first of ``TITLE_PHRASES`` whose line fits, and, when the
    hall's name makes the first part too long as well, one more before the period."""
    capacity = title_chars()
    if text_width(title) <= capacity:
        return [title]
    for phrase in TITLE_PHRASES:
        at = title.rfind(phrase)
        if at <= 0 or text_width(title[at:]) > capacity:
            continue
        head, tail = title[:at], title[at:]
        if text_width(head) > capacity:
            period = _PERIOD_START.search(head)
            if period is not None and period.start() > 0:
                first, second = head[: period.start()], head[period.start() :]
                if text_width(second) <= capacity:
                    return [first, second, tail]
        return [head, tail]
    return [title]


# --- the document ---------------------------------------------------------------------------------


def write_notice_docx(notice: Notice, path: Path, before_rename: Callable[[], None] | None = None) -> None:
    """Write ``notice`` to ``path`` as an official document, atomically (as the appendix is: a
    temporary file beside ``path`` renamed into place), so nothing half-written is ever left
    there (``UserError`` when the folder cannot be written)."""
    from patrol.reports.atomic import write_file_atomically

    document = notice_document(notice)
    write_file_atomically(path, lambda temporary: document.save(str(temporary)), before_rename)


def notice_document(notice: Notice) -> Document:
    """The notice as a python-docx document, not yet saved."""
    import docx

    document = docx.Document()
    _clear_template(document)
    _page(document)
    _defaults(document)
    _styles(document)
    _font_table(document)
    _page_numbers(document)
    previous: Role | None = None
    attachment = 0
    for block in notice.blocks:
        if block.role is Role.SIGNATURE and document.paragraphs:
            # The 落款 never stands alone on a last page: the line before it goes along.
            document.paragraphs[-1].paragraph_format.keep_with_next = True
        attachment = attachment + 1 if block.role is Role.ATTACHMENTS else 0
        if block.role is Role.ATTACHMENTS and previous is Role.ATTACHMENTS:
            # The 附件 list is one block, kept with the 落款 below: its last item never moves on
            # alone with the 落款 while the rest stay on the page before.
            document.paragraphs[-1].paragraph_format.keep_with_next = True
        _paragraph(document, block, previous, attachment)
        previous = block.role
    _signature_indents(document, notice)
    core = document.core_properties
    core.title = document_text(notice.title)
    core.author = core.last_modified_by = core.comments = core.subject = core.keywords = core.category = ""
    core.created = core.modified = datetime.now(UTC).replace(microsecond=0)
    core.revision = 1
    core.language = "zh-CN"
    return document


def _clear_template(document: Document) -> None:
    """The template's one empty paragraph goes: the notice starts with its title."""
    body = document.element.body
    for p in list(body.iterchildren()):
        if p.tag.endswith("}p"):
            body.remove(p)


def _page(document: Document) -> None:
    from docx.enum.section import WD_ORIENT
    from docx.oxml.ns import qn
    from docx.shared import Mm, Twips

    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(PAGE_WIDTH_MM), Mm(PAGE_HEIGHT_MM)
    section.top_margin, section.bottom_margin = Mm(TOP_MM), Mm(BOTTOM_MM)
    section.left_margin, section.right_margin = Mm(LEFT_MM), Mm(RIGHT_MM)
    section.gutter = Mm(0)
    section.header_distance = Mm(15)
    # The footer's line sits below the text block: its top PAGE_NUMBER_BELOW_MM under the block,
    # so its bottom (what Word measures from the paper's edge) one 4号 line lower still.
    line_mm = PAGE_NUMBER_PT * 25.4 / 72
    section.footer_distance = Twips(round((BOTTOM_MM - PAGE_NUMBER_BELOW_MM - line_mm) * TWIPS_PER_MM))
    sect_pr = section._sectPr
    grid = sect_pr.find(qn("w:docGrid"))
    if grid is None:
        grid = sect_pr.makeelement(qn("w:docGrid"), {})
        sect_pr.append(grid)
    # A grid of lines: Word's page setup shows 22 lines a page (the characters a line come from
    # the body's character spacing, see char_spacing).
    grid.set(qn("w:type"), "lines")
    grid.set(qn("w:linePitch"), str(line_pitch_twips()))
    grid.attrib.pop(qn("w:charSpace"), None)


def _fonts(r_pr: BaseOxmlElement, face: Face, western: str = WESTERN_FONT) -> None:
    """Name ``face`` for Chinese and ``western`` for digits and Latin letters, explicitly (a theme
    font would win over them)."""
    from docx.oxml.ns import qn

    fonts = r_pr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = r_pr.makeelement(qn("w:rFonts"), {})
        r_pr.insert(0, fonts)
    for theme in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"):
        fonts.attrib.pop(qn(f"w:{theme}"), None)
    for script in ("ascii", "hAnsi", "cs"):
        fonts.set(qn(f"w:{script}"), western)
    fonts.set(qn("w:eastAsia"), face.name)
    fonts.set(qn("w:hint"), "eastAsia")


def _spacing(r_pr: BaseOxmlElement, twentieths: int) -> None:
    """Space between characters (w:spacing of a run), in twentieths of a point."""
    from docx.oxml.ns import qn

    for old in r_pr.findall(qn("w:spacing")):
        r_pr.remove(old)
    r_pr.append(r_pr.makeelement(qn("w:spacing"), {qn("w:val"): str(twentieths)}))


def _size(r_pr: BaseOxmlElement, points: float) -> None:
    from docx.oxml.ns import qn

    for tag in ("w:sz", "w:szCs"):
        for old in r_pr.findall(qn(tag)):
            r_pr.remove(old)
        r_pr.append(r_pr.makeelement(qn(tag), {qn("w:val"): str(round(points * 2))}))


def _defaults(document: Document) -> None:
    """The document's defaults: 3号 仿宋 in Chinese, spaced so 28 characters fill a line, one
    grid line high (22 lines fill the text block whatever the fonts' own line heights), no
    space between paragraphs."""
    from docx.enum.text import WD_LINE_SPACING
    from docx.oxml.ns import qn
    from docx.shared import Twips

    defaults = document.styles.element.find(qn("w:docDefaults"))
    r_pr = defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}")
    _fonts(r_pr, BODY_FACE)
    _size(r_pr, BODY_PT)
    for lang in r_pr.findall(qn("w:lang")):
        r_pr.remove(lang)
    r_pr.append(
        r_pr.makeelement(qn("w:lang"), {qn("w:val"): "en-US", qn("w:eastAsia"): "zh-CN", qn("w:bidi"): "ar-SA"})
    )
    p_default = defaults.find(qn("w:pPrDefault"))
    if p_default is None:
        p_default = defaults.makeelement(qn("w:pPrDefault"), {})
        defaults.append(p_default)
    for old in list(p_default):
        p_default.remove(old)
    p_pr = p_default.makeelement(qn("w:pPr"), {})
    p_default.append(p_pr)
    # No extra space between Chinese and digits (Word and LibreOffice add a quarter of a
    # character by default): a line holds its 28 characters, and the date's width is known.
    # (In Normal too: LibreOffice reads it from the styles, not from the defaults.)
    normal = document.styles["Normal"]
    for element in (p_pr, normal.element.get_or_add_pPr()):
        for tag in ("w:autoSpaceDE", "w:autoSpaceDN"):
            _set_flag(element, tag, on=False)
    normal_r_pr = normal.element.get_or_add_rPr()
    _fonts(normal_r_pr, BODY_FACE)
    _spacing(normal_r_pr, char_spacing())
    _size(normal_r_pr, BODY_PT)
    fmt = normal.paragraph_format
    fmt.space_before = fmt.space_after = 0
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Twips(line_pitch_twips())
    # Every full page has its 22 lines ("撑满版心", §5.2.3): no line is moved over to keep a
    # paragraph's first or last line company.
    fmt.widow_control = False


def _styles(document: Document) -> None:
    """One paragraph style per role, based on Normal (仿宋 3号)."""
    from docx.enum.style import WD_STYLE_TYPE
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX, WD_LINE_SPACING
    from docx.shared import Pt, Twips

    pitch = Twips(line_pitch_twips())
    for role, (style_id, name) in STYLE_IDS.items():
        style = document.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.style_id = style_id
        style.base_style = document.styles["Normal"]
        style.quick_style = True
        fmt = style.paragraph_format
        r_pr = style.element.get_or_add_rPr()
        if role in FACES:
            _fonts(r_pr, FACES[role])
        if role is Role.TITLE:
            _spacing(r_pr, 0)
            _size(r_pr, TITLE_PT)
            fmt.alignment = WD_ALIGN_PARAGRAPH.CENTER
            # A 2号 line is taller than the grid's: its own exact height, off the grid, and a
            # blank grid line below it before the body (§7.2.3, §7.3.1).
            fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
            fmt.line_spacing = Pt(TITLE_PT * 1.6)
            fmt.space_after = pitch
            _snap_to_grid(style.element.get_or_add_pPr(), False)
            fmt.keep_with_next = True
        elif role in (Role.BODY, Role.HEADING, Role.SUBHEADING, Role.PLACEHOLDER):
            _first_line_chars(style.element.get_or_add_pPr(), 2)
            fmt.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
            if role in (Role.HEADING, Role.SUBHEADING):
                fmt.keep_with_next = True  # a heading never ends a page
        elif role is Role.ATTACHMENTS:
            fmt.alignment = WD_ALIGN_PARAGRAPH.LEFT
        elif role in (Role.SIGNATURE, Role.DATE):
            fmt.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            fmt.keep_with_next = role is Role.SIGNATURE  # the date stays under the name
        if role is Role.PLACEHOLDER:
            style.font.highlight_color = WD_COLOR_INDEX.YELLOW  # a place the office writes in


# Where a flag of a paragraph goes among its siblings (the schema's order matters to Word).
_BEFORE = ("w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing", "w:jc", "w:textAlignment", "w:outlineLvl")


def _set_flag(p_pr: BaseOxmlElement, tag: str, *, on: bool) -> None:
    """Set an on/off property of a paragraph (w:autoSpaceDE, w:snapToGrid…) in its schema place."""
    from docx.oxml.ns import qn

    for old in p_pr.findall(qn(tag)):
        p_pr.remove(old)
    element = p_pr.makeelement(qn(tag), {qn("w:val"): "1" if on else "0"})
    later = {qn(t) for t in _BEFORE[_BEFORE.index(tag) + 1 :]} if tag in _BEFORE else {qn(t) for t in _BEFORE}
    anchor = next((c for c in p_pr if c.tag in later), None)
    if anchor is None:
        p_pr.append(element)
    else:
        anchor.addprevious(element)


def _snap_to_grid(p_pr: BaseOxmlElement, on: bool) -> None:
    _set_flag(p_pr, "w:snapToGrid", on=on)


def _indent(
    p_pr: BaseOxmlElement,
    *,
    first_chars: float | None = None,
    left_chars: float | None = None,
    right_chars: float | None = None,
    hanging_chars: float | None = None,
) -> None:
    """Indents in characters, as Word writes them: in hundredths of a character (what Word obeys,
    so the indent follows the grid) and in twips (what other programs read)."""
    from docx.oxml.ns import qn

    ind = p_pr.find(qn("w:ind"))
    if ind is None:
        ind = p_pr.makeelement(qn("w:ind"), {})
        jc = p_pr.find(qn("w:jc"))
        if jc is None:
            p_pr.append(ind)
        else:
            jc.addprevious(ind)
    values = {
        "firstLine": first_chars,
        "left": left_chars,
        "right": right_chars,
        "hanging": hanging_chars,
    }
    for side, chars in values.items():
        if chars is None:
            continue
        ind.set(qn(f"w:{side}Chars"), str(round(chars * 100)))
        ind.set(qn(f"w:{side}"), str(round(chars * CHAR_TWIPS)))


def _first_line_chars(p_pr: BaseOxmlElement, chars: float) -> None:
    _indent(p_pr, first_chars=chars)


def _font_table(document: Document) -> None:
    """Name every font the file uses with its fallback (w:altName) and the GB2312 charset, as Word
    writes its font table, so a machine without 方正小标宋简体 or 仿宋_GB2312 sets 宋体 or 仿宋."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.opc.oxml import serialize_part_xml
    from docx.oxml.ns import qn
    from docx.oxml.parser import parse_xml

    part = document.part.part_related_by(RT.FONT_TABLE)
    table = parse_xml(part.blob)
    present = {font.get(qn("w:name")) for font in table.findall(qn("w:font"))}
    for face in (TITLE_FACE, BODY_FACE, HEADING_FACE, SUBHEADING_FACE, PAGE_NUMBER_FACE, *FALLBACKS):
        if face.name in present:
            continue
        present.add(face.name)
        font = table.makeelement(qn("w:font"), {qn("w:name"): face.name})
        for tag, value in (
            ("w:altName", face.fallback),
            ("w:charset", "86"),
            ("w:family", face.family),
            ("w:pitch", face.pitch),
        ):
            font.append(font.makeelement(qn(tag), {qn("w:val"): value}))
        table.append(font)
    # The font table is a plain part in python-docx (no object model): its bytes are replaced.
    part._blob = serialize_part_xml(table)


def _page_numbers(document: Document) -> None:
    """ "— 1 —" under the text block: odd pages at the right, even pages at the left, one
    character in from the edge of the text block (§7.5)."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    document.settings.odd_and_even_pages_header_footer = True
    section = document.sections[0]
    for footer, alignment in (
        (section.footer, WD_ALIGN_PARAGRAPH.RIGHT),
        (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT),
    ):
        footer.is_linked_to_previous = False
        paragraph = footer.paragraphs[0] if footer.paragraphs else footer.add_paragraph()
        paragraph.alignment = alignment
        p_pr = paragraph._p.get_or_add_pPr()
        _snap_to_grid(p_pr, False)
        if alignment == WD_ALIGN_PARAGRAPH.RIGHT:
            _indent(p_pr, right_chars=1)
        else:
            _indent(p_pr, left_chars=1)
        fmt = paragraph.paragraph_format
        fmt.first_line_indent = None
        fmt.line_spacing = 1.0
        _page_field(paragraph)


def _page_field(paragraph: Paragraph) -> None:
    """— PAGE — as runs: the dashes around a PAGE field (begin, instruction, separator, the
    number Word shows until it updates, end)."""
    from docx.oxml.ns import qn

    def run(text: str | None = None) -> BaseOxmlElement:
        r = paragraph.add_run(text)
        r_pr = r._r.get_or_add_rPr()
        _fonts(r_pr, PAGE_NUMBER_FACE, PAGE_NUMBER_FACE.name)  # §7.5: 半角宋体阿拉伯数字
        _spacing(r_pr, 0)
        _size(r_pr, PAGE_NUMBER_PT)
        return r._r

    def field_char(kind: str) -> None:
        r = run()
        r.append(r.makeelement(qn("w:fldChar"), {qn("w:fldCharType"): kind}))

    run("— ")
    field_char("begin")
    instruction = run()
    text = instruction.makeelement(qn("w:instrText"), {"{http://www.w3.org/XML/1998/namespace}space": "preserve"})
    text.text = " PAGE "
    instruction.append(text)
    field_char("separate")
    run("1")
    field_char("end")
    run(" —")


def _paragraph(document: Document, block: Block, previous: Role | None, attachment: int) -> None:
    from docx.shared import Twips

    _style_id, name = STYLE_IDS.get(block.role, STYLE_IDS[Role.BODY])
    text = document_text(block.text)
    paragraph = document.add_paragraph(style=document.styles[name])
    pitch = Twips(line_pitch_twips())
    if block.role is Role.ATTACHMENTS:
        if attachment == 1 and previous is not None:
            paragraph.paragraph_format.space_before = pitch  # 正文下空一行 (§7.3.4)
        _attachment(paragraph, text, first=attachment == 1)
        return
    if block.role is Role.SIGNATURE and previous not in (None, Role.SIGNATURE):
        paragraph.paragraph_format.space_before = pitch  # 正文（或附件说明）下空一行 (§7.3.5.2)
    if block.role is Role.TITLE:
        for number, line in enumerate(title_lines(text)):
            run = paragraph.add_run()
            if number:
                run.add_break()  # a line break (w:br) in the one title paragraph
            run.add_text(line)
        return
    paragraph.add_run(text)


def _attachment(paragraph: Paragraph, text: str, *, first: bool) -> None:
    """附件：1. 名称 — "附件" two characters in; a name that wraps goes on under its own first
    character, as do the names after the first (§7.3.4). The number is followed by a tab to a
    stop where the names start, so they align whatever the digits' width."""
    from docx.enum.text import WD_TAB_ALIGNMENT
    from docx.shared import Twips

    match = _ATTACHMENT.match(text)
    lead = "附件："
    number_chars = 1.5  # "1." and a little air, in body characters
    names_at = 2 + text_width(lead) + number_chars
    p_pr = paragraph._p.get_or_add_pPr()
    if match is None or not match.group(2):
        # Not numbered: one attachment (附件：名称), or text the layout does not know: kept as it is.
        _indent(p_pr, left_chars=2 + text_width(lead), hanging_chars=0 if not first else text_width(lead))
        paragraph.add_run(text)
        return
    said_lead, number, name = match.groups()
    _indent(p_pr, left_chars=names_at, hanging_chars=names_at - (2 if first else 2 + text_width(lead)))
    paragraph.paragraph_format.tab_stops.add_tab_stop(Twips(round(names_at * CHAR_TWIPS)), WD_TAB_ALIGNMENT.LEFT)
    if first:
        paragraph.add_run(lead if said_lead is None else said_lead.strip().replace(":", "："))
    run = paragraph.add_run(number)
    run.add_tab()
    paragraph.add_run(name)


def _signature_indents(document: Document, notice: Notice) -> None:
    """落款 and date (§7.3.5.2): the office's name two characters in from the right; the date under
    it, its first character two characters right of the name's; a date longer than that moves the
    name instead, so the date keeps its two characters."""
    signature = next((b for b in notice.blocks if b.role is Role.SIGNATURE), None)
    dated = next((b for b in notice.blocks if b.role is Role.DATE), None)
    name_w = text_width(document_text(signature.text)) if signature else 0.0
    date_w = text_width(document_text(dated.text)) if dated else 0.0
    offset = name_w - date_w  # how far the date's first character is right of the name's, at equal indents
    if signature is None or dated is None:
        name_right = date_right = 2.0
    elif offset >= 2:
        name_right, date_right = 2.0, offset
    else:
        name_right, date_right = 2.0 + (2 - offset), 2.0
    for paragraph in document.paragraphs:
        style = paragraph.style.style_id if paragraph.style is not None else ""
        if style == STYLE_IDS[Role.SIGNATURE][0]:
            _indent(paragraph._p.get_or_add_pPr(), right_chars=name_right)
        elif style == STYLE_IDS[Role.DATE][0]:
            _indent(paragraph._p.get_or_add_pPr(), right_chars=date_right)
