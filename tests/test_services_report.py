"""The period's service figures in the notice's 【办件情况】 and the appendix's 审批业务统计表,
against figures computed by hand."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest

from patrol.hall.service import HallService
from patrol.reports.period_report import gather
from patrol.reports.services_sheet import SERVICES_SHEET
from patrol.reports.services_text import services_paragraphs
from patrol.rules.periods import Period
from tests.conftest import run
from tests.test_services import HEADER, NOVEMBER, OCTOBER

SEPTEMBER = [
    "2026-09,1,综合窗口,1100,1100,1100,,",
    "2026-09,2,市场监管窗口,800,800,800,,",
    "2026-09,3,住建窗口,700,700,700,,",
    "2026-09,4,不动产登记窗口,500,500,500,,",
]


def _import(capsys: pytest.CaptureFixture[str], url: str, tmp_path: Path, lines: list[str]) -> None:
    path = tmp_path / f"f{len(list(tmp_path.glob('f*.csv')))}.csv"
    path.write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
    code, _out, err = run(capsys, "--db", url, "services", "import", str(path))
    assert code == 0, err


def _paragraphs(service: HallService, period: str) -> list[str]:
    return services_paragraphs(gather(service, Period.parse(period)))


def test_a_month_against_the_month_before(
    hall_url: str, service: HallService, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """November by hand: 受理 1200+900+798+812 = 3710 against October's 1000+800+700+542 = 3042,
    668/3042 = 21.959…%; 按时办结 3652 of 办结 3670 = 99.509…%; 评价 1300+2 = 1302, 1300/1302 = 99.846…%."""
    _import(capsys, hall_url, tmp_path, [*OCTOBER, *NOVEMBER])
    assert _paragraphs(service, "2026-11") == [
        "本月，政务服务大厅共受理各类业务3710件，相比上月增长21.96%。"
        "其中：受理业务量排名前三的是：综合窗口（1200件）、市场监管窗口（900件）、不动产登记窗口（812件）。"
        "本月按时办结率99.51%。共收到评价1302条，好评率99.85%，差评2条。"
    ]
    # October has no month before it: no change is said. 2999/3020 = 99.304…%, 1000/1002 = 99.800…%.
    assert _paragraphs(service, "2026-10") == [
        "本月，政务服务大厅共受理各类业务3042件。"
        "其中：受理业务量排名前三的是：综合窗口（1000件）、市场监管窗口（800件）、住建窗口（700件）。"
        "本月按时办结率99.3%。共收到评价1002条，好评率99.8%，差评2条。"
    ]


def test_a_fall_says_减少_and_no_reviews_say_nothing_of_them(
    hall_url: str, service: HallService, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """October 3042 against September 3100: −58/3100 = −1.870…%. September has no reviews."""
    _import(capsys, hall_url, tmp_path, [*SEPTEMBER, *OCTOBER])
    assert _paragraphs(service, "2026-10")[0].startswith("本月，政务服务大厅共受理各类业务3042件，相比上月减少1.87%。")
    september = _paragraphs(service, "2026-09")[0]
    assert september.endswith("本月按时办结率100%。") and "评价" not in september


def test_a_tie_at_the_third_place_is_kept_whole_and_no_window_is_named_twice(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A window whose name lacks 窗口 gets one (不动产登记窗口), one that has it gets no second."""
    from patrol.hall.opening import open_hall
    from tests.conftest import fixed_clock

    url = f"sqlite:///{tmp_path / 'tie.db'}"
    roster = tmp_path / "r.csv"
    roster.write_text(
        "窗口编号,窗口名称,单位,姓名\n1,不动产登记,自然资源局,甲\n2,公积金窗口,公积金中心,乙\n"
        "3,税务窗口,税务局,丙\nA04,社保,人社局,丁\n",
        encoding="utf-8",
    )
    assert run(capsys, "--db", url, "--hall", "乙大厅", "roster", "import", str(roster))[0] == 0
    _import(
        capsys,
        url,
        tmp_path,
        [
            "2026-11,1,不动产登记,500,500,500,,",
            "2026-11,2,公积金,300,300,299,,",
            "2026-11,3,税务窗口,200,200,200,,",
            "2026-11,A04,社保,200,200,200,,",
        ],
    )
    service = open_hall(url, inspector="测试督查", device="test-device", clock=fixed_clock)
    try:
        assert _paragraphs(service, "2026-11") == [
            "本月，政务服务大厅共受理各类业务1200件。其中：受理业务量排名前三的是（含并列）："
            "不动产登记窗口（500件）、公积金窗口（300件）、税务窗口（200件）、社保窗口（200件）。"
            "本月按时办结率99.92%。"
        ]
    finally:
        service.close()


