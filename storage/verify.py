"""`patrol verify`: walk every device's chain and report the first broken link; check that every
row giving findings their meaning is as patrol last recorded it; and, given the heads a printed
appendix vouched for, that the database still holds every one of those prefixes."""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from storage.chain import (
    CHAINED_TABLES,
    FIELDS,
    GENESIS,
    KEPT_FIELDS,
    VERSIONED,
    anchor_line,
    content_of,
    content_values,
    digest,
    kept_digest,
    payload_hash_of,
    row_hash,
    versioned_select,
)
from storage.reads import CHAIN_HEADS, Reader, kept_rows, snapshot

CHAIN_COLUMNS = ("chain_seq", "salt", "payload_hash", "prev_hash", "row_hash")
KIND_NAMES = {
    "finding": "巡查记录",
    "correction": "更正记录",
    "redaction": "清除记录",
    "version": "名册与规则版本",
    "access": "查阅日志",
    "seen": "巡查无异常记录",
    "closing": "月结记录",
    "service_import": "办件量导入记录",
    "service": "办件量记录",
}
REDACTIONS = "SELECT id, before, findings, corrections, kept_digest, at FROM redaction ORDER BY id"
# An access-log line a purge emptied was written before the purge and before its date, or is
# about a period that ended by then.
_LATE_ENTRY = (
    "SELECT id FROM access_log WHERE redaction_id = :id AND "
    "(at > :purged OR (at >= :before AND (about_until IS NULL OR about_until > :before))) LIMIT 1"
)
# What a purge empties, as (index in the kind's fields, words): it must stay empty.
PERSONAL = {
    "finding": ((FIELDS["finding"].index("staff_id"), "人员"), (FIELDS["finding"].index("note"), "备注")),
    "correction": ((FIELDS["correction"].index("reason"), "更正原因"),),
    "access": ((FIELDS["access"].index("who"), "查看人"), (FIELDS["access"].index("subject"), "查看内容")),
}

TABLE_WORDS = {
    "hall": "大厅",
    "hall_rules": "评定规则版本",
    "finding_type": "巡查项",
    "unit": "单位",
    "window": "窗口",
    "staff": "人员",
    "posting": "任职记录",
    "inspector": "督查员",
    "work_hours": "作息时间",
    "hall_day": "大厅自定工作日",
    "leave": "请假登记",
}
COLUMN_WORDS = {
    "name": "名称",
    "timezone": "时区",
    "created_at": "登记时间",
    "hall_id": "所属大厅",
    "starts": "起始日期",
    "settings": "规则内容",
    "code": "编号",
    "category": "类别",
    "points": "分值",
    "hotkey": "快捷键",
    "level": "适用对象",
    "aliases": "别名",
    "phrase": "通报用语",
    "position": "顺序",
    "active": "启用状态",
    "unit_id": "单位",
    "zone": "区域",
    "window_id": "窗口",
    "role": "岗位",
    "am": "上午时间",
    "pm": "下午时间",
    "grace": "宽限分钟",
    "punches": "每日打卡次数",
    "day": "日期",
    "working": "是否工作日",
    "note": "说明",
    "ends": "结束日期",
    "kind": "类型",
    "approver": "审批人",
    "staff_id": "人员",
}
COLUMN_WORDS_OF = {("staff", "name"): "姓名", ("staff", "active"): "在岗状态", ("inspector", "name"): "姓名"}


@dataclass
class Verdict:
    """What the walk found."""

    rows: int = 0
    heads: dict[str, tuple[int, str]] = field(default_factory=dict)
    problem: str | None = None  # the first broken link, as a person reads it
    # For a check against a printed appendix: the link hash found at each vouched (device, seq).
    found_at: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.problem is None

    @property
    def digest(self) -> str:
        return digest(self.heads)

    @property
    def line(self) -> str:
        """The line to write down or send (`patrol verify --digest`): the digest, then each head."""
        return anchor_line(self.heads)


def _rows(reader: Reader, kind: str) -> Iterator[tuple[str, int, str, tuple[Any, ...]]]:
    fields = FIELDS[kind]
    redacted = "redaction_id" if kind in KEPT_FIELDS else "NULL"
    columns = ", ".join((*fields, *CHAIN_COLUMNS, redacted))
    sql = f"SELECT {columns} FROM {CHAINED_TABLES[kind]} ORDER BY device, chain_seq, id"
    device_at = fields.index("device")
    seq_at = len(fields)
    for row in reader.iter_rows(sql):
        # Rows without a place in the chain sort first in their device, where they are reported.
        yield row[device_at], row[seq_at] or 0, kind, tuple(row)


CHUNK = 20_000  # rows a worker checks at a time
PARALLEL_FROM = 50_000  # below this, worker processes cost more than they save


