"""The notice as a Word file: read back with python-docx the way Word would lay it out, and printed
through LibreOffice the way an office prints it (GB/T 9704-2012, the official document format)."""

from __future__ import annotations

import re
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

import docx
import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from patrol.cli import main
from patrol.hall.service import HallService
from patrol.reports.notice import compose_notice
from patrol.reports.notice_docx import write_notice_docx
from patrol.reports.notice_model import Block, Notice, Role
from patrol.reports.period_report import gather
from patrol.rules.periods import Period
from tests.conftest import log_at

NOVEMBER = Period.parse("2026-11")
TITLE = "关于测试大厅2026年11月窗口工作人员巡查考核情况的通报"
SENTENCE = (
    "外综服窗口黎皓11月6日、9日上班迟到；社会事务综合受理窗口董霞、贾娟、张芳11月13日工作期间"
    "使用手机处理与工作无关的事情。"
)
# Without digits: LibreOffice puts a little space between Chinese and digits (Word is told not to).
PLAIN = "社会事务综合受理窗口工作人员工作期间使用手机处理与工作无关的事情，服务用语不规范，窗口物品摆放不规范。"


def sample(body_paragraphs: int = 2, name: str = "黎皓") -> Notice:
    """A notice with a block of every role; ``body_paragraphs`` long paragraphs under 巡查情况."""
    return Notice(
        (
            Block(Role.TITLE, TITLE),
            Block(Role.BODY, "本月，督查组共开展巡查21次，记录巡查发现118项次，其中扣分15项次、加分101项次。"),
            Block(Role.HEADING, "【本月重点】"),
            Block(Role.PLACEHOLDER, "（请在此填写本月重点工作。）"),
            Block(Role.HEADING, "【人员管理】"),
            Block(Role.SUBHEADING, "1、考勤情况"),
            Block(Role.BODY, f"外综服窗口{name}11月6日、9日上班迟到。"),
            Block(Role.SUBHEADING, "2、巡查情况"),
            *(Block(Role.BODY, (PLAIN if i % 2 else SENTENCE) * 3) for i in range(body_paragraphs)),
            Block(Role.ATTACHMENTS, "附件：1.附表1 巡查明细"),
            Block(Role.ATTACHMENTS, "2.附表2 窗口量化考评表（含各窗口得分、扣分、加分和评定的全部明细）"),
            Block(Role.SIGNATURE, "测试大厅政务服务管理办公室"),
            Block(Role.DATE, "2026年11月30日"),
        )
    )


def paragraph_of(document: docx.document.Document, text: str) -> docx.text.paragraph.Paragraph:
    return next(p for p in document.paragraphs if p.text.startswith(text))


def texts(document: docx.document.Document) -> list[str]:
    """The paragraphs as the notice's text has them (an attachment's number is followed by a tab
    in the file, which lines the names up; the text has none; a long title is broken in two
    lines by a line break, which is layout, not text)."""
    return [p.text.replace("\t", "").replace("\n", "") for p in document.paragraphs]


def run_fonts(style: docx.styles.style.ParagraphStyle) -> dict[str, str]:
    """The fonts a style names, by script (ascii, eastAsia, …)."""
    fonts = style.element.rPr.find(qn("w:rFonts"))
    return {key.split("}")[1]: value for key, value in fonts.attrib.items()}


def test_the_page_is_a4_with_the_standards_margins_and_grid(tmp_path: Path) -> None:
    path = tmp_path / "通报.docx"
    write_notice_docx(sample(), path)
    document = docx.Document(str(path))
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    margins = (section.top_margin, section.bottom_margin, section.left_margin, section.right_margin)
    assert [round(m.mm, 1) for m in margins] == [37.0, 35.0, 28.0, 26.0]
    grid = section._sectPr.find(qn("w:docGrid"))
    # 22 lines in the 225 mm text block (§5.2.3): 579 twips apart.
    assert grid.get(qn("w:type")) == "lines" and grid.get(qn("w:linePitch")) == "579"
    normal = document.styles["Normal"]
    assert normal.paragraph_format.line_spacing == Pt(28.95)
    # 28 characters of 15.75 pt fill the 156 mm line (442.2 pt); 29 would not.
    spacing = int(normal.element.rPr.find(qn("w:spacing")).get(qn("w:val")))
    assert 28 * (16 + spacing / 20) <= Mm(156).pt < 29 * (16 + spacing / 20)


