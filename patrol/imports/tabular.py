"""Reading a table from an .xlsx or .csv file: a header row with known column names (and their
aliases), then data rows. Every problem is reported with the file, the row and the column."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from patrol.errors import UserError

CSV_ENCODINGS = ("utf-8-sig", "gb18030")  # UTF-8 with BOM, UTF-8 (utf-8-sig reads both), then GB18030 ⊃ GBK
# What a file that is no table of ours is said not to be (an importer of other tables names its own).
TABLES = "名册或巡查记录表"


@dataclass(frozen=True)
class TableRow:
    """One data row: its number in the file (1-based, as a spreadsheet shows it) and its cells."""

    number: int
    cells: dict[str, str]
    # Column name -> its index in the file: one mapping shared by every row of a table (a month of
    # a city's punches is 220,000 rows: a dict of cell names per row cost 110 MiB).
    positions: Mapping[str, int] = field(default_factory=dict)

    def cell_at(self, column: str) -> str:
        """Where ``column``'s cell of this row is, as a spreadsheet names it ("G5"), or ""."""
        index = self.positions.get(column)
        return "" if index is None else f"{_column_letter(index)}{self.number}"


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        # Seconds only where there are some: a clock-in machine's 09:05:30 is late against 09:05.
        return value.strftime("%Y-%m-%d %H:%M:%S" if value.second else "%Y-%m-%d %H:%M")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


# Rows as the file numbers them (1-based, blank lines counted), each with its cells as text.
NumberedRow = tuple[int, list[str]]
# A formula whose result the file does not hold (a sheet written by a program, never opened in
# Excel): (row number, column index). Read as empty, it would turn a staff row into a window row.
Uncomputed = set[tuple[int, int]]

# Caps on what a roster or a findings file may hold: a city's roster is a few thousand rows and
# a year of findings tens of thousands; no real sheet of ours has more than a dozen columns.
MAX_ROWS = 200_000
MAX_COLUMNS = 64


def _read_rows(path: Path, max_rows: int, what: str = TABLES) -> tuple[list[NumberedRow], Uncomputed]:
    if not path.exists():
        raise UserError(f"找不到文件：{path}")
    if path.is_dir():
        raise UserError(f"{path} 是文件夹，请给出 .xlsx 或 .csv 文件。")
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        return _read_xlsx(path, max_rows, what)
    if suffix == ".csv":
        return _read_csv(path, max_rows, what), set()
    raise UserError(f"不支持的文件类型：{path.name}。请用 .xlsx 或 .csv 文件。")


# A roster or a year of old findings unpacks to a few tens of MiB; more is a zip bomb, not a table.
MAX_UNPACKED = 256 * 1024 * 1024
MAX_RATIO = 200  # a real sheet compresses ~10-30x; a bomb, thousands
MAX_CSV_BYTES = 100 * 1024 * 1024