def _check_hashes(chunk: list[tuple[Any, ...]]) -> int | None:
    """Recompute the hashes of a run of rows; the index of the first that does not match."""
    for index, (kind, device, seq, previous, content, salt, stored_payload, stored_row) in enumerate(chunk):
        # A purged row's content is gone: its stored payload hash stands, held by the link hash.
        if content is not None and payload_hash_of(kind, content, salt or "") != stored_payload:
            return index
        if row_hash(kind, device, seq, previous, stored_payload) != stored_row:
            return -index - 1  # the link hash, not the content
    return None


def _pool(workers: int) -> Any:
    """Worker processes for the hashes. Forked from a process that runs threads (the app exports
    in a worker thread) a child may inherit a lock held by another thread: start them from a
    fresh server process then."""
    import multiprocessing
    import threading
    from concurrent.futures import ProcessPoolExecutor

    method = "forkserver" if threading.active_count() > 1 else None
    context = multiprocessing.get_context(method) if method else None
    return ProcessPoolExecutor(max_workers=workers, mp_context=context)


def verify(reader: Reader, workers: int | None = None, vouched: Mapping[str, tuple[int, str]] | None = None) -> Verdict:
    """Check every link of every device's chain, each chain's end against chain_head, purged rows,
    and the rows that give findings their meaning against their latest versions.

    The order of the chain (seq, previous hash, the anchor) is checked here as the rows stream
    past; recomputing the hashes, the costly part, runs in worker processes. The first broken
    link in chain order is reported. Everything is read in one read transaction, so writes made
    meanwhile (the app saving a finding) are not half seen. With ``vouched`` (device -> seq and
    link hash, as a printed appendix holds them) the link hash at each of those seqs is noted
    (``Verdict.found_at``, for ``against``)."""
    import os

    with snapshot(reader) as snap:
        total = sum(
            int(n) for (n,) in snap.rows("SELECT COUNT(*) FROM finding UNION ALL SELECT COUNT(*) FROM correction")
        )
        if workers is None:
            # The reading and the order checks keep this process busy: one worker per other core
            # (measured on 2 cores: one worker 15.2 s, two 16.8 s for 1.3 million rows).
            workers = max(1, (os.cpu_count() or 2) - 1) if total >= PARALLEL_FROM else 0
        pool = _pool(workers) if workers else None
        try:
            return _walk(snap, pool, vouched or {})
        except (ValueError, TypeError, KeyError, IndexError):
            # A value no patrol ever wrote (a head's seq "x", a version's content that is not its
            # JSON, a purge's count as text) in rows whose hashes someone recomputed: a problem
            # found, said in one line like the others, not a traceback.
            return Verdict(
                problem="数据库中有 patrol 不会写出的值（链头的序号、名册与规则版本的内容或清除记录的条数无法解读）："
                "在 patrol 之外被改动或已损坏。"
            )
        finally:
            if pool is not None:
                pool.shutdown(cancel_futures=True)


