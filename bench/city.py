"""A year of a 300-hall city in one SQLite file, built once into bench/.cache. Hall 0 is the city
centre: 5,000 staff and 100,000 findings a month, 1.2 million over the last year; the 299 town
halls share 100,000 more. The schema comes from the real migrations; rows go in through sqlite3
for speed."""

from __future__ import annotations

import random
import sqlite3
import time
from datetime import UTC, date, datetime, timedelta

from bench.common import CACHE
from patrol.hall.pinyin_keys import search_keys, sort_key
from patrol.rules.items import DEFAULT_RULES
from patrol.rules.settings import DEFAULT_SETTINGS
from storage.chain import GENESIS, link
from storage.engine import open_engine
from storage.ids import new_id
from storage.reads import SQLITE_TIME_FORMAT

VERSION = 8
HALLS = 300
CENTRE_STAFF = 5000
CENTRE_MONTH_FINDINGS = 100_000
CENTRE_MONTHS = 12
OTHER_FINDINGS = 100_000
SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎"
    "余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段漕钱汤尹黎易常武乔贺赖龚文"
    "单解仇朴"
)
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏飞建国志勇晓东海燕梅雪琳晶宁"


def path_for(today: date):  # type: ignore[no-untyped-def]
    return CACHE / f"city-v{VERSION}-{today:%Y-%m}.db"


