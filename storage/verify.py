"""`patrol verify`: walk every device's chain and report the first broken link."""

from __future__ import annotations

import heapq
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from storage.chain import CORRECTION_FIELDS, FINDING_FIELDS, GENESIS, digest, payload_hash_of, row_hash
from storage.reads import CHAIN_HEADS, Reader

CHAIN_COLUMNS = ("chain_seq", "salt", "payload_hash", "prev_hash", "row_hash")
KIND_NAMES = {"finding": "巡查记录", "correction": "更正记录"}


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
    fields = FINDING_FIELDS if kind == "finding" else CORRECTION_FIELDS
    columns = ", ".join((*fields, *CHAIN_COLUMNS))
    sql = f"SELECT {columns} FROM {kind} ORDER BY device, chain_seq, id"
    device_at = fields.index("device")
    seq_at = len(fields)
    for row in reader.iter_rows(sql):
        # Rows without a place in the chain sort first in their device, where they are reported.
        yield row[device_at], row[seq_at] or 0, kind, tuple(row)


def verify(reader: Reader) -> Verdict:
    """Check every link of every device's chain, and each chain's end against chain_head."""
    anchors = {device: (int(seq), head) for device, seq, head in reader.rows(CHAIN_HEADS)}
    verdict = Verdict()
    merged = heapq.merge(_rows(reader, "finding"), _rows(reader, "correction"), key=lambda r: (r[0], r[1], r[2]))
    device: str | None = None
    seq, previous = 0, GENESIS

    def end_of(device: str) -> str | None:
        anchor = anchors.get(device)
        if anchor is None:
            return f"设备 {device} 的链没有记录在 chain_head 中（链头被删除）。"
        if anchor != (seq, previous):
            return f"设备 {device} 的链在第 {seq} 条结束，但链头记录为第 {anchor[0]} 条：链尾的记录被删除或链头被改动。"
        return None

    width = {"finding": len(FINDING_FIELDS), "correction": len(CORRECTION_FIELDS)}
    for row_device, row_seq, kind, row in merged:
        n = width[kind]
        content = row[:n]
        _seq, salt, stored_payload, stored_previous, stored_row_hash = row[n:]
        if row_device != device:
            if device is not None:
                verdict.heads[device] = (seq, previous)
                if (problem := end_of(device)) is not None:
                    verdict.problem = problem
                    return verdict
            device, seq, previous = row_device, 0, GENESIS
        verdict.rows += 1
        what = f"设备 {row_device} 的{KIND_NAMES[kind]} {content[0]}"
        if not row_seq or not stored_row_hash:
            verdict.problem = f"{what} 不在链中：它没有经过 patrol 写入（被直接插入）。"
            return verdict
        if row_seq != seq + 1:
            gap = f"缺少第 {seq + 1} 条（被删除）" if row_seq > seq + 1 else f"第 {row_seq} 条重复"
            verdict.problem = f"{what}（第 {row_seq} 条）：{gap}。"
            return verdict
        if stored_previous != previous:
            verdict.problem = f"{what}（第 {row_seq} 条）：与前一条的链接断开（记录被插入、删除或调换）。"
            return verdict
        if payload_hash_of(kind, content, salt or "") != stored_payload:
            verdict.problem = f"{what}（第 {row_seq} 条）：内容与写入时不符（被改动）。"
            return verdict
        if row_hash(kind, row_device, row_seq, previous, stored_payload) != stored_row_hash:
            verdict.problem = f"{what}（第 {row_seq} 条）：链接散列不符（被改动）。"
            return verdict
        seq, previous = row_seq, stored_row_hash
    if device is not None:
        verdict.heads[device] = (seq, previous)
        if (problem := end_of(device)) is not None:
            verdict.problem = problem
            return verdict
    for lost in sorted(set(anchors) - set(verdict.heads)):
        verdict.problem = f"设备 {lost} 的全部 {anchors[lost][0]} 条记录都不见了（被删除）。"
        return verdict
    return verdict