def _walk(reader: Reader, pool: Any, vouched: Mapping[str, tuple[int, str]]) -> Verdict:
    anchors = {device: (int(seq), head) for device, seq, head in reader.rows(CHAIN_HEADS)}
    verdict = Verdict()
    merged = heapq.merge(*(_rows(reader, kind) for kind in FIELDS), key=lambda r: (r[0], r[1], r[2]))
    redacted: Counter[tuple[str, str]] = Counter()  # (redaction id, kind) -> rows marked with it
    versions: list[tuple[Any, ...]] = []  # (tbl, row_id, id, replaces, content) of every version row
    device: str | None = None
    seq, previous = 0, GENESIS
    wanted = 0  # the seq whose link hash a printed appendix vouched for, in this device's chain
    chunk: list[tuple[Any, ...]] = []
    labels: list[str] = []  # what each row of the chunk is, to name a broken link
    pending: list[tuple[Any, list[str]]] = []  # (result or future, labels), in chain order
    structural: str | None = None

    def flush() -> None:
        nonlocal chunk, labels
        if chunk:
            result = pool.submit(_check_hashes, chunk) if pool is not None else _check_hashes(chunk)
            pending.append((result, labels))
            chunk, labels = [], []

    def end_of(device: str) -> str | None:
        anchor = anchors.get(device)
        if anchor is None:
            return f"设备 {device} 的链没有记录在 chain_head 中（链头被删除）。"
        if anchor != (seq, previous):
            return f"设备 {device} 的链在第 {seq} 条结束，但链头记录为第 {anchor[0]} 条：链尾的记录被删除或链头被改动。"
        return None

    width = {kind: len(fields) for kind, fields in FIELDS.items()}
    for row_device, row_seq, kind, row in merged:
        if row_device != device:
            if device is not None:
                verdict.heads[device] = (seq, previous)
                if (structural := end_of(device)) is not None:
                    break
            device, seq, previous = row_device, 0, GENESIS
            wanted = vouched[device][0] if device in vouched else 0
        n = width[kind]
        content = row[:n]
        _seq, salt, stored_payload, stored_previous, stored_row_hash, redaction_id = row[n:]
        verdict.rows += 1
        what = f"设备 {row_device} 的{KIND_NAMES[kind]} {content[0]}（第 {row_seq} 条）"
        if not row_seq or not stored_row_hash:
            structural = (
                f"设备 {row_device} 的{KIND_NAMES[kind]} {content[0]} 不在链中：它没有经过 patrol 写入（被直接插入）。"
            )
            break
        if row_seq != seq + 1:
            gap = f"缺少第 {seq + 1} 条（被删除）" if row_seq > seq + 1 else f"第 {row_seq} 条重复"
            structural = f"{what}：{gap}。"
            break
        if stored_previous != previous:
            structural = f"{what}：与前一条的链接断开（记录被插入、删除或调换）。"
            break
        if redaction_id:
            kept = [words for index, words in PERSONAL[kind] if content[index] not in (None, "")]
            if kept:
                structural = f"{what}已按保存期清除，但{'、'.join(kept)}又有了内容（被写回或改动）。"
                break
            redacted[(redaction_id, kind)] += 1
        elif kind == "version":
            versions.append((content[1], content[2], content[0], content[3], content[4]))
        checked = None if redaction_id else content
        chunk.append((kind, row_device, row_seq, previous, checked, salt, stored_payload, stored_row_hash))
        labels.append(what)
        if len(chunk) == CHUNK:
            flush()
        seq, previous = row_seq, stored_row_hash
        if seq == wanted:
            verdict.found_at[row_device] = previous
    else:
        if device is not None:
            verdict.heads[device] = (seq, previous)
            structural = end_of(device)
        if structural is None:
            for lost in sorted(set(anchors) - set(verdict.heads)):
                structural = f"设备 {lost} 的全部 {anchors[lost][0]} 条记录都不见了（被删除）。"
                break
    flush()
    # Hash failures come before the structural one in chain order: the rows checked were all read earlier.
    for result, chunk_labels in pending:
        bad = result.result() if hasattr(result, "result") else result
        if bad is not None:
            if bad >= 0:
                verdict.problem = f"{chunk_labels[bad]}：内容与写入时不符（被改动）。"
            else:
                verdict.problem = f"{chunk_labels[-bad - 1]}：链接散列不符（被改动）。"
            return verdict
    verdict.problem = structural or _check_redactions(reader, redacted) or _check_versions(reader, versions)
    return verdict


def _check_redactions(reader: Reader, redacted: Counter[tuple[str, str]]) -> str | None:
    """Every row marked as purged belongs to a purge that counted it, before that purge's date,
    and what the purge kept of it (window, type, points, times) is as it was."""
    known = set()
    for redaction_id, before, findings, corrections, stored_digest, purged in reader.rows(REDACTIONS):
        known.add(redaction_id)
        what = f"清除记录 {redaction_id}"
        seen = (redacted[(redaction_id, "finding")], redacted[(redaction_id, "correction")])
        if seen != (int(findings), int(corrections)):
            return (
                f"{what}：清除了 {findings} 条巡查记录和 {corrections} 条更正记录，但标为已清除的有 "
                f"{seen[0]} 条和 {seen[1]} 条（有记录被改标为已清除）。"
            )
        late = reader.rows(
            "SELECT id FROM finding WHERE redaction_id = :id AND at >= :before LIMIT 1",
            {"id": redaction_id, "before": before},
        )
        if late:
            return f"巡查记录 {late[0][0]} 标为已清除，但晚于{what}的清除日期（被改动）。"
        late = reader.rows(_LATE_ENTRY, {"id": redaction_id, "before": before, "purged": purged})
        if late:
            return f"查阅日志 {late[0][0]} 标为已清除，但不在{what}所清除的时间内（被改动）。"
        if kept_digest(kept_rows(reader.iter_rows, redaction_id)) != stored_digest:
            return f"{what}所清除的记录中，保留的内容（窗口、巡查项、分值或时间）与清除时不符（被改动）。"
    for redaction_id, kind in redacted:
        if redaction_id not in known:
            return f"有{KIND_NAMES[kind]}标为已清除（{redaction_id}），但没有这条清除记录（被伪造或删除）。"
    return None


# --- the rows that give findings their meaning ---------------------------------------------