def build(today: date) -> str:
    """Return the URL of the city database for ``today``'s month, building it if needed."""
    path = path_for(today)
    if path.exists():
        # A cache built by an older schema is migrated (and backed up) here, not inside the first
        # timed run that opens it (that made one verify run 22.4 s instead of 15 s).
        open_engine(f"sqlite:///{path}").dispose()
        return f"sqlite:///{path}"
    CACHE.mkdir(parents=True, exist_ok=True)
    for old in CACHE.glob("city-*.db*"):
        old.unlink()
    partial = path.with_suffix(".partial")
    url = f"sqlite:///{partial}"
    open_engine(url).dispose()
    started = time.perf_counter()
    rng = random.Random(7)
    conn = sqlite3.connect(partial)
    conn.execute("PRAGMA synchronous = OFF")
    now = datetime.now(UTC).strftime(SQLITE_TIME_FORMAT)
    month_start = datetime(today.year, today.month, 1, tzinfo=UTC)
    halls = []
    for h in range(HALLS):
        hall_id = new_id()
        conn.execute(
            "INSERT INTO hall (id, name, timezone, top_staff, top_windows, window_score_mode, created_at) "
            "VALUES (?, ?, 'Asia/Shanghai', 8, 4, 'average', ?)",
            (hall_id, "市政务服务中心" if h == 0 else f"第{h}镇便民服务中心", now),
        )
        conn.execute(
            "INSERT INTO hall_rules (id, hall_id, starts, settings, created_at) VALUES (?, ?, NULL, ?, ?)",
            (new_id(), hall_id, DEFAULT_SETTINGS.to_json(), now),
        )
        types = []
        for position, item in enumerate(DEFAULT_RULES):
            type_id = new_id()
            row = item.as_row()
            conn.execute(
                "INSERT INTO finding_type (id, hall_id, code, name, category, points, hotkey, level, aliases, phrase,"
                " position, active) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    type_id,
                    hall_id,
                    row["code"],
                    row["name"],
                    row["category"],
                    row["points"],
                    row["hotkey"],
                    row["level"],
                    row["aliases"],
                    row["phrase"],
                    position,
                    True,
                ),
            )
            types.append((type_id, item.category, item.points, item.is_window_level))
        staff_count = CENTRE_STAFF if h == 0 else 60
        windows = []
        for w in range(staff_count // (20 if h == 0 else 3)):
            window_id = new_id()
            name = f"第{w + 1}窗口"
            conn.execute(
                "INSERT INTO window (id, hall_id, code, name, zone, position, search_keys, sort_key) "
                "VALUES (?,?,?,?,?,?,?,?)",
                (
                    window_id,
                    hall_id,
                    str(w + 1),
                    name,
                    f"{w // 20 + 1}区",
                    w,
                    search_keys(name) if h == 0 else "",
                    sort_key(name) if h == 0 else "",
                ),
            )
            windows.append(window_id)
        staff = []
        for s in range(staff_count):
            name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
            staff_id = new_id()
            window_id = windows[s % len(windows)]
            conn.execute(
                "INSERT INTO staff (id, hall_id, window_id, name, role, active, position, search_keys, sort_key,"
                " created_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
                (
                    staff_id,
                    hall_id,
                    window_id,
                    name,
                    "A岗",
                    True,
                    s,
                    search_keys(name, True) if h == 0 else "",
                    sort_key(name, True) if h == 0 else "",
                    now,
                ),
            )
            conn.execute(  # posted from the beginning, as a hall's first roster is
                "INSERT INTO posting (id, hall_id, staff_id, window_id, role, starts, created_at)"
                " VALUES (?, ?, ?, ?, 'A岗', NULL, ?)",
                (new_id(), hall_id, staff_id, window_id, now),
            )
            staff.append((staff_id, window_id))
        halls.append((hall_id, types, staff))

    heads = {"seq": 0, "hash": GENESIS}
    created = datetime.now(UTC)
    numbers: dict[tuple[str, str], int] = {}  # (hall, YYMM) -> the last reference number given

    def findings(hall, count: int, start: datetime, days: int):  # type: ignore[no-untyped-def]
        # Every row is linked into the device's hash chain exactly as storage.writes links it.
        hall_id, types, staff = hall
        for _ in range(count):
            type_id, category, points, window_level = rng.choice(types)
            staff_id, window_id = rng.choice(staff)
            at = start + timedelta(days=rng.randrange(days), minutes=rng.randrange(30, 600))
            values = {
                "id": new_id(),
                "hall_id": hall_id,
                "window_id": window_id,
                "staff_id": None if window_level else staff_id,
                "substitute": False,
                "type_id": type_id,
                "category": category,
                "points": points,
                "at": at,
                "note": "",
                "inspector_id": None,
                "device": "city",
                "replaces_id": None,
                "created_at": created,
            }
            links = link("finding", values, "city", heads["seq"] + 1, heads["hash"])
            heads["seq"], heads["hash"] = links["chain_seq"], links["row_hash"]
            month = (at + timedelta(hours=8)).strftime("%y%m")  # Asia/Shanghai, as storage.writes numbers them
            numbers[(hall_id, month)] = numbers.get((hall_id, month), 0) + 1
            yield (
                values["id"],
                hall_id,
                window_id,
                values["staff_id"],
                False,
                type_id,
                category,
                points,
                at.strftime(SQLITE_TIME_FORMAT),
                "",
                None,
                "city",
                None,
                created.strftime(SQLITE_TIME_FORMAT),
                links["chain_seq"],
                links["salt"],
                links["payload_hash"],
                links["prev_hash"],
                links["row_hash"],
                f"{month}-{numbers[(hall_id, month)]:04d}",
            )

    insert = (
        "INSERT INTO finding (id, hall_id, window_id, staff_id, substitute, type_id, category, points, at, note,"
        " inspector_id, device, replaces_id, created_at, chain_seq, salt, payload_hash, prev_hash, row_hash, ref)"
        " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
    )
    days_this_month = max(1, (today - month_start.date()).days)
    conn.executemany(insert, findings(halls[0], CENTRE_MONTH_FINDINGS, month_start, days_this_month))
    start = month_start
    for _ in range(CENTRE_MONTHS - 1):
        end, start = start, (start - timedelta(days=1)).replace(day=1)
        conn.executemany(insert, findings(halls[0], CENTRE_MONTH_FINDINGS, start, (end - start).days))
    year_start = month_start - timedelta(days=365)
    per_hall = OTHER_FINDINGS // (HALLS - 1)
    for hall in halls[1:]:
        conn.executemany(insert, findings(hall, per_hall, year_start, 365))
    conn.execute("INSERT INTO chain_head (device, seq, row_hash) VALUES ('city', ?, ?)", (heads["seq"], heads["hash"]))
    conn.executemany(
        "INSERT INTO finding_ref_counter (hall_id, month, last) VALUES (?, ?, ?)",
        [(hall_id, month, last) for (hall_id, month), last in numbers.items()],
    )
    conn.commit()
    conn.execute("ANALYZE")
    conn.close()
    partial.rename(path)
    print(f"built {path.name} in {time.perf_counter() - started:.0f} s")
    return f"sqlite:///{path}"
