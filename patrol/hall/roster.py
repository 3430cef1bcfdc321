"""The roster over time (DESIGN: 'Who counts in a period', 任职): who sat at which window from
which day, and finding a person by name at a window on a day. The changes a roster takes are
``patrol.hall.roster_changes``.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from typing import TYPE_CHECKING

from patrol.errors import UserError
from patrol.model import StaffInfo, WindowInfo
from patrol.rules.periods import check_day
from patrol.rules.postings import Stint, seat_on, stints
from patrol.text import same_name

if TYPE_CHECKING:
    from patrol.hall.search import SearchHit
    from patrol.hall.service import HallService

ROLES = ("A岗", "B岗", "首席代表", "购岗人员")


# --- days ------------------------------------------------------------------------------


def parse_day(text: str) -> date:
    """A day as people write it: YYYY-MM-DD (or YYYY/MM/DD); a clear UserError otherwise."""
    text = text.strip()
    for sep in ("-", "/"):
        parts = text.split(sep)
        if len(parts) == 3 and all(p.isdigit() for p in parts) and len(parts[0]) == 4:
            try:
                day = date(int(parts[0]), int(parts[1]), int(parts[2]))
            except ValueError:
                break
            return check_day(text, day)
    raise UserError(f"无法识别的日期“{text}”，请写作 YYYY-MM-DD，例如 2026-11-20。")


def check_role(role: str) -> str:
    """``role`` when it is one the hall uses (or empty); UserError naming the choices otherwise."""
    role = role.strip()
    if role and role not in ROLES:
        raise UserError(f"无法识别的岗位“{role}”，可写：{'、'.join(ROLES)}（或留空）。")
    return role


# --- who sat where ---------------------------------------------------------------------


def history(service: HallService, person: StaffInfo) -> list[Stint]:
    """A person's stints, oldest first."""
    return stints(service.postings.get(person.id, []))


def seat(service: HallService, person: StaffInfo, day: date) -> Stint | None:
    """Where ``person`` sat on ``day`` (None: not posted that day)."""
    return seat_on(service.postings.get(person.id, []), day)


def first_day(service: HallService, person: StaffInfo) -> date | None:
    """The first day ``person`` was posted anywhere (None: from the beginning, or never)."""
    found = history(service, person)
    return found[0].first if found else None


def staff_on(service: HallService, day: date) -> list[StaffInfo]:
    """The roster as it stood on ``day``: each person at the window they sat at then (or at the
    last one before, with ``active`` False when they were not posted that day)."""
    out = []
    for person in service.staff:
        found = history(service, person)
        now = next((s for s in found if s.covers(day)), None)
        before = [s for s in found if s.first is None or s.first <= day]
        where = now or (before[-1] if before else None)
        if where is None:  # posted only later than ``day``
            out.append(replace(person, active=False))
        else:
            out.append(replace(person, window_id=where.window_id, role=where.role, active=now is not None))
    return out


def status(service: HallService, person: StaffInfo, today: date | None = None) -> str:
    """How the roster describes a person today: 在岗, 2026-11-20 起离岗, 2026-12-01 起到岗."""
    today = today or service.today()
    found = history(service, person)
    if any(s.covers(today) for s in found):
        return "在岗"
    later = [s for s in found if s.first is not None and s.first > today]
    if later:
        return f"{later[0].first:%Y-%m-%d} 起到岗"
    ended = [s.end for s in found if s.end is not None and s.end <= today]
    return f"{max(ended):%Y-%m-%d} 起离岗" if ended else "离岗"


def window_words(service: HallService, window_id: str | None) -> str:
    """A window as a message names it: 5 号窗口 (or （未知窗口）)."""
    window = service.window_by_id.get(window_id or "")
    return f"{window.code} 号窗口" if window else "（未知窗口）"


def _when(day: date | datetime) -> str:
    return f"{day:%Y-%m-%d %H:%M}" if isinstance(day, datetime) else f"{day:%Y-%m-%d}"


def person_at(service: HallService, name: str, window: WindowInfo | None, day: date | None = None) -> StaffInfo:
    """The person called ``name`` who sat at ``window`` (any window, when None) on ``day``
    (today by default): also someone who has since moved or left. UserError saying why not
    otherwise: nobody of that name, not yet posted then, already left, at another window."""
    return _person_at(service, name, window, day, day)


def person_at_time(service: HallService, name: str, window: WindowInfo | None, at: datetime) -> StaffInfo:
    """The same for a local time (a finding's): messages name the time."""
    return _person_at(service, name, window, at.astimezone(service.hall.tz).date(), at.astimezone(service.hall.tz))