def _label(table: str, content: str, row_id: str) -> str:
    """How a message names a row, from what patrol recorded of it."""
    values = content_values(table, content)
    if table == "window":
        return f"{values['code']} {values['name']}"
    if table in ("hall_rules", "work_hours"):
        return f"自 {values['starts'] or '开始'} 起的版本"
    if table == "hall_day":
        return str(values["day"])
    if table == "leave":
        return f"{values['starts']} 至 {values['ends']} {values['kind']}"
    if table == "posting":
        return f"{row_id[:8]}…（自 {values['starts'] or '开始'} 起）"
    return str(values.get("name") or row_id)


def _shown(value: Any) -> str:
    text = "（空）" if value in (None, "") else str(value)
    return text if len(text) <= 60 else text[:60] + "…"


def _latest_versions(versions: list[tuple[Any, ...]]) -> tuple[dict[tuple[str, str], str], str | None]:
    """Each row's latest version (its content), following the versions from the first: each names
    the one it replaces, so they form one line per row. A problem when they do not."""
    by_row: dict[tuple[str, str], list[tuple[Any, ...]]] = {}
    for tbl, row_id, version_id, replaces, content in versions:
        by_row.setdefault((str(tbl), str(row_id)), []).append((version_id, replaces, content))
    latest: dict[tuple[str, str], str] = {}
    for (tbl, row_id), found in by_row.items():
        contents = {version_id: content for version_id, _replaces, content in found}
        roots = [version_id for version_id, replaces, _content in found if replaces is None]
        following: dict[str, str] = {}
        broken = len(roots) != 1 or tbl not in VERSIONED
        for version_id, replaces, _content in found:
            if replaces is not None:
                broken = broken or replaces not in contents or replaces in following
                following[replaces] = version_id
        if not broken:
            current, steps = roots[0], 1
            while current in following and steps <= len(found):
                current, steps = following[current], steps + 1
            broken = steps != len(found)
        if broken:
            words = TABLE_WORDS.get(tbl, tbl)
            return latest, f"{words} {row_id} 的版本记录不成一条线（有版本被伪造或删除）。"
        latest[(tbl, row_id)] = contents[current]
    return latest, None


def _check_versions(reader: Reader, versions: list[tuple[Any, ...]]) -> str | None:
    """Each row of a table that gives findings their meaning equals its latest version: a name,
    a code, a label, a time zone, a rule or a posting changed behind patrol's back is found, and
    so is a row that patrol never wrote or a row that is gone."""
    latest, problem = _latest_versions(versions)
    if problem is not None:
        return problem
    for table in VERSIONED:
        words = TABLE_WORDS[table]
        for row in reader.iter_rows(versioned_select(table) + " ORDER BY id"):
            row_id = str(row[0])
            now = content_of(table, row[1:])
            recorded = latest.pop((table, row_id), None)
            if recorded is None:
                name = _label(table, now, row_id)
                return f"{words}“{name}”（{row_id}）没有经过 patrol 登记（在 patrol 之外被插入）。"
            if now != recorded:
                before, after = content_values(table, recorded), content_values(table, now)
                column = next(c for c in before if before[c] != after[c])
                said = COLUMN_WORDS_OF.get((table, column), COLUMN_WORDS.get(column, column))
                return (
                    f"{words}“{_label(table, recorded, row_id)}”的{said}与 patrol 登记的不符："
                    f"登记为“{_shown(before[column])}”，现为“{_shown(after[column])}”（在 patrol 之外被改动）。"
                )
        gone = sorted(row_id for tbl, row_id in latest if tbl == table)
        if gone:
            name = _label(table, latest[(table, gone[0])], gone[0])
            return f"{words}“{name}”（{gone[0]}）已由 patrol 登记，但数据库里没有这一行（被删除）。"
    return None


# --- a printed appendix's heads ------------------------------------------------------------


def against(verdict: Verdict, vouched: Mapping[str, tuple[int, str]]) -> str | None:
    """Whether the database still holds every prefix a printed appendix vouched for: each device's
    chain reaches the seq written down, with the link hash written down there (a hash written by
    hand may be shortened to its first characters). A wipe, a cut tail or a chain recomputed after
    a change fails, naming the device and the seq."""
    for device, (seq, head) in sorted(vouched.items()):
        if seq == 0:
            continue
        have = verdict.heads.get(device)
        if have is None:
            return f"附表记载设备 {device} 有 {seq} 条记录，数据库中已没有这台设备的任何记录（被删除）。"
        if have[0] < seq:
            return (
                f"设备 {device} 的链在数据库中只到第 {have[0]} 条，附表记载到第 {seq} 条："
                f"自第 {have[0] + 1} 条起的记录被删除（链尾被截断）。"
            )
        if not verdict.found_at.get(device, "").startswith(head.lower()):
            return (
                f"设备 {device} 的第 1 至第 {seq} 条与附表记载的不符（第 {seq} 条的链接散列不同）："
                "这些记录在打印附表之后被改动并重新计算了散列，或数据库被整个替换。"
            )
    return None
