"""`patrol verify`: walk every device's chain and report the first broken link."""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from storage.chain import FIELDS, GENESIS, KEPT_FIELDS, digest, kept_digest, payload_hash_of, row_hash
from storage.reads import CHAIN_HEADS, Reader, kept_rows

CHAIN_COLUMNS = ("chain_seq", "salt", "payload_hash", "prev_hash", "row_hash")
KIND_NAMES = {"finding": "巡查记录", "correction": "更正记录", "redaction": "清除记录"}
REDACTIONS = "SELECT id, before, findings, corrections, kept_digest FROM redaction ORDER BY id"


@dataclass
class Verdict:
    """What the walk found."""

    rows: int = 0
    heads: dict[str, tuple[int, str]] = field(default_factory=dict)
    problem: str | None = None  # the first broken link, as a person reads it

    @property
    def ok(self) -> bool:
        return self.problem is None

    @property
    def digest(self) -> str:
        return digest(self.heads)


def _rows(reader: Reader, kind: str) -> Iterator[tuple[str, int, str, tuple[Any, ...]]]:
    fields = FIELDS[kind]
    redacted = "redaction_id" if kind in KEPT_FIELDS else "NULL"
    columns = ", ".join((*fields, *CHAIN_COLUMNS, redacted))
    sql = f"SELECT {columns} FROM {kind} ORDER BY device, chain_seq, id"
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


def verify(reader: Reader, workers: int | None = None) -> Verdict:
    """Check every link of every device's chain, and each chain's end against chain_head.

    The order of the chain (seq, previous hash, the anchor) is checked here as the rows stream
    past; recomputing the hashes, the costly part, runs in worker processes. The first broken
    link in chain order is reported."""
    import os
    from concurrent.futures import ProcessPoolExecutor

    total = sum(
        int(n) for (n,) in reader.rows("SELECT COUNT(*) FROM finding UNION ALL SELECT COUNT(*) FROM correction")
    )
    if workers is None:
        # The reading and the order checks keep this process busy: one worker per other core
        # (measured on 2 cores: one worker 15.2 s, two 16.8 s for 1.3 million rows).
        workers = max(1, (os.cpu_count() or 2) - 1) if total >= PARALLEL_FROM else 0
    pool = ProcessPoolExecutor(max_workers=workers) if workers else None
    try:
        return _walk(reader, pool)
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)


def _walk(reader: Reader, pool: Any) -> Verdict:
    anchors = {device: (int(seq), head) for device, seq, head in reader.rows(CHAIN_HEADS)}
    verdict = Verdict()
    merged = heapq.merge(
        *(_rows(reader, kind) for kind in ("finding", "correction", "redaction")), key=lambda r: (r[0], r[1], r[2])
    )
    redacted: Counter[tuple[str, str]] = Counter()  # (redaction id, kind) -> rows marked with it
    device: str | None = None
    seq, previous = 0, GENESIS
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
            redacted[(redaction_id, kind)] += 1
        checked = None if redaction_id else content
        chunk.append((kind, row_device, row_seq, previous, checked, salt, stored_payload, stored_row_hash))
        labels.append(what)
        if len(chunk) == CHUNK:
            flush()
        seq, previous = row_seq, stored_row_hash
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
    verdict.problem = structural or _check_redactions(reader, redacted)
    return verdict


def _check_redactions(reader: Reader, redacted: Counter[tuple[str, str]]) -> str | None:
    """Every row marked as purged belongs to a purge that counted it, before that purge's date,
    and what the purge kept of it (window, type, points, times) is as it was."""
    known = set()
    for redaction_id, before, findings, corrections, stored_digest in reader.rows(REDACTIONS):
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
        if kept_digest(kept_rows(reader.iter_rows, redaction_id)) != stored_digest:
            return f"{what}所清除的记录中，保留的内容（窗口、巡查项、分值或时间）与清除时不符（被改动）。"
    for redaction_id, kind in redacted:
        if redaction_id not in known:
            return f"有{KIND_NAMES[kind]}标为已清除（{redaction_id}），但没有这条清除记录（被伪造或删除）。"
    return None
