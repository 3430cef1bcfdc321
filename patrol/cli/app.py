"""Opening the app (`patrol`, `patrol demo`) and making a hall (`patrol init`)."""

from __future__ import annotations

import argparse
import sys
from typing import Any, Protocol

from patrol import config
from patrol.cli.common import url
from patrol.errors import UserError


def register(sub: Any) -> None:
    """Add `demo` and `init`."""
    p = sub.add_parser(
        "demo",
        help="打开演示大厅（约 20 个窗口、60 名人员、一个多月的巡查记录）",
        description="在临时副本上打开演示大厅，不会改动你的数据库。",
    )
    p.set_defaults(func=demo)
    p = sub.add_parser(
        "init", help="新建大厅（使用默认巡查规则）", description="创建数据库（如需要）和一个使用默认规则的大厅。"
    )
    p.add_argument("--hall", dest="init_hall", metavar="名称", required=True, help="大厅名称")
    p.set_defaults(func=init)


class AppRunner(Protocol):
    """What opens the terminal app: ``screens.main.run_app``, handed in by the program's entry
    point (``patrol`` / ``python -m screens``), so that ``patrol`` never imports ``screens``."""

    def __call__(self, url: str, *, hall: str | None, inspector: str, demo: bool, lock_minutes: float) -> int: ...


def run_app(args: argparse.Namespace, db_url: str | None = None, demo: bool = False) -> int:
    """Open the app on ``db_url`` (the default database when None)."""
    import os

    from patrol.hall.lock import LOCK_ENV, lock_minutes

    minutes = lock_minutes(args.lock_after if args.lock_after is not None else os.environ.get(LOCK_ENV))
    launch: AppRunner | None = getattr(args, "open_app", None)
    if launch is None:
        raise UserError("这个入口只运行命令；打开巡查界面请运行 patrol（开发时：python -m screens）。")
    return launch(
        db_url or url(args),
        hall=args.hall,
        inspector=args.inspector or config.default_inspector(),
        demo=demo,
        lock_minutes=minutes,
    )


def demo(args: argparse.Namespace) -> int:
    """`patrol demo`: the demo hall on a throwaway copy."""
    import shutil

    from patrol.demo import demo_url

    print("正在准备演示大厅…", file=sys.stderr)
    db_url, folder = demo_url()
    try:
        return run_app(argparse.Namespace(**{**vars(args), "hall": None}), db_url, demo=True)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def init(args: argparse.Namespace) -> int:
    """`patrol init --hall NAME`."""
    from patrol.hall.opening import init_hall

    hall = init_hall(url(args), args.init_hall, device=config.device_id())
    print(f"已创建大厅“{hall.name}”（默认巡查规则）。下一步：patrol roster import 名册.xlsx")
    return 0