def test_each_part_has_the_standards_font_size_and_place(tmp_path: Path) -> None:
    path = tmp_path / "通报.docx"
    write_notice_docx(sample(), path)
    document = docx.Document(str(path))
    assert texts(document) == sample().paragraphs()  # everything a reader sees, from the Notice
    title = document.paragraphs[0]
    assert title.text.replace("\n", "") == TITLE and title.style.name == "公文标题"
    assert run_fonts(title.style)["eastAsia"] == "方正小标宋简体" and title.style.font.size == Pt(22)
    assert title.style.paragraph_format.alignment == WD_ALIGN_PARAGRAPH.CENTER

    body = paragraph_of(document, "本月，督查组")
    assert body.style.name == "公文正文"
    assert run_fonts(document.styles["Normal"])["eastAsia"] == "仿宋_GB2312"
    assert document.styles["Normal"].font.size == Pt(16)
    indent = body.style.element.pPr.find(qn("w:ind"))
    assert indent.get(qn("w:firstLineChars")) == "200" and body.style.paragraph_format.first_line_indent == Pt(32)

    heading = paragraph_of(document, "【人员管理】")
    assert heading.style.name == "公文一级标题" and run_fonts(heading.style)["eastAsia"] == "黑体"
    sub = paragraph_of(document, "1、考勤情况")
    assert sub.style.name == "公文二级标题" and run_fonts(sub.style)["eastAsia"] == "楷体_GB2312"
    assert heading.style.paragraph_format.keep_with_next and sub.style.paragraph_format.keep_with_next

    placeholder = paragraph_of(document, "（请在此填写")
    assert placeholder.style.font.highlight_color == WD_COLOR_INDEX.YELLOW

    first, second = (p for p in document.paragraphs if p.style.name == "公文附件说明")
    assert first.text == "附件：1.\t附表1 巡查明细" and second.text.startswith("2.\t附表2")
    # 附件 two characters in; the names (and their second lines) start under one another.
    assert first.paragraph_format.left_indent == second.paragraph_format.left_indent == Pt(16 * 6.5)
    assert first.paragraph_format.first_line_indent == Pt(-16 * 4.5)
    assert second.paragraph_format.first_line_indent == Pt(-16 * 1.5)

    signature, dated = document.paragraphs[-2:]
    assert (signature.text, dated.text) == ("测试大厅政务服务管理办公室", "2026年11月30日")
    assert signature.style.paragraph_format.alignment == dated.style.paragraph_format.alignment
    assert signature.style.paragraph_format.alignment == WD_ALIGN_PARAGRAPH.RIGHT
    # Name two characters in from the right; the date (7 characters wide) under it, its first
    # character two characters right of the name's (13 characters): 13 + 2 - 2 - 7 = 6 in.
    assert signature.paragraph_format.right_indent == Pt(32) and dated.paragraph_format.right_indent == Pt(96)


def test_fallback_fonts_are_named_in_the_font_table(tmp_path: Path) -> None:
    path = tmp_path / "通报.docx"
    write_notice_docx(sample(), path)
    document = docx.Document(str(path))
    table = next(p for p in document.part.package.iter_parts() if str(p.partname) == "/word/fontTable.xml")
    from docx.oxml.parser import parse_xml

    fonts = {
        f.get(qn("w:name")): (f.find(qn("w:altName")).get(qn("w:val")), f.find(qn("w:charset")).get(qn("w:val")))
        for f in parse_xml(table.blob).findall(qn("w:font"))
        if f.find(qn("w:altName")) is not None
    }
    assert fonts["方正小标宋简体"] == ("宋体", "86")
    assert fonts["仿宋_GB2312"] == ("仿宋", "86")
    assert fonts["楷体_GB2312"] == ("楷体", "86")


