"""The appendix as it comes out of a printer: a realistic month (the demo hall's October: 20
windows, 60 staff, every sheet, a long notice) exported, converted to PDF by LibreOffice once for
the module, and every page read back with ``pdftotext -bbox``."""

from __future__ import annotations

import html
import itertools
import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from patrol.errors import UserError
from patrol.hall.opening import open_hall
from patrol.hall.service import HallService
from patrol.reports.export import export
from patrol.rules.periods import Period
from tests.conftest import fixed_clock, log_at, verified

OCTOBER = Period.parse("2026-10")
HALL = "高新区政务服务中心"
SHEETS = [
    "附表1 巡查明细",
    "附表2 窗口量化考评",
    "附表2 图",  # the scores as bars, on a sheet of their own
    "附表2-1 单位考评",
    "附表3 人员考核排名",
    "附表4 考勤汇总",
    "附表5 更正记录",
    "附表6 审批业务统计表",  # the demo has its service figures of October
    "通报草稿",
]
MIN_SIZE = 9
LONG_REASON = (
    "经调取大厅监控录像并与窗口负责人、当事人本人逐一核实，当时系为前来办事的群众查询业务办理进度，"
    "不属于工作期间做与工作无关的事情，予以作废"
)

needs_office = pytest.mark.skipif(
    shutil.which("soffice") is None or shutil.which("pdftotext") is None,
    reason="LibreOffice and poppler-utils are not installed (.ci/run installs them)",
)


@dataclass(frozen=True)
class Word:
    text: str
    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def height(self) -> float:
        return self.y1 - self.y0


@dataclass(frozen=True)
class Page:
    number: int
    width: float
    height: float
    words: list[Word]

    @property
    def text(self) -> str:
        return "".join(w.text for w in self.words)

    def footer(self) -> str:
        """The words in the bottom margin, left to right."""
        return " ".join(w.text for w in sorted(self.words, key=lambda w: w.x0) if w.y0 > self.height - 45)


def read_pages(pdf: Path) -> list[Page]:
    out = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    pages = []
    for number, chunk in enumerate(out.split("<page ")[1:], start=1):
        width = float(re.search(r'width="([\d.]+)"', chunk)[1])  # type: ignore[index]
        height = float(re.search(r'height="([\d.]+)"', chunk)[1])  # type: ignore[index]
        words = [
            Word(html.unescape(t), float(a), float(b), float(c), float(d))
            for a, b, c, d, t in re.findall(
                r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>', chunk
            )
        ]
        pages.append(Page(number, width, height, words))
    return pages


IDEOGRAPHS = re.compile(r"[\u4e00-\u9fff]+")


@dataclass
class Printed:
    path: Path
    pages: list[Page]
    notice: list[str]
    windows: list[str]


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Printed]:
    """The demo hall's October with corrections (long reasons), exported and printed to PDF."""
    from patrol.demo import build_demo

    folder = tmp_path_factory.mktemp("printing")
    with pytest.MonkeyPatch.context() as patch:
        for name in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"):
            patch.setenv(name, str(folder / name.lower()))
        patch.delenv("PATROL_DB", raising=False)
        database = folder / "demo.db"
        build_demo(database, date(2026, 11, 18))
        url = f"sqlite:///{database}"
        service = open_hall(url, inspector="测试督查", device="test-device", clock=fixed_clock)
        try:
            # Corrections for 附表5, one with a reason longer than its column.
            first = log_at(service, "3", "替岗人员", "玩手机", "2026-10-21 10:15")
            service.findings.correct(first, LONG_REASON, void=True)
            second = log_at(service, "12", None, "窗口摆放不规范", "2026-10-22 15:40", note="桌面堆放大量申请材料")
            service.findings.correct(second, "经核实为当日新到的待审材料", void=True)
            out = folder / "out"
            out.mkdir()
            path, notice = export(service, OCTOBER, out)
        finally:
            service.close()
        assert verified(url)
    pdf = _to_pdf(path, folder / "lo-profile")
    book = load_workbook(path, read_only=True)
    windows = [r[3] for r in book["附表2 窗口量化考评"].iter_rows(min_row=4, values_only=True) if isinstance(r[0], int)]
    yield Printed(path, read_pages(pdf), notice, windows)


