"""A year of a 300-hall city in one SQLite file, built once into bench/.cache. Hall 0 is the city
centre: 5,000 staff and 100,000 findings a month, 1.2 million over the last year; the 299 town
halls share 100,000 more. The schema comes from the real migrations, and every row goes in through
``storage.writes`` (the halls, their rosters with their versions, the findings numbered and
chained in batches), so the benchmark database verifies as a real one does."""

from __future__ import annotations

import random
import shutil
import sqlite3
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bench.common import CACHE
from patrol.hall.pinyin_keys import search_keys, sort_key
from patrol.rules.items import DEFAULT_RULES
from patrol.rules.settings import DEFAULT_SETTINGS
from storage.engine import open_engine
from storage.ids import new_id
from storage.writes import apply_roster, create_hall, insert_findings

VERSION = 9
HALLS = 300
CENTRE_STAFF = 5000
CENTRE_MONTH_FINDINGS = 100_000
CENTRE_MONTHS = 12
OTHER_FINDINGS = 100_000
BATCH = 20_000  # findings per transaction
DEVICE = "city"
SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎"
    "余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段漕钱汤尹黎易常武乔贺赖龚文"
    "单解仇朴"
)
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏飞建国志勇晓东海燕梅雪琳晶宁"


def path_for(today: date):
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
    for old in (CACHE / "backups").glob("city-*.db"):  # the app's daily backups of last month's city
        shutil.rmtree(old, ignore_errors=True)
    partial = path.with_suffix(".partial")
    started = time.perf_counter()
    build_into(partial, today)
    partial.rename(path)
    print(f"built {path.name} in {time.perf_counter() - started:.0f} s")
    return f"sqlite:///{path}"


def daily_backup(url: str, hall: str) -> None:
    """Take ``hall``'s backup of today (in its time zone) if the app has not, as its first start
    of the day would, so that no timed run copies the database. The bench's city keeps only that
    one: the app keeps 30, 54 GB of copies of a generated database."""
    from storage.backup import backed_up_on, backups_folder, prune, take_backup

    path = Path(url.removeprefix("sqlite:///"))
    with sqlite3.connect(path) as conn:
        row = conn.execute("SELECT timezone FROM hall WHERE name = ?", (hall,)).fetchone()
    now = datetime.now(UTC).astimezone(ZoneInfo(row[0] if row else "Asia/Shanghai"))
    if backed_up_on(path, f"{now:%Y%m%d}"):
        return
    started = time.perf_counter()
    take_backup(path, now.replace(tzinfo=None), why="daily")
    prune(backups_folder(path), keep=1)
    print(f"city: took today's backup of {path.name} first ({time.perf_counter() - started:.0f} s)")


def build_into(
    path: Path,
    today: date,
    halls: int = HALLS,
    centre_staff: int = CENTRE_STAFF,
    centre_month_findings: int = CENTRE_MONTH_FINDINGS,
    centre_months: int = CENTRE_MONTHS,
    other_findings: int = OTHER_FINDINGS,
) -> None:
    """Build a city into the SQLite file ``path`` through ``storage.writes`` (smaller cities for
    the tests that check that it verifies)."""
    engine = open_engine(f"sqlite:///{path}")
    rng = random.Random(7)
    month_start = datetime(today.year, today.month, 1, tzinfo=UTC)
    rules = [item.as_row() for item in DEFAULT_RULES]
    built = []
    for h in range(halls):
        name = "市政务服务中心" if h == 0 else f"第{h}镇便民服务中心"
        hall_id = create_hall(engine, name, rules, DEFAULT_SETTINGS.to_json(), device=DEVICE)
        staff_count = centre_staff if h == 0 else 60
        windows = []
        for w in range(max(1, staff_count // (20 if h == 0 else 3))):
            window_name = f"第{w + 1}窗口"
            windows.append(
                {
                    "id": new_id(),
                    "code": str(w + 1),
                    "name": window_name,
                    "zone": f"{w // 20 + 1}区",
                    "position": w,
                    "search_keys": search_keys(window_name) if h == 0 else "",
                    "sort_key": sort_key(window_name) if h == 0 else "",
                }
            )
        staff, postings = [], []
        for s in range(staff_count):
            person = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
            staff_id, window_id = new_id(), windows[s % len(windows)]["id"]
            staff.append(
                {
                    "id": staff_id,
                    "window_id": window_id,
                    "name": person,
                    "role": "A岗",
                    "active": True,
                    "position": s,
                    "search_keys": search_keys(person, True) if h == 0 else "",
                    "sort_key": sort_key(person, True) if h == 0 else "",
                }
            )
            # Posted from the beginning, as a hall's first roster is.
            postings.append({"staff_id": staff_id, "window_id": window_id, "role": "A岗", "starts": None})
        apply_roster(engine, hall_id, [], windows, [], staff, [], postings, device=DEVICE)
        built.append((hall_id, [(s["id"], s["window_id"]) for s in staff]))
    types = _types(path)

    def findings(hall, count: int, start: datetime, days: int):
        hall_id, people = hall
        for _ in range(count):
            type_id, category, points, window_level = rng.choice(types[hall_id])
            staff_id, window_id = rng.choice(people)
            yield {
                "hall_id": hall_id,
                "window_id": window_id,
                "staff_id": None if window_level else staff_id,
                "substitute": False,
                "type_id": type_id,
                "category": category,
                "points": points,
                "at": start + timedelta(days=rng.randrange(days), minutes=rng.randrange(30, 600)),
                "note": "",
                "inspector_id": None,
                "device": DEVICE,
            }

    def write(rows) -> None:
        batch = []
        for row in rows:
            batch.append(row)
            if len(batch) == BATCH:
                insert_findings(engine, batch)
                batch = []
        if batch:
            insert_findings(engine, batch)

    days_this_month = max(1, (today - month_start.date()).days)
    write(findings(built[0], centre_month_findings, month_start, days_this_month))
    start = month_start
    for _ in range(centre_months - 1):
        end, start = start, (start - timedelta(days=1)).replace(day=1)
        write(findings(built[0], centre_month_findings, start, (end - start).days))
    year_start = month_start - timedelta(days=365)
    per_hall = other_findings // max(1, halls - 1)
    for hall in built[1:]:
        write(findings(hall, per_hall, year_start, 365))
    engine.dispose()
    with sqlite3.connect(path) as conn:
        conn.execute("ANALYZE")


def _types(path: Path) -> dict[str, list[tuple[str, str, float, bool]]]:
    """Each hall's finding types as (id, category, points, window-level), in the rules' order."""
    out: dict[str, list[tuple[str, str, float, bool]]] = {}
    with sqlite3.connect(path) as conn:
        for hall_id, type_id, category, points, level in conn.execute(
            "SELECT hall_id, id, category, points, level FROM finding_type ORDER BY hall_id, position"
        ):
            out.setdefault(hall_id, []).append((type_id, category, float(points), level == "window"))
    return out