def _check_unpacked_size(path: Path, what: str = TABLES) -> None:
    """Refuse a zip whose members would unpack to more than MAX_UNPACKED, before reading any."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except Exception as exc:  # BadZipFile, OSError, NotImplementedError (a zip "version" byte flipped)…
        raise UserError(
            f"{path.name} 不是有效的 .xlsx 文件（已损坏或只复制了一部分），请用 Excel 或 WPS 另存后重试。"
        ) from exc
    # zipfile stops each member at its declared size, so the declared sizes bound what is unpacked.
    total = sum(m.file_size for m in members)
    packed = sum(m.compress_size for m in members) or 1
    if total > MAX_UNPACKED or (total > 10 * 1024 * 1024 and total / packed > MAX_RATIO):
        raise UserError(f"{path.name} 解压后有 {total // (1024 * 1024)} MiB，不像{what}（疑为压缩炸弹），未导入。")


def _read_xlsx(path: Path, max_rows: int, what: str = TABLES) -> tuple[list[NumberedRow], Uncomputed]:
    _check_unpacked_size(path, what)
    try:
        rows, formulas = _stream_sheet(path, data_only=False, max_rows=max_rows, what=what)
        uncomputed: Uncomputed = set()
        if formulas:  # only then is a second pass needed, for the results Excel saved with them
            cached, _ = _stream_sheet(path, data_only=True, max_rows=max_rows, what=what)
            values = {number: cells for number, cells in cached}
            read = {number: cells for number, cells in rows}
            for number, column in formulas:
                cells = values.get(number, [])
                value = cells[column] if column < len(cells) else ""
                read[number][column] = value
                if value == "":
                    uncomputed.add((number, column))
        return rows, uncomputed
    except UserError:
        raise
    except Exception as exc:  # whatever a damaged or hostile file makes the parser raise
        # (BadZipFile, KeyError, XML errors, defusedxml's refusal of entities, EOFError, zlib.error…)
        # is the file's fault: say so, never a traceback.
        raise UserError(
            f"{path.name} 无法读取：文件已损坏、不是 .xlsx 格式，或含有不安全的内容。"
            "请用 Excel 或 WPS 另存为 .xlsx 后重试。"
        ) from exc


def _stream_sheet(
    path: Path, data_only: bool, max_rows: int, what: str = TABLES
) -> tuple[list[NumberedRow], list[tuple[int, int]]]:
    """The non-blank rows of the sheet a person sees on opening the file (the active sheet, or
    the first visible one: never a hidden sheet), read as they come. The dimension the file
    declares is ignored (``A1:XFD1048576`` would pad every row to 16,384 cells and add a million
    empty rows; one smaller than the data would drop rows). Also returns where formulas are
    (when not ``data_only``: the formula is read, not its result)."""
    from openpyxl import load_workbook

    workbook = load_workbook(path, read_only=True, data_only=data_only)
    try:
        sheet = _visible_sheet(path, workbook)
        sheet.reset_dimensions()
        rows: list[NumberedRow] = []
        formulas: list[tuple[int, int]] = []
        for number, cells in enumerate(sheet.iter_rows(), start=1):
            texts = [_cell_text(_unescaped(c.value)) for c in cells]
            if not any(texts):
                continue
            if len(texts) > MAX_COLUMNS:
                if any(texts[MAX_COLUMNS:]):
                    raise UserError(
                        f"{path.name} 第{number}行超过 {MAX_COLUMNS} 列，不像{what}：请只保留需要的列后重试。"
                    )
                texts = texts[:MAX_COLUMNS]
            if len(rows) >= max_rows:
                raise UserError(f"{path.name} 超过 {max_rows} 行，未导入：请拆成几个文件分别导入。")
            if not data_only:
                formulas.extend((number, i) for i, c in enumerate(cells[:MAX_COLUMNS]) if c.data_type == "f")
            rows.append((number, texts))
        return rows, formulas
    finally:
        workbook.close()


# How a workbook stores a character XML cannot hold (a control character): _x001B_ ("_x005F_" is
# the underscore itself). Excel reads them back as the characters; so does patrol, so that what
# the cell holds is what is checked (a name with ESC is refused, not kept as "_x001B_").
_XML_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def _unescaped(value: object) -> object:
    if isinstance(value, str) and "_x" in value:
        return _XML_ESCAPE.sub(lambda m: chr(int(m[1], 16)), value)
    return value


def _visible_sheet(path: Path, workbook: Any) -> Any:
    """The active sheet when it is visible, else the first visible one."""
    active = workbook.active
    if active is not None and active.sheet_state == "visible":
        return active
    for sheet in workbook.worksheets:
        if sheet.sheet_state == "visible":
            return sheet
    raise UserError(f"{path.name} 没有可见的工作表，请在 Excel 或 WPS 中取消隐藏后重试。")


def _read_csv(path: Path, max_rows: int, what: str = TABLES) -> list[NumberedRow]:
    if path.stat().st_size > MAX_CSV_BYTES:
        raise UserError(f"{path.name} 超过 {MAX_CSV_BYTES // (1024 * 1024)} MiB，不像{what}，未导入。")
    raw = path.read_bytes()
    # Strict decoding: a byte that does not fit the encoding is never dropped or replaced.
    for encoding in CSV_ENCODINGS:
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        try:
            rows: list[NumberedRow] = []
            reader = csv.reader(io.StringIO(text))
            # Rows numbered as Excel or WPS shows the file: a record a row (a blank line too), so a
            # quoted cell with a line break in it keeps its row's number (not the line it ends on).
            for number, row in enumerate(reader, start=1):
                if len(rows) >= max_rows:
                    raise UserError(f"{path.name} 超过 {max_rows} 行，未导入：请拆成几个文件分别导入。")
                rows.append((number, [c.strip() for c in row]))
            return rows
        except csv.Error as exc:
            raise UserError(f"{path.name} 不是有效的 CSV 文件：{exc}") from exc
    raise UserError(
        f"{path.name} 的编码无法识别（已尝试带 BOM 的 UTF-8、UTF-8 和 GB18030），请另存为 UTF-8 编码的 CSV。"
    )


def _column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


def read_table(
    path: Path,
    columns: Mapping[str, Sequence[str]],
    required: Sequence[str],
    max_rows: int | None = None,
    what: str = TABLES,
) -> list[TableRow]:
    """Read ``path`` and return its data rows keyed by canonical column name.

    ``columns`` maps each canonical name to its accepted aliases; the first non-empty row is the
    header (or the row under up to three title rows of a cell or two each). Blank rows are
    skipped; row numbers are the file's own (as a spreadsheet shows them), blank lines counted.
    ``max_rows`` (default ``MAX_ROWS``) caps the rows read: a month of a city's punches is larger
    than any roster. ``what`` names the kind of table a file that is none is said not to be
    (不像办件量表).
    """
    # Read here, not bound as a default: the cap is the module's value at the time of the call.
    rows, uncomputed = _read_rows(path, MAX_ROWS if max_rows is None else max_rows, what)
    return table_of(path.name, rows, uncomputed, columns, required)


def read_sheets(path: Path, names: Sequence[str]) -> dict[str, list[NumberedRow]]:
    """The non-blank rows of each sheet of the .xlsx ``path`` called one of ``names`` (a sheet
    the workbook lacks is left out), formulas read as the results Excel saved with them."""
    if not path.exists():
        raise UserError(f"找不到文件：{path}")
    if path.suffix.lower() != ".xlsx" or path.is_dir():
        raise UserError(f"不支持的文件类型：{path.name}。请用 patrol 导出的 .xlsx 文件。")
    _check_unpacked_size(path)
    from openpyxl import load_workbook

    out: dict[str, list[NumberedRow]] = {}
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
        try:
            for name in names:
                if name not in workbook.sheetnames:
                    continue
                sheet = workbook[name]
                sheet.reset_dimensions()
                rows: list[NumberedRow] = []
                for number, cells in enumerate(sheet.iter_rows(max_col=MAX_COLUMNS), start=1):
                    texts = [_cell_text(_unescaped(c.value)) for c in cells]
                    if any(texts):
                        if len(rows) >= MAX_ROWS:
                            raise UserError(f"{path.name} 的“{name}”表超过 {MAX_ROWS} 行，未导入。")
                        rows.append((number, texts))
                out[name] = rows
        finally:
            workbook.close()
    except UserError:
        raise
    except Exception as exc:  # a damaged or hostile file: its fault, never a traceback
        raise UserError(
            f"{path.name} 无法读取：文件已损坏、不是 .xlsx 格式，或含有不安全的内容。"
            "请用 Excel 或 WPS 另存为 .xlsx 后重试。"
        ) from exc
    return out


# A unit in brackets after a column's word: 受理（件）, 好评(条), 受理量【件】, 办结（单位：件）. Only
# a unit: 姓名（拼音） beside 姓名 stays a column of its own.
_UNIT = re.compile(r"[（(\[【](单位[:：]?)?(件|条|个|次|项|人|人次|件次|件数|条数)[）)\]】]$")
# Separators a CSV saved by another program may use, as a person calls them.
_SEPARATORS = {"\t": "制表符（Tab）", ";": "分号", "；": "分号", "|": "竖线"}
_LONG_CELL = 30


def shown_cell(text: str) -> str:
    """A cell's text as an error line quotes it: line breaks and tabs as spaces, and a long one cut
    (a 300-digit number is not echoed whole)."""
    text = re.sub(r"\s+", " ", text).strip()
    if len(text) <= _LONG_CELL:
        return text
    return f"{text[:12]}…（共{len(text)}个字符）"


def _column_name(title: str, lookup: Mapping[str, str]) -> str | None:
    """The column a header cell names (its spaces and line breaks, or a unit in brackets, aside)."""
    word = re.sub(r"\s+", "", title)  # "受理 量", a line break typed in the cell
    return lookup.get(word) or lookup.get(_UNIT.sub("", word))


_TITLE_ROWS = 3  # a title (and a subtitle, a 制表单位 line) above the header
_TITLE_CELLS = 2  # a title row fills a cell or two (a merged title, a date beside it)


def _header_index(rows: list[NumberedRow], lookup: Mapping[str, str], required: Sequence[str]) -> int:
    """Which of the first rows is the header: the first, unless it and up to two more after it
    are titles (a cell or two filled: 某某中心办件量统计) above a row that holds every required column."""
    for index, (_number, cells) in enumerate(rows[: _TITLE_ROWS + 1]):
        names = {_column_name(c, lookup) for c in cells if c}
        if all(name in names for name in required):
            return index
        if sum(1 for c in cells if c) > _TITLE_CELLS:
            break  # a row of many cells that is not the header: no title, report the first row
    return 0


def table_of(
    where: str,
    rows: list[NumberedRow],
    uncomputed: Uncomputed,
    columns: Mapping[str, Sequence[str]],
    required: Sequence[str],
) -> list[TableRow]:
    """The data rows of ``rows`` (read from ``where``: a file, or a sheet of one) keyed by
    canonical column name, as ``read_table`` describes."""
    rows = [(number, cells) for number, cells in rows if any(cells)]
    if not rows:
        empty = "是空文件" if where.lower().endswith((".xlsx", ".csv")) else "是空的"
        raise UserError(f"{where} {empty}：第一行应为表头（{'、'.join(required)}）。")
    lookup = {alias: name for name, aliases in columns.items() for alias in (name, *aliases)}
    start = _header_index(rows, lookup, required)
    header_number, header = rows[start]
    rows = rows[start:]
    positions: dict[str, int] = {}
    for index, title in enumerate(header):
        name = _column_name(title, lookup)
        if name and name in positions:  # which of the two holds it? reading one would lose the other
            first = _column_letter(positions[name])
            raise UserError(
                f"{where} 第{header_number}行（表头）：“{name}”列出现两次（{first}列和{_column_letter(index)}列）。"
                "请删去或改名其中一列后重试。"
            )
        if name:
            positions[name] = index
    missing = [name for name in required if name not in positions]
    if missing:
        titles = [h for h in header if h]
        separator = next((words for mark, words in _SEPARATORS.items() if len(titles) == 1 and mark in titles[0]), "")
        if separator:
            raise UserError(
                f"{where} 第{header_number}行（表头）：这份文件的各列用{separator}分隔，应为逗号。"
                "请在 Excel 或 WPS 中另存为“CSV（逗号分隔）”后重试。"
            )
        found = "、".join(shown_cell(h) for h in titles) or "（空）"
        raise UserError(f"{where} 第{header_number}行（表头）缺少列：{'、'.join(missing)}。现有表头：{found}。")
    out: list[TableRow] = []
    for number, row in rows[1:]:
        for name, i in positions.items():
            if (number, i) in uncomputed:
                raise UserError(
                    f"{where} 第{number}行“{name}”列（{_column_letter(i)}{number}）是公式，文件中没有它的"
                    "计算结果：请在 Excel 或 WPS 中打开并保存，或把公式改成数值后重试。"
                )
        cells = {name: (row[i] if i < len(row) else "") for name, i in positions.items()}
        out.append(TableRow(number, cells, positions))
    if not out:
        raise UserError(f"{where} 只有表头，没有数据行。")
    return out
