"""The arrows of the code hold: screens -> patrol -> storage, the rules pure, no Textual below the
screens (the contracts are in pyproject.toml; `make test` runs lint-imports too)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_import_contracts_are_kept() -> None:
    done = subprocess.run(
        [Path(sys.executable).with_name("lint-imports"), "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout[-3000:]
    assert "BROKEN" not in done.stdout and "0 broken" in done.stdout


def test_the_entry_point_is_outside_patrol() -> None:
    """`patrol` starts in screens.main, which hands the command line the app: nothing in patrol
    imports screens, so the command line runs without Textual."""
    code = (
        "import sys; import patrol.cli, patrol.cli.app;"
        "assert not any(m == 'screens' or m.startswith('screens.') for m in sys.modules), sorted(sys.modules)"
    )
    assert subprocess.run([sys.executable, "-c", code], cwd=ROOT).returncode == 0


def test_no_module_imports_itself_back() -> None:
    """No import circles at run time between our modules (a module-level import of one module by
    another that, however indirectly, imports it): the arrows are one way inside each layer too.
    Imports made only for the type checker (``if TYPE_CHECKING``) are not circles."""
    import grimp

    graph = grimp.build_graph(
        "patrol", "screens", "storage", include_external_packages=False, exclude_type_checking_imports=True
    )
    circles = sorted(
        {
            tuple(sorted((module, imported)))
            for module in graph.modules
            for imported in graph.find_modules_directly_imported_by(module)
            if graph.chain_exists(importer=imported, imported=module)
        }
    )
    assert circles == []
