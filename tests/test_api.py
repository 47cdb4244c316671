import importlib
import inspect
import pkgutil

import chronos


class TestPublicApi:
    """The package re-exports exactly its public names."""

    def test_all_matches_public_names(self) -> None:
        public = {name for name in vars(chronos) if not name.startswith("_")}
        modules = {name for name, value in vars(chronos).items() if inspect.ismodule(value)}
        assert set(chronos.__all__) == public - modules

    def test_every_module_imports_and_has_a_docstring(self) -> None:
        for info in pkgutil.walk_packages(chronos.__path__, "chronos."):
            if info.name.endswith("__main__"):
                continue
            module = importlib.import_module(info.name)
            assert module.__doc__, info.name

    def test_events_import_nothing_but_dates(self) -> None:
        import ast
        from pathlib import Path

        tree = ast.parse(Path(chronos.events.__file__).read_text(encoding="utf-8"))
        imported = {
            n.module
            for n in ast.walk(tree)
            if isinstance(n, ast.ImportFrom) and n.module and n.module.startswith("chronos")
        }
        assert imported == {"chronos.dates"}

    def test_projections_import_only_the_model(self) -> None:
        import ast
        from pathlib import Path

        allowed = {"chronos.events", "chronos.dates", "chronos.entities", "chronos.errors"}
        for path in Path(chronos.__file__).parent.joinpath("projections").glob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("chronos"):
                    assert node.module in allowed or node.module.startswith("chronos.projections"), (
                        path.name,
                        node.module,
                    )