def test_page_numbers_are_a_page_field_between_dashes(tmp_path: Path) -> None:
    path = tmp_path / "通报.docx"
    write_notice_docx(sample(), path)
    document = docx.Document(str(path))
    assert document.settings.odd_and_even_pages_header_footer
    section = document.sections[0]
    for footer, alignment in (
        (section.footer, WD_ALIGN_PARAGRAPH.RIGHT),
        (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT),
    ):
        (paragraph,) = footer.paragraphs
        assert paragraph.alignment == alignment
        xml = paragraph._p.xml
        assert [i.text for i in paragraph._p.iter(qn("w:instrText"))] == [" PAGE "]
        kinds = [c.get(qn("w:fldCharType")) for c in paragraph._p.iter(qn("w:fldChar"))]
        assert kinds == ["begin", "separate", "end"]
        assert paragraph.text == "— 1 —" and 'w:eastAsia="宋体"' in xml and 'w:val="28"' in xml  # 4号: 14 pt


def test_names_and_notes_are_text_never_fields_or_controls(tmp_path: Path) -> None:
    """What a name or a note holds reaches the file as text: no field from "{ PAGE }" or markup,
    no control character (which would make the file unreadable), no bidi override."""
    hostile = 'A{ PAGE }<w:fldSimple w:instr="DDE cmd"/>&\x1b[31m\u202e\x00\t\nB'
    path = tmp_path / "通报.docx"
    write_notice_docx(sample(name=hostile), path)
    document = docx.Document(str(path))
    said = paragraph_of(document, "外综服窗口A")
    assert said.text == '外综服窗口A{ PAGE }<w:fldSimple w:instr="DDE cmd"/>&[31m  B11月6日、9日上班迟到。'
    body = document.element.body
    assert not list(body.iter(qn("w:fldSimple"))) and not list(body.iter(qn("w:instrText")))
    assert document.core_properties.title == TITLE and document.core_properties.author == ""


def test_nothing_is_left_half_written_when_the_folder_cannot_be_written(tmp_path: Path) -> None:
    from patrol.errors import UserError

    target = tmp_path / "no-folder" / "通报.docx"
    with pytest.raises(UserError, match="输出文件夹不可写"):
        write_notice_docx(sample(), target)
    assert not target.parent.exists()


