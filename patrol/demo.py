"""The demo hall: 20 windows, 60 staff and a month of findings over working days and hours, so a
newcomer sees the product at once. Built once a day into the cache and copied for each run, so
the user's real database is never touched."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from patrol.config import cache_dir

DEMO_HALL = "高新区政务服务中心"
DEMO_INSPECTORS = ("李督查", "王督查", "陈督查")
DEMO_VERSION = 3  # 3: service figures (办件量) of the two months before this one

# code, name, unit, zone
DEMO_WINDOWS = (
    ("1", "综合受理窗口", "区政务服务中心", "A区 综合受理"),
    ("2", "不动产登记窗口", "区自然资源局", "A区 综合受理"),
    ("3", "市场监管窗口", "区市场监督管理局", "A区 综合受理"),
    ("4", "税务窗口", "区税务局", "A区 综合受理"),
    ("5", "社保窗口", "区人力资源和社会保障局", "A区 综合受理"),
    ("6", "医保窗口", "区医疗保障局", "B区 民生服务"),
    ("7", "公积金窗口", "市住房公积金管理中心", "B区 民生服务"),
    ("8", "住建窗口", "区住房和城乡建设局", "B区 民生服务"),
    ("9", "生态环境窗口", "市生态环境局高新分局", "B区 民生服务"),
    ("10", "供电公司窗口", "国网高新供电公司", "B区 民生服务"),
    ("11", "公安户政窗口", "区公安分局", "C区 公安服务"),
    ("12", "出入境窗口", "区公安分局出入境管理大队", "C区 公安服务"),
    ("13", "交警车管窗口", "区交警大队", "C区 公安服务"),
    ("14", "民政窗口", "区民政局", "C区 公安服务"),
    ("15", "卫健窗口", "区卫生健康局", "C区 公安服务"),
    ("16", "人才服务窗口", "区人才发展中心", "D区 企业服务"),
    ("17", "水务窗口", "高新水务集团", "D区 企业服务"),
    ("18", "燃气窗口", "高新燃气公司", "D区 企业服务"),
    ("19", "文旅窗口", "区文化和旅游局", "D区 企业服务"),
    ("20", "温泉印章窗口", "区公安分局治安大队", "D区 企业服务"),
)

# 60 names: polyphonic surnames (曾 单 解 仇 朴) and two 张伟 at different windows on purpose.
DEMO_STAFF = (
    "魏敏",
    "郑晓燕",
    "姜涛",
    "祝海燕",
    "张伟",
    "王芳",
    "李娜",
    "刘洋",
    "陈静",
    "杨帆",
    "赵磊",
    "黄丽",
    "周杰",
    "吴桐",
    "徐倩",
    "孙浩",
    "胡婷",
    "朱琳",
    "高翔",
    "林峰",
    "何欢",
    "郭晶",
    "马超",
    "罗敏",
    "梁雪",
    "宋佳",
    "唐亮",
    "许可",
    "韩冰",
    "冯颖",
    "邓超",
    "曹阳",
    "彭丹",
    "曾伟",
    "萧然",
    "田甜",
    "董洁",
    "潘越",
    "袁野",
    "蔡琴",
    "蒋欣",
    "余晖",
    "于洋",
    "杜鹃",
    "叶青",
    "程功",
    "苏晴",
    "魏来",
    "吕方",
    "丁宁",
    "单雄",
    "解晓东",
    "仇明",
    "朴志勇",
    "温馨",
    "张伟",
    "吴昊",
    "张梅",
    "沈冰",
    "任重",
)

# How often each item shows up in a month of patrols (relative weights).
DEMO_WEIGHTS = {
    "迟到": 30,
    "早退": 6,
    "脱岗": 5,
    "串岗": 4,
    "缺卡": 8,
    "请假": 5,
    "玩手机": 16,
    "着装不规范": 6,
    "未亮牌上岗": 10,
    "闲聊": 6,
    "吃零食": 2,
    "睡岗": 1,
    "服务用语不规范": 3,
    "未打开评价器": 5,
    "窗口摆放不规范": 4,
    "有效投诉": 1,
    "差评": 1,
    "上门服务": 10,
    "压缩办理时限": 8,
    "预约服务": 5,
    "延时服务": 6,
    "简化办事流程": 3,
    "表扬信": 3,
}
DEMO_NOTES = ("", "", "", "", "已当场提醒", "现场拍照留存", "经核实属实", "群众反映", "已通知单位负责人")


def demo_url(today: date | None = None) -> tuple[str, Path]:
    """A fresh copy of today's demo database in a temporary folder: (URL, folder to remove).

    The copy lives in patrol's cache folder, named with the id and start time of this process, not
    in the system's temporary folder: a demo killed (a closed terminal sends SIGHUP, which skips
    the removal) leaves a copy that the next demo removes, instead of one more folder in /tmp."""
    today = today or datetime.now(ZoneInfo("Asia/Shanghai")).date()
    from storage.backup import copy_closed_database
    from storage.files import private_folder, remove_leftovers, temporary_name

    cache = private_folder(cache_dir(), tighten=True)
    remove_leftovers([cache])
    cached = cache / f"demo-v{DEMO_VERSION}-{today.isoformat()}.db"
    if not cached.exists():
        for old in cache_dir().glob("demo-*.db"):
            old.unlink(missing_ok=True)
        build_demo(cached, today)
    folder = private_folder(cache / temporary_name())
    target = folder / "demo.db"
    copy_closed_database(cached, target)  # the template is written whole once, then only read
    return f"sqlite:///{target}", folder


def build_demo(path: Path, today: date, seed: int = 2026) -> None:
    """Build the demo hall into the SQLite file ``path`` (written aside, then renamed)."""
    from patrol.hall.opening import init_hall, open_hall
    from patrol.hall.pinyin_keys import new_staff_row, search_keys, sort_key
    from patrol.imports.roster import RosterPlan, apply_plan
    from patrol.rules.settings import DEFAULT_SETTINGS
    from storage.backup import copy_database
    from storage.files import private_folder
    from storage.ids import new_id
    from storage.writes import add_rules_version, ensure_inspector, insert_findings

    private_folder(path.parent)
    partial = path.with_suffix(".partial")
    for leftover in (partial, Path(f"{partial}-wal"), Path(f"{partial}-shm")):
        leftover.unlink(missing_ok=True)
    url = f"sqlite:///{partial}"
    init_hall(url, DEMO_HALL, device="demo")
    service = open_hall(url, fast=False, device="demo")
    plan = RosterPlan()
    units: dict[str, str] = {}
    names = iter(DEMO_STAFF)
    for position, (code, name, unit, zone) in enumerate(DEMO_WINDOWS, start=1):
        if unit not in units:
            units[unit] = new_id()
            plan.units.append({"id": units[unit], "name": unit, "search_keys": search_keys(unit)})
        window_id = new_id()
        plan.windows.append(
            {
                "id": window_id,
                "code": code,
                "name": name,
                "unit_id": units[unit],
                "zone": zone,
                "position": position,
                "search_keys": search_keys(name),
                "sort_key": sort_key(name),
            }
        )
        for slot, role in enumerate(("A岗", "B岗", "首席代表" if position % 4 == 0 else "A岗")):
            person = next(names)
            staff_id = new_id()
            plan.staff.append({"id": staff_id, **new_staff_row(person, window_id, role, position * 10 + slot)})
            plan.postings.append({"staff_id": staff_id, "window_id": window_id, "role": role, "starts": None})
    apply_plan(service, plan)
    # The demo hall has no clock-in machine: 满勤 is judged from the patrols (DESIGN).
    add_rules_version(
        service.engine,
        service.hall.id,
        None,
        replace(DEFAULT_SETTINGS, attendance_basis="patrol").to_json(),
        device="demo",
    )

    rng = random.Random(seed)
    tz = service.hall.tz
    inspector_ids = [ensure_inspector(service.engine, name, "demo") for name in DEMO_INSPECTORS]
    items = [service.rules.find(name) for name in DEMO_WEIGHTS]
    weights = list(DEMO_WEIGHTS.values())
    # Some windows are habitually worse, some better: the ranking then has a shape.
    habit = {w.id: rng.choice((0.4, 0.8, 1.0, 1.0, 1.3, 2.0)) for w in service.windows}
    start = (today.replace(day=1) - timedelta(days=1)).replace(day=1)  # last month and this one
    rows = []
    day = start
    now = datetime.now(UTC)
    while day <= today:
        if day.weekday() < 5:
            for _ in range(rng.randint(3, 9)):
                window = rng.choices(service.windows, weights=[habit[w.id] for w in service.windows])[0]
                item = rng.choices(items, weights=weights)[0]
                assert item is not None
                staff_here = service.lookup.staff_at(window.id)
                substitute = not item.is_window_level and window.code in {"8", "10"} and rng.random() < 0.3
                clerk = None if item.is_window_level or substitute else rng.choice(staff_here)
                minute = rng.randint(8 * 60 + 30, 17 * 60 + 30)
                at = datetime.combine(day, time(minute // 60, minute % 60), tz)
                if at.astimezone(UTC) > now:
                    continue
                values = service.findings.values(
                    window, clerk, item, substitute=substitute, at=at, note=rng.choice(DEMO_NOTES)
                )
                values["inspector_id"] = rng.choice(inspector_ids)
                rows.append(values)
        day += timedelta(days=1)
    insert_findings(service.engine, rows)
    _demo_figures(service, rng, start, inspector_ids[0])
    service.close()
    copy_database(partial, path)
    partial.unlink()


def _demo_figures(service: Any, rng: random.Random, last_month: date, inspector_id: str) -> None:
    """Service figures (办件量) of last month and the month before, as a business system exports
    them at month end: the notice of last month then has its 【办件情况】 with the change."""
    from patrol.rules.figures import month_code
    from storage.writes import record_service_figures

    volume = {w.id: rng.choice((60, 120, 200, 350, 600)) for w in service.windows}
    reviewed = {w.id: w.code not in {"10", "17", "18"} for w in service.windows}  # utilities count none
    months = {}
    for first in ((last_month - timedelta(days=1)).replace(day=1), last_month):
        rows = []
        for window in service.windows:
            received = max(1, round(volume[window.id] * rng.uniform(0.8, 1.25)))
            completed = received - rng.randint(0, max(1, received // 40))
            on_time = completed - rng.randint(0, max(1, completed // 200))
            good = round(completed * rng.uniform(0.3, 0.6)) if reviewed[window.id] else None
            bad = rng.choice((0, 0, 0, 1, 2)) if reviewed[window.id] else None
            rows.append(
                {
                    "window_id": window.id,
                    "received": received,
                    "completed": completed,
                    "on_time": on_time,
                    "good": good,
                    "bad": bad,
                }
            )
        months[month_code(first)] = (None, rows)
    record_service_figures(
        service.engine, service.hall.id, months, source="演示数据", inspector_id=inspector_id, device="demo"
    )
