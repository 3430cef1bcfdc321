"""A city month of punches (issue 10): 5,000 staff × 22 working days × 2 punches = 220,000 rows in
a CSV, imported by `patrol clockin import` in a process of its own, so that its peak memory can be
read (ru_maxrss of that child alone). Budget: 20 s and 256 MiB. Then the same file again (nothing
new: every punch is found stored) and the month's ranking with the punch findings in it.

Baseline, measured in the same run: Python's csv module reading the same file into a list.

The hall is built once into bench/.cache through ``storage.writes`` (5,000 staff with distinct
names at 250 windows, posted from the beginning, and the hours); about 3 % of the days are late
and 1 % miss the evening punch, so the import writes a few thousand findings too.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from bench.common import CACHE

STAFF = 5000
DAYS = 22
HALL = "市政务服务中心打卡"
VERSION = 1
BUDGET_S = 20.0
BUDGET_MIB = 256.0
CPU: list[float] = []  # CPU seconds of each measured child, in order


def _names(count: int, rng: random.Random) -> list[str]:
    from bench.city import GIVEN, SURNAMES

    names: set[str] = set()
    while len(names) < count:
        names.add(rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN))
    return sorted(names)


def _working_days(today: date) -> list[date]:
    """The last ``DAYS`` national working days before today."""
    from patrol.rules.workdays import national_working_day

    out: list[date] = []
    day = today - timedelta(days=1)
    while len(out) < DAYS:
        if national_working_day(day):
            out.append(day)
        day -= timedelta(days=1)
    return sorted(out)


def build(today: date, staff_count: int = STAFF, folder: Path = CACHE) -> tuple[str, Path, str]:
    """The database URL, the punch CSV and the period to rank, built once per day into ``folder``
    (a small hall for the smoke test)."""
    from patrol.hall.pinyin_keys import search_keys, sort_key
    from patrol.rules.items import DEFAULT_RULES
    from patrol.rules.settings import DEFAULT_SETTINGS
    from storage.engine import open_engine
    from storage.ids import new_id
    from storage.writes import add_versioned, apply_roster, create_hall

    db = folder / f"punches-v{VERSION}-{staff_count}-{today:%Y-%m-%d}.db"
    csv_path = db.with_suffix(".csv")
    days = _working_days(today)
    period = f"{days[0]:%Y-%m-%d}..{days[-1]:%Y-%m-%d}"
    if db.exists() and csv_path.exists():
        return f"sqlite:///{db}", csv_path, period
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("punches-*"):
        old.unlink()
    rng = random.Random(10)
    partial = db.with_suffix(".partial")
    engine = open_engine(f"sqlite:///{partial}")
    hall_id = create_hall(engine, HALL, [i.as_row() for i in DEFAULT_RULES], DEFAULT_SETTINGS.to_json(), device="bench")
    windows = [
        {
            "id": new_id(),
            "code": str(w + 1),
            "name": f"第{w + 1}窗口",
            "zone": "",
            "position": w,
            "search_keys": search_keys(f"第{w + 1}窗口"),
            "sort_key": sort_key(f"第{w + 1}窗口"),
        }
        for w in range(max(1, staff_count // 20))
    ]
    names = _names(staff_count, rng)
    staff, postings = [], []
    for s, name in enumerate(names):
        staff_id, window_id = new_id(), windows[s % len(windows)]["id"]
        staff.append(
            {
                "id": staff_id,
                "window_id": window_id,
                "name": name,
                "role": "A岗",
                "active": True,
                "position": s,
                "search_keys": search_keys(name, True),
                "sort_key": sort_key(name, True),
            }
        )
        postings.append({"staff_id": staff_id, "window_id": window_id, "role": "A岗", "starts": None})
    apply_roster(engine, hall_id, [], windows, [], staff, [], postings, device="bench")
    hours = {"hall_id": hall_id, "starts": date(2000, 1, 1), "am": "09:00-12:00", "pm": "14:00-17:00"}
    add_versioned(engine, "work_hours", [{**hours, "grace": 5, "punches": 2}], device="bench")
    engine.dispose()
    partial.rename(db)
    with csv_path.open("w", encoding="utf-8") as out:
        out.write("姓名,打卡时间,设备\n")
        for day in days:
            for name in names:
                late = rng.random() < 0.03
                first = datetime(day.year, day.month, day.day, 8, 30) + timedelta(seconds=rng.randrange(1800))
                if late:
                    first += timedelta(minutes=rng.randrange(10, 40))
                out.write(f"{name},{first:%Y-%m-%d %H:%M:%S},大厅东门\n")
                if rng.random() >= 0.01:
                    last = datetime(day.year, day.month, day.day, 17, 0) + timedelta(seconds=rng.randrange(3600))
                    out.write(f"{name},{last:%Y-%m-%d %H:%M:%S},大厅东门\n")
    return f"sqlite:///{db}", csv_path, period


def _measured(argv: list[str]) -> tuple[float, float, str]:
    """Wall seconds, peak MiB (ru_maxrss of that child alone) and stdout of one child; its CPU
    seconds go into ``CPU`` (the machine may be shared: wall time then says little alone)."""
    start = time.perf_counter()
    with open(os.devnull, "wb") as null:
        import tempfile

        with tempfile.TemporaryFile() as captured:
            process = subprocess.Popen(argv, stdout=captured, stderr=null)
            _, status, usage = os.wait4(process.pid, 0)
            elapsed = time.perf_counter() - start
            CPU.append(usage.ru_utime + usage.ru_stime)
            captured.seek(0)
            out = captured.read().decode()
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{argv} failed")
    return elapsed, usage.ru_maxrss / 1024, out


def main(staff_count: int = STAFF, folder: Path = CACHE) -> bool:
    """Run the cases; True when every budget holds."""
    import shutil

    today = datetime.now(UTC).date()
    url, csv_path, period = build(today, staff_count, folder)
    work = folder / "punches-run.db"
    shutil.copyfile(url.removeprefix("sqlite:///"), work)
    run_url = f"sqlite:///{work}"
    patrol = [sys.executable, "-m", "patrol", "--db", run_url, "--inspector", "bench"]
    base_code = f"import csv,sys\nrows=list(csv.reader(open({str(csv_path)!r}, encoding='utf-8')))\nprint(len(rows))"
    base_s, base_mib, _ = _measured([sys.executable, "-c", base_code])
    seconds, mib, out = _measured([*patrol, "clockin", "import", str(csv_path)])
    ok = seconds < BUDGET_S and mib < BUDGET_MIB
    print(
        f"clockin import, {staff_count} staff × {DAYS} days × 2 punches: {seconds:.1f} s (CPU {CPU[-1]:.1f} s), "
        f"peak {mib:.0f} MiB; "
        f"baseline csv.reader of the same file {base_s:.2f} s, {base_mib:.0f} MiB; "
        f"budget {BUDGET_S:.0f} s and {BUDGET_MIB:.0f} MiB: {'OK' if ok else 'OVER'}"
    )
    print(f"  {out.strip()}")
    again_s, again_mib, out = _measured([*patrol, "clockin", "import", str(csv_path)])
    again_ok = again_s < BUDGET_S and again_mib < BUDGET_MIB and "新 0 条" in out
    print(
        f"the same file again: {again_s:.1f} s (CPU {CPU[-1]:.1f} s), peak {again_mib:.0f} MiB: "
        f"{'OK' if again_ok else 'OVER'}"
    )
    rank_s, rank_mib, _ = _measured([*patrol, "rank", "--period", period, "--format", "csv"])
    print(
        f"rank --period {period} with the punch findings: {rank_s:.1f} s (CPU {CPU[-1]:.1f} s), peak {rank_mib:.0f} MiB"
    )
    work.unlink()
    for suffix in ("-wal", "-shm"):
        Path(f"{work}{suffix}").unlink(missing_ok=True)
    return ok and again_ok


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