def test_a_failed_write_keeps_the_offices_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A disk that fills half-way leaves the file that was there, whole, and nothing else."""
    from docx.document import Document

    from patrol.errors import UserError

    tmp_path = tmp_path / "out"
    tmp_path.mkdir()
    target = tmp_path / "通报.docx"
    target.write_bytes(b"the office's edited copy")

    def fail(self: Document, path: str) -> None:
        Path(path).write_bytes(b"PK half")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Document, "save", fail)
    with pytest.raises(UserError, match=r"^磁盘已满，无法写入") as raised:
        write_notice_docx(sample(), target)
    assert "No space" not in str(raised.value)  # Chinese, not the system's English
    assert target.read_bytes() == b"the office's edited copy"
    assert [p.name for p in tmp_path.iterdir()] == ["通报.docx"]


# --- the command line and the app, on a real hall ------------------------------------------------


@pytest.fixture
def month(service: HallService) -> HallService:
    service.edits.change_settings(attendance_basis="patrol")
    log_at(service, "1", "曾伟", "迟到", "2026-11-05 09:20")
    log_at(service, "2", "张伟", "玩手机", "2026-11-13 10:30")
    log_at(service, "1", "魏敏", "上门服务", "2026-11-06 14:00")
    return service


def logged(url: str) -> list[tuple[str, str]]:
    with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
        return conn.execute("SELECT action, subject FROM access_log").fetchall()


def test_report_writes_the_notice_as_a_word_file(
    month: HallService, hall_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch
) -> None:
    monkeypatch.chdir(tmp_path)
    # The text the command prints (today's clock, as the Word file's) is the notice the file holds.
    assert main(["--db", hall_url, "report", "--period", "2026-11"]) == 0
    printed = capsys.readouterr().out.split("\n\n")[:-1]
    assert printed[0] == compose_notice(gather(month, NOVEMBER)).title
    assert main(["--db", hall_url, "report", "--period", "2026-11", "--format", "docx"]) == 0
    path = tmp_path / "测试大厅2026年11月巡查考核通报.docx"
    assert capsys.readouterr().out.strip() == f"已写入 2026年11月 通报（Word，公文格式）：{path}"
    assert path.stat().st_mode & 0o777 == 0o600  # names of people: the owner's only
    document = docx.Document(str(path))
    assert texts(document) == printed
    assert [p.style.name for p in document.paragraphs][:4] == ["公文标题", "公文正文", "公文一级标题", "待填写"]
    assert document.paragraphs[2].text == "【本月重点】"
    assert ("通报", f"2026年11月 通报（Word） → {path}") in logged(hall_url)


def test_report_docx_refuses_what_it_must_not_write(
    month: HallService, hall_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch
) -> None:
    monkeypatch.chdir(tmp_path)
    base = ["--db", hall_url, "report", "--period", "2026-11", "--format", "docx"]
    path = tmp_path / "测试大厅2026年11月巡查考核通报.docx"
    path.write_bytes(b"the office's edited copy")
    before = logged(hall_url)

    def refused(*args: str) -> str:
        assert main([*base, *args]) == 1
        out, err = capsys.readouterr()
        assert out == "" and err.count("\n") == 1 and "Traceback" not in err
        return err

    assert "文件已存在" in refused() and "--force" in refused()
    assert "输出文件夹不存在" in refused("--out", str(tmp_path / "missing" / "通报.docx"))
    assert "是一个文件，不是文件夹" in refused("--out", str(path / "通报.docx"))  # a file where a folder should be
    assert "应以 .docx 结尾" in refused("--out", str(tmp_path / "通报.pdf"))
    assert main(["--db", hall_url, "report", "--period", "2026-11", "--out", "x.docx"]) == 1
    assert "只用于 --format docx" in capsys.readouterr().err
    assert path.read_bytes() == b"the office's edited copy"  # nothing half-written, nothing replaced
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix == ".docx") == [path.name]
    assert logged(hall_url) == before  # nothing left the database
    # A folder takes the default name; --force replaces the edited copy.
    assert main([*base, "--force"]) == 0 and path.read_bytes()[:2] == b"PK"
    folder = tmp_path / "通报"
    folder.mkdir()
    assert main([*base, "--out", str(folder)]) == 0
    assert (folder / path.name).exists()


def test_an_unwritable_folder_is_one_line(
    month: HallService, hall_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import os

    folder = tmp_path / "只读"
    folder.mkdir(mode=0o500)
    # Root writes into a read-only folder: there, a folder nobody can create files in stands in.
    target = Path("/proc") if os.geteuid() == 0 else folder
    code = main(["--db", hall_url, "report", "--period", "2026-11", "--format", "docx", "--out", str(target)])
    err = capsys.readouterr().err
    folder.chmod(0o700)
    assert code == 1 and err.count("\n") == 1 and "Traceback" not in err
    assert "输出文件夹不可写" in err and "No such" not in err and "not permitted" not in err
    assert list(folder.iterdir()) == [] and not (Path("/proc") / "测试大厅2026年11月巡查考核通报.docx").exists()


def test_report_docx_out_names_a_word_file_or_a_folder(
    month: HallService, hall_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--out without .docx is refused for its extension unless it is a folder that exists; a
    trailing slash means a folder; a symbolic link is refused by its own name; a Word file open
    elsewhere names Word and 写入, not Excel and 导出."""
    base = ["--db", hall_url, "report", "--period", "2026-11", "--format", "docx"]
    here = tmp_path / "here"
    here.mkdir()
    before = logged(hall_url)

    def refused(out: str, *more: str) -> str:
        assert main([*base, "--out", out, *more]) == 1
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "Traceback" not in err
        return err

    assert "输出文件应以 .docx 结尾" in refused(str(here / "noext"))
    assert "缺少文件名" in refused(str(here / ".docx"))
    err = refused(f"{here / '通报.docx'}/")
    assert "输出文件夹不存在" in err and str(here / "通报.docx") in err
    link = here / "link.docx"
    link.symlink_to(tmp_path / "elsewhere" / "passwd_none")
    err = refused(str(link), "--force")
    assert "符号链接" in err and str(link) in err and "elsewhere" not in err
    (here / ".~lock.通报.docx#").write_text("someone,host", encoding="utf-8")
    err = refused(str(here / "通报.docx"))
    assert "正被其他程序（如 WPS、Word、LibreOffice）打开，请先关闭它再写入" in err and "Excel" not in err
    assert sorted(p.name for p in here.iterdir()) == [".~lock.通报.docx#", "link.docx"]
    assert logged(hall_url) == before
    # An existing folder, with or without the slash, takes the default name.
    (here / "通报").mkdir()
    assert main([*base, "--out", str(here / "通报")]) == 0
    assert [p.name for p in (here / "通报").iterdir()] == ["测试大厅2026年11月巡查考核通报.docx"]


