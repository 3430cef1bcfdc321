"""Run every benchmark: `make bench` or `python -m bench`. Exit 1 if a budget is over."""

import sys

from bench import crash, export, hot_path, punches, startup, terminal, verify

ok = startup.main()
ok &= terminal.main()
ok &= hot_path.main()
ok &= export.main()
ok &= verify.main()
ok &= crash.main()
ok &= punches.main()
sys.exit(0 if ok else 1)