def _person_at(
    service: HallService, name: str, window: WindowInfo | None, day: date | None, said: date | datetime | None
) -> StaffInfo:
    name = same_name(name)
    if not name:
        raise UserError("姓名不能为空。")
    today = service.today()
    day = day or today
    when = "现在" if said is None else f"{_when(said)} 时"
    named = [s for s in service.staff if s.name == name]
    posted = [(s, seat(service, s, day)) for s in named]
    there = [(s, st) for s, st in posted if st is not None and (window is None or st.window_id == window.id)]
    if len(there) == 1:
        return there[0][0]
    if len(there) > 1:
        where = "、".join(window_words(service, st.window_id) for _, st in there)
        raise UserError(f"有 {len(there)} 位“{name}”（{where}），请用 --window 指明是哪个窗口的。")
    # Nobody of that name sat there then: say why.
    if window is None:
        if not named:
            raise UserError(f"没有名为“{name}”的在岗人员。请检查姓名，或先导入名册。")
        person = named[0]
        raise UserError(f"{name} {when}不在岗：{story(service, person, day)}。")
    here = [s for s in named if any(st.window_id == window.id for st in history(service, s))]
    if here:
        raise UserError(_not_there(service, here[0], window, day, when))
    hint = ""
    elsewhere = [(s, st) for s, st in posted if st is not None]
    if elsewhere:
        places = "、".join(window_words(service, st.window_id) for _, st in elsewhere)
        hint = f"此人{'' if said is None else '当时'}在 {places}。"
    elif named:
        hint = f"{story(service, named[0], day)}。"
    else:
        hint = "请检查姓名，或先导入名册。"
    raise UserError(f"{window.code} 号窗口没有名为“{name}”的在岗人员。{hint}")


def _not_there(service: HallService, person: StaffInfo, window: WindowInfo, day: date, when: str) -> str:
    """Why ``person``, who sat at ``window`` at some time, was not there on ``day``."""
    stays = [st for st in history(service, person) if st.window_id == window.id]
    starts = [st.first for st in stays if st.first is not None]
    if stays and len(starts) == len(stays) and min(starts) > day:
        return f"{person.name} 自 {min(starts):%Y-%m-%d} 起才在 {window.code} 号窗口任职，{when}还不在该窗口。"
    return f"{person.name} {when}不在 {window.code} 号窗口：{story(service, person, day)}。"


def story(service: HallService, person: StaffInfo, day: date) -> str:
    """Where ``person`` was around ``day``, in a few words (for messages)."""
    found = history(service, person)
    now = next((s for s in found if s.covers(day)), None)
    if now is not None:
        return f"{'此人' if day == service.today() else '当天'}在 {window_words(service, now.window_id)}"
    later = [s for s in found if s.first is not None and s.first > day]
    earlier = [s for s in found if s.end is not None and s.end <= day]
    if earlier and not later:
        last = earlier[-1]
        return f"已于 {last.end:%Y-%m-%d} 离开 {window_words(service, last.window_id)}"
    if later and not earlier:
        return f"自 {later[0].first:%Y-%m-%d} 起才任职（{window_words(service, later[0].window_id)}）"
    if later and earlier:
        return f"{earlier[-1].end:%Y-%m-%d} 至 {later[0].first:%Y-%m-%d} 期间不在岗"
    return "没有任职记录"


def posting_problem(service: HallService, person: StaffInfo, window: WindowInfo, at: datetime) -> str | None:
    """Why a finding against ``person`` at ``window`` at ``at`` cannot be, or None when they sat
    there then (a finding stays with the window where it happened)."""
    local = at.astimezone(service.hall.tz)
    found = seat(service, person, local.date())
    if found is not None and found.window_id == window.id:
        return None
    return _not_there(service, person, window, local.date(), f"{_when(local)} 时")


# --- finding people as the search finds them ----------------------------------------------


def candidates(service: HallService, query: str, window: WindowInfo | None = None) -> list[SearchHit]:
    """People (or, when no person matches, windows) that ``query`` names as `/` finds them:
    a full name, a surname, full pinyin or pinyin initials. A full name that matches is
    preferred to longer names that start with it. With ``window``, only people who sat there."""
    query = same_name(query)
    if not query:
        return []
    hits = service.lookup.search_index.search(query, limit=200)
    people = [h for h in hits if h.kind == "staff"]
    if window is not None:
        people = [h for h in people if any(st.window_id == window.id for st in _stints_of(service, h.id))]
    exact = [h for h in people if h.title == query]
    if exact or people or window is not None:
        return exact or people
    seen: set[str] = set()
    places = []
    for hit in hits:
        if hit.kind in ("window", "unit") and hit.id not in seen:
            seen.add(hit.id)
            places.append(hit)
    return places


def _stints_of(service: HallService, staff_id: str) -> list[Stint]:
    return stints(service.postings.get(staff_id, []))


def describe(service: HallService, hit: SearchHit) -> str:
    """A candidate as a list shows it: 张伟（3 号窗口 住建窗口）, 曾志明（1 号窗口，2026-11-20 起离岗）."""
    if hit.kind != "staff":
        place = service.window_by_id[hit.id]
        return f"窗口 {place.code} {place.name}"
    person = service.staff_by_id[hit.id]
    window = service.window_by_id.get(person.window_id)
    where = f"{window.code} 号窗口 {window.name}" if window else "无窗口"
    state = status(service, person)
    return f"{person.name}（{where}{'' if state == '在岗' else '，' + state}）"