def test_the_office_name_is_never_empty_and_a_bad_one_is_one_line(
    hall_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """`rules set 落款单位 ''` says how to reset instead of resetting silently; a value with a
    line break is shown escaped on one line; the 落款 changes no verdict, so no warning that
    ended periods are judged again."""
    db = ["--db", hall_url, "rules", "set", "落款单位"]
    assert main([*db, "", "--from", "2026-10-01"]) == 1
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and "不能为空" in err and "默认" in err
    assert main([*db, "a\nb", "--from", "2026-10-01"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "现为“a\\nb”" in err
    assert main([*db, "城区政务服务管理办公室", "--from", "2026-10-01"]) == 0
    out = capsys.readouterr().out
    assert "已修改：落款单位 默认 → 城区政务服务管理办公室" in out and "通报用此落款" in out
    assert "重新评定" not in out and "按此评定" not in out


def test_a_word_file_that_fails_after_the_workbook_says_the_workbook_is_there(
    month: HallService, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from docx.document import Document

    from patrol.errors import UserError
    from patrol.reports.export import export_month_end

    def fail(self: Document, path: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Document, "save", fail)
    word = tmp_path / "通报.docx"
    with pytest.raises(UserError) as raised:
        export_month_end(month, NOVEMBER, tmp_path / "附表.xlsx", word=word)
    assert str(raised.value).startswith(f"巡查考核附表已导出：{tmp_path / '附表.xlsx'}；通报 Word 文件未写入：磁盘已满")
    assert (tmp_path / "附表.xlsx").exists() and not word.exists()


async def test_x_writes_the_word_notice_beside_the_workbook(month: HallService, hall_url: str, tmp_path: Path) -> None:
    """The month-end export in the app: the workbook and the Word notice, both named on the screen
    after it, which shows the notice the Word file holds."""
    from screens.export import ExportScreen, NoticeScreen
    from tests.test_app import make_app, ready, until

    app = make_app(hall_url)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot, app)
        await pilot.press("x")
        await until(pilot, lambda: isinstance(app.screen, ExportScreen) and app.screen.query_one("#export-word"))
        assert "测试大厅2026年11月巡查考核通报.docx" in str(app.screen.query_one("#export-word-name").render())
        app.screen.query_one("#export-folder").value = str(tmp_path)
        app.screen.query_one("#export-name").focus()
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, NoticeScreen), seconds=20)
        word = tmp_path / "测试大厅2026年11月巡查考核通报.docx"
        assert f"Word 通报：{word}" in str(app.screen.query_one("#export-word-path").render())
        assert (tmp_path / "测试大厅2026年11月巡查考核附表.xlsx").exists()
        shown = app.screen.text
    document = docx.Document(str(word))
    assert "\n\n".join(texts(document)) == shown
    assert document.paragraphs[0].style.name == "公文标题" and "综合窗口曾伟11月5日上班迟到" in shown


async def test_x_without_the_word_notice_and_the_notice_screen(
    month: HallService, hall_url: str, tmp_path: Path
) -> None:
    """Unticked (Space), only the workbook is written; an existing Word notice is refused like an
    existing workbook; the 通报草稿 screen shows the text of the Word file."""
    from screens.export import ExportScreen, NoticeScreen
    from tests.test_app import make_app, ready, until

    word = tmp_path / "测试大厅2026年11月巡查考核通报.docx"
    write_notice_docx(compose_notice(gather(month, NOVEMBER)), word)
    app = make_app(hall_url)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot, app)
        await pilot.press("x")
        await until(pilot, lambda: isinstance(app.screen, ExportScreen) and app.screen.query_one("#export-word"))
        dialog = app.screen
        dialog.query_one("#export-folder").value = str(tmp_path)
        dialog.query_one("#export-name").focus()
        await pilot.press("enter")
        error = lambda: str(dialog.query_one("#export-error").render())  # noqa: E731
        await until(pilot, lambda: "文件已存在" in error() and word.name in error())
        assert app.screen is dialog and not (tmp_path / "测试大厅2026年11月巡查考核附表.xlsx").exists()
        dialog.query_one("#export-word").focus()
        await pilot.press("space", "enter")
        await until(pilot, lambda: isinstance(app.screen, NoticeScreen), seconds=20)
        assert not app.screen.query("#export-word-path")
        assert (tmp_path / "测试大厅2026年11月巡查考核附表.xlsx").exists()
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, NoticeScreen))
        before = word.read_bytes()
        app.action_notice()
        await until(pilot, lambda: isinstance(app.screen, NoticeScreen), seconds=10)
        shown = app.screen.text
    assert word.read_bytes() == before  # unticked: the office's copy is left alone
    assert shown == "\n\n".join(texts(docx.Document(str(word))))