def _to_pdf(path: Path, profile: Path) -> Path:
    """``path`` printed to PDF by LibreOffice (a private profile: parallel runs do not collide)."""
    office = ["soffice", f"-env:UserInstallation=file://{profile}", "--headless"]
    result = subprocess.run(
        [*office, "--convert-to", "pdf", "--outdir", str(path.parent), str(path)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    pdf = path.with_suffix(".pdf")
    assert result.returncode == 0 and pdf.exists(), result.stderr
    return pdf


def _sheet_of(page: Page) -> tuple[str, int]:
    """The sheet a page belongs to and its number there, from the footer ("附表1 巡查明细 第 2 页")."""
    found = re.fullmatch(r"(.+?) 第 (\d+) 页", page.footer())
    assert found, f"page {page.number}: no page number in its footer ({page.footer()!r})"
    return found[1], int(found[2])


@needs_office
def test_every_page_prints_text_of_at_least_9_points_inside_the_paper(printed: Printed) -> None:
    for page in printed.pages:
        assert (round(page.width), round(page.height)) in {(595, 842), (842, 595)}, "A4"
        for word in page.words:
            where = f"page {page.number} ({_sheet_of(page)[0]}): {word.text!r}"
            assert word.height >= MIN_SIZE, where
            # A Chinese character is as wide as its printed size: so the sheet's scale is seen.
            if IDEOGRAPHS.fullmatch(word.text):
                size = (word.x1 - word.x0) / len(word.text)
                assert size >= MIN_SIZE - 0.05, f"{where} is printed at {size:.1f} pt"
            assert word.x0 >= 0 and word.x1 <= page.width and word.y1 <= page.height, f"{where} past the edge"


@needs_office
def test_sheets_print_in_order_with_their_title_and_own_page_numbers(printed: Printed) -> None:
    sheets: list[str] = []
    previous = 0
    for page in printed.pages:
        sheet, number = _sheet_of(page)
        if not sheets or sheets[-1] != sheet:
            sheets.append(sheet)
            previous = 0  # numbering restarts on each sheet
        assert number == previous + 1, f"{sheet}: page {number} after {previous}"
        previous = number
        if sheet != "通报草稿":  # every page of a table carries its title and header
            table = "窗口得分图" if sheet == "附表2 图" else sheet.split(" ", 1)[1]
            assert f"{HALL}2026年10月{table}" in page.text, f"page {page.number}: no title"
    assert sheets == SHEETS


@needs_office
def test_the_chart_has_a_page_of_its_own_with_every_window(printed: Printed) -> None:
    charts = [p for p in printed.pages if _sheet_of(p)[0] == "附表2 图"]
    assert len(charts) == 1
    chart = charts[0]
    assert "窗口得分" in chart.text
    # No table header repeated over the bars, no table rows on the page.
    assert "排名" not in chart.text and "优秀服务窗口" not in chart.text and "末位" not in chart.text
    labels = {w.text for w in chart.words}
    assert set(printed.windows) <= labels, set(printed.windows) - labels  # every window labelled
    assert "0" in labels and "100" in labels  # the value axis runs from 0


@needs_office
def test_the_window_ranking_prints_on_one_page_with_its_verdict_note(printed: Printed) -> None:
    """The demo's 20 windows and the 评定 line under them fit one landscape page: the line does
    not take a second page of its own under an empty repeated header."""
    pages = [p for p in printed.pages if _sheet_of(p)[0] == "附表2 窗口量化考评"]
    assert len(pages) == 1
    assert "评定：" in pages[0].text and set(printed.windows) <= {w.text for w in pages[0].words}


@needs_office
def test_the_staff_ranking_keeps_the_types_that_occurred_under_their_category(printed: Printed) -> None:
    book = load_workbook(printed.path)
    staff = book["附表3 人员考核排名"]
    top = [c.value for c in staff[3]]
    types = [c.value for c in staff[4]][4:-4]
    categories = [v for v in top[4:-4] if v]
    assert categories == [c for c in ("考勤", "作风纪律", "服务规范", "加分") if c in categories]
    rows = [r for r in staff.iter_rows(min_row=5, values_only=True) if isinstance(r[0], int)]
    assert len(rows) == 60
    # Every type column has a finding in it: no column of zeros.
    assert all(any(r[4 + n] for r in rows) for n in range(len(types)))
    assert staff.page_setup.orientation == "landscape"
    # A zero is stored (a sum still works) and printed blank, so the few counts stand out.
    zero = next(c for row in staff.iter_rows(min_row=5, min_col=5, max_col=4 + len(types)) for c in row if c.value == 0)
    assert zero.number_format == '0;-0;""'


@needs_office
def test_the_notice_sheet_wraps_every_paragraph_within_the_page(printed: Printed) -> None:
    pages = [p for p in printed.pages if _sheet_of(p)[0] == "通报草稿"]
    assert all(p.width < p.height for p in pages)  # portrait, as a notice is read
    text = "".join(w.text for p in pages for w in p.words if w.y0 < p.height - 45)  # not the footers
    for paragraph in printed.notice:
        assert paragraph.replace(" ", "") in text.replace(" ", "")  # nothing cut at the edge
    assert sum(len(p) for p in printed.notice) > 800  # a long notice, over more than one page
    assert len(pages) > 1


@needs_office
def test_times_and_window_codes_are_what_they_look_like(printed: Printed) -> None:
    book = load_workbook(printed.path)
    corrections = [r for r in book["附表5 更正记录"].iter_rows(min_row=4, values_only=True) if isinstance(r[0], int)]
    assert [r[2] for r in corrections] == [datetime(2026, 10, 21, 10, 15), datetime(2026, 10, 22, 15, 40)]
    assert all(isinstance(r[1], datetime) for r in corrections)
    assert corrections[0][7] == LONG_REASON and book["附表5 更正记录"]["H4"].alignment.wrap_text
    codes = [r[4] for r in book["附表1 巡查明细"].iter_rows(min_row=4, values_only=True) if isinstance(r[0], int)]
    assert codes and all(isinstance(c, int) for c in codes)  # 12, never "12" stored as text


def test_codes_that_are_not_numbers_stay_text(hall_url: str, tmp_path: Path) -> None:
    from patrol.cli import main

    roster = tmp_path / "codes.csv"
    roster.write_text(
        "窗口编号,窗口名称,单位,姓名\nA03,公安窗口,区公安分局,刘洋\n007,税务窗口,区税务局,陈静\n", "utf-8"
    )
    assert main(["--db", hall_url, "roster", "import", str(roster), "--on", "2026-11-01"]) == 0
    service = open_hall(hall_url, inspector="测试督查", device="test-device", clock=fixed_clock)
    _codes_stay_text(service, tmp_path)
    service.close()


def _codes_stay_text(service: HallService, tmp_path: Path) -> None:
    log_at(service, "A03", "刘洋", "迟到", "2026-11-05 09:10")
    log_at(service, "007", "陈静", "迟到", "2026-11-06 09:10")
    log_at(service, "1", "魏敏", "迟到", "2026-11-07 09:10")
    path, _ = export(service, Period.parse("2026-11"), tmp_path)
    book = load_workbook(path)
    codes = [r[4] for r in book["附表1 巡查明细"].iter_rows(min_row=4, values_only=True) if isinstance(r[0], int)]
    assert codes == ["A03", "007", 1]
    windows = {r[3]: r[2] for r in book["附表2 窗口量化考评"].iter_rows(min_row=4, values_only=True) if r[3]}
    assert windows["公安窗口"] == "A03" and windows["税务窗口"] == "007" and windows["综合窗口"] == 1


def test_many_windows_get_one_chart_a_page_each_with_every_window(tmp_path: Path) -> None:
    """A hall of 45 windows: the bars would not fit one page with every label readable, so the
    chart continues on a second page, each after a page break, together naming every window."""
    from patrol.cli import main

    roster = tmp_path / "名册.csv"
    rows = [f"{n},第{n}窗口,单位{n},人员{n}" for n in range(1, 46)]
    roster.write_text("窗口编号,窗口名称,单位,姓名\n" + "\n".join(rows) + "\n", encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'patrol.db'}"
    assert main(["--db", url, "--hall", "大厅", "roster", "import", str(roster), "--on", "2026-11-01"]) == 0
    service = open_hall(url, inspector="测试督查", device="test-device", clock=fixed_clock)
    try:
        log_at(service, "7", "人员7", "迟到", "2026-11-05 09:10")
        path, _ = export(service, Period.parse("2026-11"), tmp_path)
    finally:
        service.close()
    sheet = load_workbook(path)["附表2 图"]
    charts = sheet._charts
    assert len(charts) > 1
    spans = [(chart.series[0].val.numRef).f for chart in charts]
    rows = [tuple(int(n) for n in re.findall(r"\$J\$(\d+)", span)) for span in spans]
    assert rows[0][0] == 4 and rows[-1][1] == 48  # 45 windows from row 4, none left out
    assert all(after[0] == before[1] + 1 for before, after in itertools.pairwise(rows))
    assert len(sheet.row_breaks.brk) == len(charts) - 1  # each chart after the first starts a page
    assert sheet.print_title_rows == "$1:$2"  # the title and the period over each, no table header
    assert all(chart.y_axis.scaling.min == 0 for chart in charts)  # bars from 0 (the value axis)


@needs_office
def test_a_ranking_too_wide_for_one_page_prints_across_pages_with_who_and_title_on_each(
    hall_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Seven items of the hall's own on top of the default ones, every one found in the month:
    附表3 has more type columns than a landscape page holds at 9 pt. It prints at 90 % across
    pages, each with the title, the period, the categories over its types and the 排名 to 窗口
    columns repeated; no text past the edge of any page."""
    from patrol.cli import main

    db = ["--db", hall_url]
    book = tmp_path / "规则.xlsx"
    assert main([*db, "rules", "export", str(book)]) == 0
    rules = load_workbook(book)
    own = [("帮办代办", "加分", 0.5), ("容缺受理", "加分", 0.5), ("首问负责", "加分", 0.3)]
    own += [("业务不熟练", "服务规范", -0.5), ("推诿扯皮", "服务规范", -2)]
    own += [("工作日志未填", "作风纪律", -0.5), ("代签代办", "作风纪律", -1)]
    for n, (name, category, points) in enumerate(own):
        rules["巡查项"].append((name, f"own{n}", None, category, points, "人员", None, "是", name))
    rules.save(book)
    assert main([*db, "rules", "import", str(book), "--from", "2026-11-01"]) == 0
    service = open_hall(hall_url, inspector="测试督查", device="test-device", clock=fixed_clock)
    try:
        logged = 0
        for n, item in enumerate(service.rules.items):
            at = f"2026-11-{n % 20 + 2:02d} 1{n % 8}:0{n % 6}"
            try:
                log_at(service, "1", None if item.is_window_level else "魏敏", item.name, at)
            except UserError:
                continue  # an item the patrols cannot log (请假 comes from leave)
            logged += 1
        path, _ = export(service, Period.parse("2026-11"), tmp_path)
    finally:
        service.close()
    capsys.readouterr()
    sheet = load_workbook(path)["附表3 人员考核排名"]
    assert sheet.page_setup.scale == 90 and sheet.print_title_cols == "$A:$D" and logged > 20
    _to_pdf(path, tmp_path / "lo")
    pages = [p for p in read_pages(path.with_suffix(".pdf")) if _sheet_of(p)[0] == "附表3 人员考核排名"]
    assert len(pages) >= 2
    for page in pages:
        text = page.text
        assert "测试大厅2026年11月人员考核排名" in text and "统计周期" in text and "魏敏" in text
        assert "加分" in text  # each page names the category over its types
        for word in page.words:
            assert word.x1 <= page.width and word.height >= MIN_SIZE, (page.number, word.text)
            if IDEOGRAPHS.fullmatch(word.text):
                assert (word.x1 - word.x0) / len(word.text) >= MIN_SIZE - 0.05, (page.number, word.text)


@needs_office
def test_the_notice_sheet_keeps_a_heading_with_its_paragraph_and_fills_its_pages(printed: Printed) -> None:
    """A heading ("2、巡查情况") shares the row of the paragraph after it, so no page ends with
    it; and rows are short enough that no page is left mostly blank (the next row too tall)."""
    book = load_workbook(printed.path, read_only=True)
    rows = [r[0] for r in book["通报草稿"].iter_rows(values_only=True) if r[0]]
    for heading in ("1、考勤情况", "2、巡查情况", "3、考核情况"):
        row = next(r for r in rows if r.startswith(heading) or f"\n{heading}" in r)
        assert len(row.split(heading, 1)[1]) > 10, f"{heading} alone in its row"
    pages = [p for p in printed.pages if _sheet_of(p)[0] == "通报草稿"]
    for page in pages[:-1]:
        lowest = max(w.y1 for w in page.words if w.y0 < page.height - 45)
        assert lowest > page.height * 0.6, f"page {page.number} of 通报草稿 mostly blank"


def test_a_long_window_name_is_cut_in_the_chart_and_a_long_name_wraps(tmp_path: Path) -> None:
    """An 80-character window name would push the chart's bars out of its frame: the chart labels
    it with its first characters and …; 附表1's 姓名 wraps instead of being cut at the border."""
    from patrol.cli import main

    window = "不动产登记与税务联办综合受理" * 6  # 84 characters
    person = "阿卜杜热合曼·买买提艾力"
    roster = tmp_path / "名册.csv"
    roster.write_text(
        f"窗口编号,窗口名称,单位,姓名\n1,{window},区自然资源局,{person}\n2,税务窗口,区税务局,陈静\n", "utf-8"
    )
    url = f"sqlite:///{tmp_path / 'patrol.db'}"
    assert main(["--db", url, "--hall", "大厅", "roster", "import", str(roster), "--on", "2026-11-01"]) == 0
    service = open_hall(url, inspector="测试督查", device="test-device", clock=fixed_clock)
    try:
        log_at(service, "1", person, "迟到", "2026-11-05 09:10")
        path, _ = export(service, Period.parse("2026-11"), tmp_path)
    finally:
        service.close()
    book = load_workbook(path)
    chart = book["附表2 图"]
    (span,) = [(c.series[0].cat.numRef or c.series[0].cat.strRef).f for c in chart._charts]
    first, last = (int(n) for n in re.findall(r"\$B\$(\d+)", span))
    labels = [chart.cell(row, 2).value for row in range(first, last + 1)]
    assert "税务窗口" in labels
    labels.remove("税务窗口")
    assert labels[0].endswith("…") and window.startswith(labels[0][:-1]) and len(labels[0]) <= 12
    detail = book["附表1 巡查明细"]
    name = next(c for row in detail.iter_rows(min_row=4) for c in row if c.value == person)
    assert name.alignment.wrap_text


def test_a_long_paragraph_of_the_notice_sheet_is_cut_at_a_clause_before_a_list_item() -> None:
    """No sentence ends in reach: the row ends after a clause (，), not inside a list of names."""
    from patrol.reports.workbook import _chunks

    paragraph = (
        "11月13日的巡查中发现"
        + "、".join(["窗口甲张三"] * 20)
        + "也存在同样问题，"
        + "、".join(["窗口乙李四"] * 30)
        + "。"
    )
    first, *_rest = _chunks(paragraph, 240)
    assert first.endswith("也存在同样问题，")
