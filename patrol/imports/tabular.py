"""Reading a table from an .xlsx or .csv file: a header row with known column names (and their
aliases), then data rows. Every problem is reported with the file, the row and the column."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from patrol.errors import UserError

CSV_ENCODINGS = ("utf-8-sig", "gb18030")  # UTF-8 with BOM, UTF-8 (utf-8-sig reads both), then GB18030 ⊃ GBK


@dataclass(frozen=True)
class TableRow:
    """One data row: its number in the file (1-based, as a spreadsheet shows it) and its cells."""

    number: int
    cells: dict[str, str]


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _read_rows(path: Path) -> list[list[str]]:
    if not path.exists():
        raise UserError(f"找不到文件：{path}")
    if path.is_dir():
        raise UserError(f"{path} 是文件夹，请给出 .xlsx 或 .csv 文件。")
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        return _read_xlsx(path)
    if suffix == ".csv":
        return _read_csv(path)
    raise UserError(f"不支持的文件类型：{path.name}。请用 .xlsx 或 .csv 文件。")


# A roster or a year of old findings unpacks to a few tens of MiB; more is a zip bomb, not a table.
MAX_UNPACKED = 256 * 1024 * 1024
MAX_RATIO = 200  # a real sheet compresses ~10-30x; a bomb, thousands
MAX_CSV_BYTES = 100 * 1024 * 1024


def _check_unpacked_size(path: Path) -> None:
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
        raise UserError(
            f"{path.name} 解压后有 {total // (1024 * 1024)} MiB，不像名册或巡查记录表（疑为压缩炸弹），未导入。"
        )


def _read_xlsx(path: Path) -> list[list[str]]:
    from openpyxl import load_workbook

    _check_unpacked_size(path)
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
        try:
            sheet = workbook.worksheets[0]
            return [[_cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
        finally:
            workbook.close()
    except UserError:
        raise
    except Exception as exc:  # whatever a damaged or hostile file makes the parser raise
        # (BadZipFile, KeyError, XML errors, defusedxml's refusal of entities, EOFError, zlib.error…)
        # is the file's fault: say so, never a traceback.
        raise UserError(
            f"{path.name} 无法读取：文件已损坏、不是 .xlsx 格式，或含有不安全的内容。"
            "请用 Excel 或 WPS 另存为 .xlsx 后重试。"
        ) from exc


def _read_csv(path: Path) -> list[list[str]]:
    if path.stat().st_size > MAX_CSV_BYTES:
        raise UserError(f"{path.name} 超过 {MAX_CSV_BYTES // (1024 * 1024)} MiB，不像名册或巡查记录表，未导入。")
    raw = path.read_bytes()
    # Strict decoding: a byte that does not fit the encoding is never dropped or replaced.
    for encoding in CSV_ENCODINGS:
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        try:
            return [[c.strip() for c in row] for row in csv.reader(io.StringIO(text))]
        except csv.Error as exc:
            raise UserError(f"{path.name} 不是有效的 CSV 文件：{exc}") from exc
    raise UserError(
        f"{path.name} 的编码无法识别（已尝试带 BOM 的 UTF-8、UTF-8 和 GB18030），请另存为 UTF-8 编码的 CSV。"
    )


def read_table(
    path: Path,
    columns: Mapping[str, Sequence[str]],
    required: Sequence[str],
) -> list[TableRow]:
    """Read ``path`` and return its data rows keyed by canonical column name.

    ``columns`` maps each canonical name to its accepted aliases; the first non-empty row is the
    header. Blank rows are skipped.
    """
    rows = _read_rows(path)
    while rows and not any(rows[0]):
        rows.pop(0)
    if not rows:
        raise UserError(f"{path.name} 是空文件：第一行应为表头（{'、'.join(required)}）。")
    header = rows[0]
    lookup = {alias: name for name, aliases in columns.items() for alias in (name, *aliases)}
    positions: dict[str, int] = {}
    for index, title in enumerate(header):
        name = lookup.get(title.replace(" ", ""))
        if name and name not in positions:
            positions[name] = index
    missing = [name for name in required if name not in positions]
    if missing:
        found = "、".join(h for h in header if h) or "（空）"
        raise UserError(f"{path.name} 第1行（表头）缺少列：{'、'.join(missing)}。现有表头：{found}。")
    out: list[TableRow] = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(row):
            continue
        cells = {name: (row[i] if i < len(row) else "") for name, i in positions.items()}
        out.append(TableRow(number, cells))
    if not out:
        raise UserError(f"{path.name} 只有表头，没有数据行。")
    return out