# --- printed through LibreOffice -------------------------------------------------------------------


@dataclass(frozen=True)
class Word:
    page: int
    x0: float
    y0: float
    x1: float
    y1: float
    text: str

    @property
    def height(self) -> float:
        return self.y1 - self.y0


@dataclass(frozen=True)
class Printed:
    pages: int
    size: tuple[float, float]
    words: list[Word]

    def on(self, page: int) -> list[Word]:
        return [w for w in self.words if w.page == page]


def printed(pdf: Path) -> Printed:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))  # type: ignore[union-attr]
    size = re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", info)
    assert size is not None and "(A4)" in info
    html = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    words = []
    for number, page in enumerate(re.split(r"<page ", html)[1:], start=1):
        for m in re.finditer(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', page
        ):
            words.append(Word(number, *(float(v) for v in m.groups()[:4]), m.group(5)))
    return Printed(pages, (float(size.group(1)), float(size.group(2))), words)


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Printed]:
    """A one-page notice and a long one, written and printed once for the module."""
    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice is not installed (.ci/run installs it)")
    folder = tmp_path_factory.mktemp("notice-pdf")
    write_notice_docx(sample(body_paragraphs=0), folder / "short.docx")
    write_notice_docx(sample(body_paragraphs=14), folder / "long.docx")
    result = subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{folder / 'lo-profile'}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(folder),
            str(folder / "short.docx"),
            str(folder / "long.docx"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    # (LibreOffice without its Writer, libreoffice-writer-nogui, exits 0 and writes nothing.)
    assert result.returncode == 0 and (folder / "long.pdf").exists(), result.stderr
    return {name: printed(folder / f"{name}.pdf") for name in ("short", "long")}


PAGE_W, PAGE_H = Mm(210).pt, Mm(297).pt
BODY_PT = 16  # 3号: a hanging mark is at most one body character past the text block
BLOCK_TOP, BLOCK_BOTTOM = Mm(37).pt, Mm(297 - 35).pt
BLOCK_LEFT, BLOCK_RIGHT = Mm(28).pt, Mm(210 - 26).pt


def folio(page: list[Word]) -> str:
    """The page number line: the words below the text block."""
    return " ".join(w.text for w in sorted(page, key=lambda w: w.x0) if w.y0 > BLOCK_BOTTOM)


def test_printed_it_is_a4_readable_and_inside_the_paper(pdfs: dict[str, Printed]) -> None:
    for name, pdf in pdfs.items():
        assert pdf.size == pytest.approx((595.3, 841.9), abs=0.5), name
        assert pdf.words, name
        for word in pdf.words:
            assert word.height >= 9, word  # 3号 body, 2号 title, 4号 page numbers: none below 9 pt
            assert word.x0 >= 0 and word.x1 <= PAGE_W and word.y0 >= 0 and word.y1 <= PAGE_H, word
            # Text stays inside the text block (the page number sits below it, as the standard says),
            # but for a mark that hangs at a full line's end, as Word prints it.
            hangs = word.text[-1] in "、，。；：" and word.x1 - BODY_PT <= BLOCK_RIGHT + 1
            assert word.x0 >= BLOCK_LEFT - 1 and (word.x1 <= BLOCK_RIGHT + 1 or hangs), word
            assert word.y0 >= BLOCK_TOP - 1, word


def test_printed_pages_are_numbered_at_the_foot(pdfs: dict[str, Printed]) -> None:
    short, long = pdfs["short"], pdfs["long"]
    assert short.pages == 1 and folio(short.on(1)) == "— 1 —"
    assert long.pages >= 3
    first, second = folio(long.on(1)), folio(long.on(2))
    assert (first, second) == ("— 1 —", "— 2 —")
    # Odd pages at the right, even pages at the left (§7.5).
    assert min(w.x0 for w in long.on(1) if w.y0 > BLOCK_BOTTOM) > PAGE_W / 2
    assert max(w.x1 for w in long.on(2) if w.y0 > BLOCK_BOTTOM) < PAGE_W / 2
    # The number's line is about 7 mm under the text block.
    top = min(w.y0 for w in long.on(1) if w.y0 > BLOCK_BOTTOM)
    assert BLOCK_BOTTOM < top < BLOCK_BOTTOM + Mm(12).pt


def test_a_full_page_has_22_lines_of_28_characters(pdfs: dict[str, Printed]) -> None:
    body = [w for w in pdfs["long"].on(2) if w.y0 < BLOCK_BOTTOM]
    lines: dict[int, list[Word]] = {}
    for word in body:
        lines.setdefault(round(word.y1), []).append(word)
    assert len(lines) == 22
    texts = ["".join(w.text for w in line) for line in lines.values()]
    widths = [len(t) - sum(ch.isascii() for ch in t) / 2 for t in texts]  # digits are half a character
    # A full line of Chinese holds 28 characters, and none holds more (with digits it may hold a
    # character less: LibreOffice puts a little space around them).
    assert max(widths) <= 28 and sum(w == 28 for w in widths) >= 5, texts
    pitches = sorted({b - a for a, b in zip(sorted(lines), sorted(lines)[1:], strict=False)})
    assert pitches[0] >= 28 and pitches[-1] <= 30  # 28.95 pt apart


def test_printed_the_signature_and_date_stand_at_the_right(pdfs: dict[str, Printed]) -> None:
    last = pdfs["long"].on(pdfs["long"].pages)
    name = next(w for w in last if w.text == "测试大厅政务服务管理办公室")
    date = next(w for w in last if w.text.startswith("2026"))
    assert name.x1 == pytest.approx(BLOCK_RIGHT - 32, abs=4)
    # The date's first character about two characters right of the name's (a little less here:
    # LibreOffice puts some space between Chinese and digits, which Word is told not to).
    assert date.y0 > name.y0 and name.x0 + 10 < date.x0 < name.x0 + 40


def test_a_long_title_breaks_between_phrases(tmp_path: Path) -> None:
    """A title longer than a 2号 line (20 characters) breaks before 窗口工作人员巡查考核情况的通报,
    never inside a word ("…11月窗口工 / 作人员…")."""
    from patrol.reports.notice_docx import title_lines

    path = tmp_path / "n.docx"
    write_notice_docx(sample(), path)
    title = docx.Document(str(path)).paragraphs[0]
    assert title.text == "关于测试大厅2026年11月\n窗口工作人员巡查考核情况的通报"
    assert title_lines("关于测试大厅2026年度窗口工作人员巡查考核情况的通报") == [
        "关于测试大厅2026年度",
        "窗口工作人员巡查考核情况的通报",
    ]
    assert title_lines("关于城区／开发区政务服务中心2026年第四季度窗口工作人员巡查考核情况的通报") == [
        "关于城区／开发区政务服务中心",
        "2026年第四季度",
        "窗口工作人员巡查考核情况的通报",
    ]
    assert title_lines("关于大厅2026年11月的通报") == ["关于大厅2026年11月的通报"]  # one line when it fits


def test_printed_the_title_lines_are_whole_phrases(pdfs: dict[str, Printed]) -> None:
    words = [w for w in pdfs["short"].on(1) if w.y0 < BLOCK_BOTTOM]
    lines: dict[int, list[Word]] = {}
    for word in words:
        lines.setdefault(round(word.y1), []).append(word)
    printed_lines = ["".join(w.text for w in sorted(line, key=lambda w: w.x0)) for _y, line in sorted(lines.items())]
    assert printed_lines[:2] == ["关于测试大厅2026年11月", "窗口工作人员巡查考核情况的通报"]


ATTACHED = ("巡查明细", "窗口量化考评", "单位考评", "人员考核排名", "考勤汇总", "更正记录", "审批业务统计表")


def test_printed_the_attachment_list_stays_whole_with_the_signature(tmp_path: Path) -> None:
    """Wherever the page ends, the 附件 list is not split (its last item never moves on alone
    with the 落款 while the others stay behind) and the 落款 stands on the page of the list."""
    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice is not installed (.ci/run installs it)")
    base = [b for b in sample(body_paragraphs=0).blocks if b.role is not Role.ATTACHMENTS]
    at = next(i for i, b in enumerate(base) if b.role is Role.SIGNATURE)
    items = [
        Block(Role.ATTACHMENTS, f"{'附件：' if n == 1 else ''}{n}.附表{n} {name}") for n, name in enumerate(ATTACHED, 1)
    ]
    paths = []
    for filler in range(0, 22):
        lines = [Block(Role.BODY, "本月无其他情况。")] * filler
        notice = Notice((*base[:at], *lines, *items, *base[at:]))
        paths.append(tmp_path / f"f{filler:02}.docx")
        write_notice_docx(notice, paths[-1])
    profile = f"-env:UserInstallation=file://{tmp_path / 'lo'}"
    result = subprocess.run(
        ["soffice", profile, "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    moved_whole = 0
    for path in paths:
        pdf = printed(path.with_suffix(".pdf"))
        pages = {name: {w.page for w in pdf.words if name in w.text} for name in ATTACHED}
        signed = {w.page for w in pdf.words if "管理办公室" in w.text}
        assert all(len(p) == 1 for p in pages.values()) and len(signed) == 1, (path.name, pages, signed)
        assert len({*(p for ps in pages.values() for p in ps), *signed}) == 1, (path.name, pages, signed)
        moved_whole += pdf.pages > 1 and min(w.page for w in pdf.words if "附件" in w.text) == 2
    assert moved_whole  # some fillers did push the list to the second page


def test_printed_every_enumeration_comma_is_drawn(tmp_path: Path) -> None:
    """A 、 that falls after the 28th character of a full line hangs at the line's end, as Word
    prints it (LibreOffice used to drop it when the characters filled the line to within a point):
    the PDF holds every 、 the notice has, and nothing but such a mark passes the text block."""
    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice is not installed (.ci/run installs it)")
    names = "、".join(["董洁", "蔡琴", "蒋欣", "于洋", "叶青", "苏晴", "魏来", "温馨"] * 3)
    lists = [Block(Role.BODY, "窗" * k + names + "。") for k in range(30)]
    blocks = sample(body_paragraphs=0).blocks
    notice = Notice((*blocks[:9], *lists, *blocks[9:]))
    path = tmp_path / "commas.docx"
    write_notice_docx(notice, path)
    profile = f"-env:UserInstallation=file://{tmp_path / 'lo'}"
    result = subprocess.run(
        ["soffice", profile, "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(path)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    pdf = printed(path.with_suffix(".pdf"))
    expected = sum(b.text.count("、") for b in notice.blocks)
    assert sum(w.text.count("、") for w in pdf.words) == expected
    hanging = [w for w in pdf.words if w.x1 > BLOCK_RIGHT + 1]
    assert hanging  # some lines did end on a 、 past the 28th character
    for word in hanging:
        assert word.text[-1] in "、，。；：" and word.x1 - BODY_PT <= BLOCK_RIGHT + 1, word
