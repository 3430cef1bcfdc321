"""The anchor a printed appendix carries: the heads of every device's chain as the verified walk
found them, at the foot of 附表1 and as the one line `patrol verify --digest` prints.

patrol has no secret key: anyone holding the database can recompute every hash. What cannot be
recomputed is what was printed, signed or sent away before. `patrol verify --against` reads those
heads back (from the appendix file, or from the line as written down) and checks that the
database still holds every prefix they vouch for.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

from patrol.errors import UserError

Heads = dict[str, tuple[int, str]]

DIGEST_LABEL = "链头摘要"
FOOTER_HINT = "（本附表所依据的记录截至以下各设备的链头；核对：patrol verify --against 本文件）"
_DIGEST = re.compile(rf"^{DIGEST_LABEL}：([0-9a-f]{{64}})")
_DEVICE = re.compile(r"^设备 (\S*)：第 (\d+) 条，链头 ([0-9a-f]{64})$")
_HEX = re.compile(r"^[0-9a-fA-F]+$")
SHORTEST_HASH = 16  # characters of a link hash written down by hand (64 bits)


def footer_lines(heads: Mapping[str, tuple[int, str]]) -> list[str]:
    """The lines under the last row of 附表1: the digest, then each device's head."""
    from storage.chain import digest

    lines = [f"{DIGEST_LABEL}：{digest(heads)}{FOOTER_HINT}"]
    lines += [f"设备 {device}：第 {seq} 条，链头 {head}" for device, (seq, head) in sorted(heads.items())]
    return lines


def heads_from_footer(lines: list[str], where: str) -> Heads:
    """The heads the footer lines of an appendix vouch for; UserError when there are none or when
    they do not add up to the digest printed with them."""
    from storage.chain import digest

    said: str | None = None
    heads: Heads = {}
    for line in lines:
        if found := _DIGEST.match(line):
            said, heads = found[1], {}  # a later footer (a longer 附表1) supersedes
        elif (found := _DEVICE.match(line)) and said is not None:
            heads[found[1]] = (int(found[2]), found[3])
    if said is None:
        raise UserError(
            f"{where} 中没有找到链头摘要（附表1 末尾的“{DIGEST_LABEL}”一行）："
            "不是 patrol 导出的附表，或导出时未通过校验。"
        )
    if digest(heads) != said:
        raise UserError(f"{where} 末尾的链头摘要与其下所列各设备链头不符：附表末尾被改动或缺行。")
    return heads


def heads_from_appendix(path: Path) -> Heads:
    """The heads at the foot of 附表1 of an exported appendix (column A of the last 附表1 sheet;
    the sheets' other columns hold names and notes, which are never read as the anchor)."""
    from openpyxl import load_workbook

    if path.suffix.lower() != ".xlsx":
        raise UserError(
            f"{path.name} 不是 .xlsx 文件：请给出 patrol export 导出的附表（.xlsx），"
            "或 patrol verify --digest 输出的整行。"
        )
    try:
        book = load_workbook(path, read_only=True, data_only=True)
        try:
            sheets = [name for name in book.sheetnames if name.startswith("附表1")]
            if not sheets:
                raise UserError(f"{path.name} 中没有“附表1”工作表：不是 patrol 导出的巡查考核附表。")
            lines = [
                value.strip()
                for (value,) in book[sheets[-1]].iter_rows(min_col=1, max_col=1, values_only=True)
                if isinstance(value, str)
            ]
        finally:
            book.close()
    except UserError:
        raise
    except Exception as exc:  # whatever a damaged file makes the parser raise is the file's fault
        raise UserError(f"无法读取附表 {path}：{exc}") from None
    return heads_from_footer(lines, path.name)


def heads_from_line(text: str) -> Heads:
    """The heads of a line as `patrol verify --digest` prints it (``digest device:seq:hash …``;
    the digest may be left out, and a hash shortened to its first 16 characters when copied by
    hand). UserError naming the part that cannot be read."""
    from storage.chain import digest

    said: str | None = None
    heads: Heads = {}
    for part in text.split():
        if ":" not in part:
            if len(part) == 64 and _HEX.match(part) and said is None and not heads:
                said = part.lower()
                continue
            raise UserError(f"无法识别“{part}”：链头应写作 设备:序号:散列（patrol verify --digest 的输出）。")
        device, seq, head = part.rsplit(":", 2) if part.count(":") >= 2 else (part, "", "")
        if not seq.isdigit() or not _HEX.match(head or "-") or not SHORTEST_HASH <= len(head) <= 64:
            raise UserError(
                f"无法识别“{part}”：链头应写作 设备:序号:散列，散列至少抄写前 {SHORTEST_HASH} 位"
                "（patrol verify --digest 的输出）。"
            )
        heads[device] = (int(seq), head.lower())
    if not heads:
        if said is not None:
            raise UserError(
                "只有摘要、没有各设备链头，无法核对：请用 patrol verify --digest 输出的整行，或附表文件本身。"
            )
        raise UserError("没有给出要核对的链头：请给出附表文件（.xlsx），或 patrol verify --digest 输出的整行。")
    full = all(len(head) == 64 for _seq, head in heads.values())
    if said is not None and full and digest(heads) != said:
        raise UserError("摘要与所列各设备链头不符：抄写有误，请对照原件。")
    return heads


def vouched(value: str) -> tuple[Heads, str]:
    """What ``--against`` names: an appendix file, or the line written down. Returns the heads and
    how to name their source in a message."""
    path = Path(value).expanduser()
    try:
        is_file = path.is_file()
    except OSError:  # a line too long to be a file name
        is_file = False
    if value.lower().endswith(".xlsx") or is_file:
        if not path.is_file():
            raise UserError(f"找不到附表文件：{path}")
        return heads_from_appendix(path), f"附表 {path.name}"
    return heads_from_line(value), "所给链头"
