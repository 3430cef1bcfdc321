"""A record (a person's or a window's) as lines of text for the command line."""

from __future__ import annotations

from collections.abc import Iterator

from patrol.hall.views import Record
from patrol.reports.formatting import score_text, tied_text
from patrol.reports.wording import record_subtitle, record_title
from patrol.text import shown


def record_lines(record: Record) -> Iterator[str]:
    """Title, standing, counts by finding type, then every finding of the period with its
    reference (2611-0042, what `patrol correct` takes). One line each: a line break typed in a
    note is shown as \\n (``patrol.text.shown``), never a line that looks like another finding."""
    for line in _lines(record):
        yield shown(line)


def _lines(record: Record) -> Iterator[str]:
    yield f"{record_title(record)}  {record_subtitle(record)}".rstrip()
    yield f"统计周期：{record.period.label}"
    standing = record.standing
    if standing is not None:
        mark = f"  {standing.mark}" if standing.mark else ""
        tied = tied_text(standing.tied, record.kind)
        yield (
            f"排名 {standing.rank}{f'（{tied}）' if tied else ''}  得分 {score_text(standing.score)}  "
            f"扣分 {standing.deductions:.1f}  加分 {standing.bonuses:.1f}{mark}"
        )
    if record.counts:
        yield "各项次数：" + "；".join(f"{name} {count} 次（{points:+.1f}）" for name, count, points in record.counts)
    yield f"巡查记录 {len(record.findings)} 条："
    for f in record.findings:
        note = f"  备注：{f.note}" if f.note else ""
        who = f" {f.person}" if record.kind == "window" and f.person else ""
        yield (
            f"  {f.ref or '—'}  {f.at:%Y-%m-%d %H:%M}{who}  {f.type_name}{f.times} {f.total_points:+.1f}  "
            f"督查员：{f.inspector or '—'}{note}"
        )