def test_a_quarter_is_compared_with_the_same_months_of_the_quarter_before(
    hall_url: str, service: HallService, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """2026Q4 so far (October, November: 6752) against Q3's first two months; Q3 has only
    September, so there is nothing like to compare with and no change is said."""
    _import(capsys, hall_url, tmp_path, [*SEPTEMBER, *OCTOBER, *NOVEMBER])
    quarter = _paragraphs(service, "2026Q4")[0]
    assert quarter.startswith("本季度（10月、11月），政务服务大厅共受理各类业务6752件。其中：")
    assert "。按时办结率99.42%。" in quarter  # (2999 + 3652) / (3020 + 3670) = 99.417…%
    # A range of whole months compares like a month; half a month has no monthly figures.
    assert _paragraphs(service, "2026-11-01..2026-11-30")[0].startswith(
        "本期，政务服务大厅共受理各类业务3710件，相比上期增长"
    )
    assert _paragraphs(service, "2026-11-01..2026-11-15") == []


def test_part_of_a_period_is_named_as_the_months_it_is_and_compared_only_like_with_like(
    hall_url: str, service: HallService, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """September 3100, October 3042, November 3710 imported. 2026 is not 9852 for 本年度 but for
    9月至11月 (2025 has none of them: no change); 2026-10-16..2026-11-30 counts its whole month,
    November, against October (668/3042 = 21.959…%), not September; 2026Q4 says 10月、11月 and
    附表6 says December has none."""
    _import(capsys, hall_url, tmp_path, [*SEPTEMBER, *OCTOBER, *NOVEMBER])
    year = _paragraphs(service, "2026")[0]
    assert year.startswith("本年度（9月至11月），政务服务大厅共受理各类业务9852件。其中："), year
    assert "本年度按时办结率" not in year and "相比" not in year
    assert _paragraphs(service, "2026-10-16..2026-11-30")[0].startswith(
        "本期（11月），政务服务大厅共受理各类业务3710件，相比10月增长21.96%。"
    )
    assert _paragraphs(service, "2026Q4")[0].startswith("本季度（10月、11月），政务服务大厅共受理各类业务6752件。")
    out = tmp_path / "附表.xlsx"
    assert run(capsys, "--db", hall_url, "export", "--period", "2026Q4", "--out", str(out))[0] == 0
    notes = [c.value for row in openpyxl.load_workbook(out)[SERVICES_SHEET].iter_rows() for c in row]
    assert (
        "说明：办件量据业务系统导出数据导入，只统计2026年10月、11月（2026年12月无办件量数据）；"
        "上期无相同月份的办件量数据，不计增减。" in "".join(str(n) for n in notes if isinstance(n, str))
    )


def test_no_figures_no_paragraph_and_no_sheet(
    hall_url: str, service: HallService, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _paragraphs(service, "2026-11") == []
    out = tmp_path / "附表.xlsx"
    assert run(capsys, "--db", hall_url, "export", "--period", "2026-11", "--out", str(out))[0] == 0
    assert SERVICES_SHEET not in openpyxl.load_workbook(out).sheetnames


def test_the_sheet_lists_every_window_with_its_rates_the_change_and_a_total(
    hall_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _import(capsys, hall_url, tmp_path, [*OCTOBER, *NOVEMBER])
    out = tmp_path / "附表.xlsx"
    assert run(capsys, "--db", hall_url, "export", "--period", "2026-11", "--out", str(out))[0] == 0
    book = openpyxl.load_workbook(out)
    assert book.sheetnames.index(SERVICES_SHEET) == book.sheetnames.index("通报草稿") - 1
    sheet = book[SERVICES_SHEET]
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=1)]
    assert rows[0][0] == "测试大厅2026年11月审批业务统计表"
    assert rows[2] == [
        "窗口编号",
        "窗口名称",
        "受理",
        "办结",
        "按时办结",
        "按时办结率",
        "好评",
        "差评",
        "好评率",
        "上期受理",
        "受理增减",
    ]
    by_code = {str(row[0]): row for row in rows[3:8]}  # 窗口编号 1 is a number, 合计 text
    assert by_code["1"][:5] == [1, "综合窗口", 1200, 1190, 1185]
    assert by_code["1"][5] == pytest.approx(1185 / 1190) and by_code["1"][8] == pytest.approx(600 / 602)
    assert by_code["1"][9:] == [1000, pytest.approx(0.2)]
    assert by_code["2"][6:9] == [None, None, None]  # 市场监管窗口 counts no reviews: blank, not 0
    assert by_code["合计"][2:5] == [3710, 3670, 3652]
    assert by_code["合计"][9:] == [3042, pytest.approx(668 / 3042)]
    assert sheet.cell(row=4, column=6).number_format == "0.00%"
    note = rows[9][0]
    assert note.startswith("说明：办件量据业务系统导出数据导入，统计2026年11月；上期受理为2026年10月的数据。")


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed (.ci/run installs it)")
def test_the_sheet_prints_on_one_a4_page_in_readable_type(
    hall_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """LibreOffice prints 审批业务统计表 on its own A4 page, every word at least 9 pt high and inside the paper."""
    _import(capsys, hall_url, tmp_path, [*OCTOBER, *NOVEMBER])
    out = tmp_path / "附表.xlsx"
    assert run(capsys, "--db", hall_url, "export", "--period", "2026-11", "--out", str(out))[0] == 0
    profile = tmp_path / "lo-profile"
    convert = ["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf"]
    result = subprocess.run(
        [*convert, "--outdir", str(tmp_path), str(out)], capture_output=True, text=True, timeout=300
    )
    pdf = out.with_suffix(".pdf")
    assert result.returncode == 0 and pdf.exists(), result.stderr
    bbox = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    pages = re.findall(r'<page width="([0-9.]+)" height="([0-9.]+)">(.*?)</page>', bbox, re.S)
    # The sheet's pages carry its title (the notice's 附件 list names it too, without the hall).
    ours = [(w, h, body) for w, h, body in pages if ">测试大厅2026年11月审批业务统计表<" in body]
    assert len(ours) == 1, "the sheet takes one page"
    width, height, body = ours[0]
    assert sorted((float(width), float(height))) == pytest.approx([595, 842], abs=2)  # A4
    words = re.findall(r'xMin="([0-9.]+)" yMin="([0-9.]+)" xMax="([0-9.]+)" yMax="([0-9.]+)">([^<]*)<', body)
    assert any(text == "3710" for *_box, text in words) and any(text == "合计" for *_box, text in words)
    for x0, y0, x1, y1, text in words:
        assert float(y1) - float(y0) >= 9, f"{text!r} is printed {float(y1) - float(y0):.1f} pt high"
        assert float(x0) >= 0 and float(x1) <= float(width), f"{text!r} runs past the paper's edge"
