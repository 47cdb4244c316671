"""The public surface, pinned, and the layers: which module may import which."""

import ast
import importlib
import importlib.util
import inspect
import pkgutil
from pathlib import Path

import chronos

#: Exactly the public names (httpx's exported-members test): adding or removing one is a decision.
PUBLIC = {
    "EVENT_TYPES",
    "SCHEMA_VERSION",
    "AmbiguousName",
    "AppendResult",
    "Appointed",
    "Arrested",
    "Born",
    "Catalogue",
    "CatalogueError",
    "Change",
    "Charged",
    "Checkpoint",
    "Chronology",
    "ChronosError",
    "Claim",
    "Codec",
    "ConcurrencyError",
    "Corrected",
    "DateError",
    "DeclaredComplete",
    "Day",
    "Died",
    "Diff",
    "Dismissed",
    "Dissolved",
    "End",
    "Entity",
    "Event",
    "EventLog",
    "Finding",
    "Follower",
    "Founded",
    "FuzzyDate",
    "History",
    "Identified",
    "IntegrityError",
    "IntegrityWarning",
    "InvalidEvent",
    "JsonlStore",
    "Left",
    "LookupFailed",
    "MemoryStore",
    "MissingDependency",
    "Moved",
    "NameAnswer",
    "Organisation",
    "PartialDate",
    "Person",
    "Place",
    "Policy",
    "Post",
    "PostgresStore",
    "Publication",
    "RecordError",
    "Recorded",
    "Released",
    "Renamed",
    "Resigned",
    "Resolved",
    "Retracted",
    "Roster",
    "RosterEntry",
    "RosterReported",
    "Seat",
    "SnapshotRow",
    "Source",
    "Span",
    "Spell",
    "SqliteStore",
    "Succession",
    "Store",
    "StoreError",
    "Tenure",
    "TenureEnded",
    "UnknownEventType",
    "UnknownReference",
    "UsageError",
    "Verified",
    "check",
    "copy_store",
    "explore",
    "make_converter",
    "name_key",
    "open_store",
    "parse_date",
    "register_event",
    "wikidata_date",
}

_MODEL = {
    "chronos.errors",
    "chronos.dates",
    "chronos._event_fields",
    "chronos.events",
    "chronos.sources",
    "chronos.entities",
}
_BELOW_LOG = _MODEL | {"chronos.codec", "chronos.stores", "chronos._fast"}
_BELOW_CHRONOLOGY = _BELOW_LOG | {
    "chronos.catalogue_history",
    "chronos.log",
    "chronos.projections",
    "chronos.chronology",
}

#: Each layer (a module, or a package and everything in it) and the chronos modules it may import.
#: A module is in the most specific layer naming it; every module must be in one.
LAYERS: dict[str, set[str]] = {
    "chronos.errors": set(),
    "chronos.dates": {"chronos.errors", "chronos.dates"},
    "chronos._event_fields": {"chronos.errors", "chronos.dates"},
    "chronos.events": {"chronos.errors", "chronos.dates", "chronos._event_fields"},
    "chronos.sources": {"chronos.errors", "chronos.dates", "chronos.events"},
    "chronos.names": set(),
    "chronos.entities": {
        "chronos.entities",
        "chronos.errors",
        "chronos.names",
        "chronos.sources",
        "chronos._fast.cache",
        "chronos._fast.gc",
        "chronos._fast.keptnames",
        "chronos._fast.nameindex",
        "chronos._fast.nearest",
    },
    "chronos._fast.gc": set(),
    "chronos._fast.cache": set(),
    "chronos._fast.mapped": {"chronos._fast.cache"},
    "chronos._fast.postings": {"chronos._fast.cache", "chronos._fast.gc", "chronos._fast.mapped"},
    "chronos._fast.nameindex": {
        "chronos.names",
        "chronos._fast.cache",
        "chronos._fast.gc",
        "chronos._fast.mapped",
        "chronos._fast.postings",
    },
    "chronos._fast.keptnames": {
        "chronos._fast.mapped",
        "chronos._fast.nameindex",
        "chronos._fast.postings",
    },
    "chronos._fast.grams": {
        "chronos._fast.cache",
        "chronos._fast.gc",
        "chronos._fast.mapped",
        "chronos._fast.postings",
    },
    "chronos._fast.nearest": {"chronos._fast.grams", "chronos._fast.postings"},
    "chronos._fast.decode": {"chronos.errors", "chronos.dates", "chronos.events", "chronos._event_fields"},
    "chronos._fast.encode": {"chronos.dates", "chronos.events"},
    "chronos._fast": set(),
    "chronos.codec": {
        "chronos.errors",
        "chronos.dates",
        "chronos.events",
        "chronos._fast.decode",
        "chronos._fast.encode",
    },
    "chronos.stores": {"chronos.errors", "chronos.stores"},
    "chronos.catalogue_history": _MODEL | {"chronos.stores"},
    "chronos.log": _MODEL | {"chronos.codec", "chronos.stores", "chronos.catalogue_history", "chronos.log"},
    "chronos.projections": _MODEL | {"chronos.projections", "chronos._fast.gc"},
    "chronos.chronology": _BELOW_LOG | {"chronos.log", "chronos.projections"},
    "chronos.checks": _BELOW_CHRONOLOGY,
    "chronos.live": _BELOW_CHRONOLOGY,
    "chronos.columnar": _BELOW_CHRONOLOGY | {"chronos.columnar"},
    "chronos.interop": _BELOW_CHRONOLOGY | {"chronos.interop"},
    "chronos.output": _BELOW_CHRONOLOGY | {"chronos.checks", "chronos.output"},
    "chronos.testing": _BELOW_LOG | {"chronos.log", "chronos.testing"},
    "chronos.cli": {"chronos"},  # the command wires everything together
    "chronos.__main__": {"chronos.cli"},
    "chronos": {"chronos"},  # the root re-exports the public API
}


def _modules() -> list[str]:
    names = ["chronos"]
    names += [info.name for info in pkgutil.walk_packages(chronos.__path__, "chronos.")]
    return names


def _layer(module: str) -> str:
    best = max((name for name in LAYERS if module == name or module.startswith(name + ".")), key=len)
    return best


def _imports(module: str) -> set[str]:
    spec = importlib.util.find_spec(module)
    assert spec is not None
    assert spec.origin is not None
    tree = ast.parse(Path(spec.origin).read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "chronos" or node.module.startswith("chronos."):
                # `from package import module` imports that module; `from module import name`, the module.
                for alias in node.names:
                    full = f"{node.module}.{alias.name}"
                    found.add(full if _is_module(full) else node.module)
        elif isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name.startswith("chronos")}
    return found


def _is_module(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:
        return False


def _allowed(imported: str, allowed: set[str]) -> bool:
    return any(imported == name or imported.startswith(name + ".") for name in allowed)


class TestPublicApi:
    """The package re-exports exactly its public names."""

    def test_all_is_the_pinned_list(self) -> None:
        assert set(chronos.__all__) == PUBLIC
        assert len(chronos.__all__) == len(PUBLIC)

    def test_all_matches_public_names(self) -> None:
        public = {name for name in vars(chronos) if not name.startswith("_")}
        modules = {name for name, value in vars(chronos).items() if inspect.ismodule(value)}
        assert set(chronos.__all__) == public - modules

    def test_every_module_imports_and_has_a_docstring(self) -> None:
        for name in _modules():
            if name.endswith("__main__"):
                continue
            module = importlib.import_module(name)
            assert module.__doc__, name

    def test_examples_import_only_public_names(self) -> None:
        root = Path(__file__).parent.parent / "examples"
        for path in sorted(root.glob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("chronos"):
                    assert node.module in {"chronos", "chronos.interop", "chronos.testing"}, (
                        path.name,
                        node.module,
                    )
                    if node.module == "chronos":
                        assert {a.name for a in node.names} <= PUBLIC, path.name


class TestLayers:
    """Imports flow one way: each module imports only from the layers below it."""

    def test_every_module_has_a_layer(self) -> None:
        for name in _modules():
            assert any(name == layer or name.startswith(layer + ".") for layer in LAYERS), name

    def test_every_import_is_allowed(self) -> None:
        bad = []
        for name in _modules():
            allowed = LAYERS[_layer(name)]
            for imported in _imports(name):
                if not _allowed(imported, allowed):
                    bad.append(f"{name} imports {imported}")
        assert bad == []

    def test_the_table_can_fail(self) -> None:
        """A projection importing the log would be caught (the check is not vacuous)."""
        assert not _allowed("chronos.log", LAYERS[_layer("chronos.projections.roster")])
        assert not _allowed("chronos.chronology", LAYERS[_layer("chronos.events")])
        assert _layer("chronos.projections.roster") == "chronos.projections"


#: The most lines a module may have: past it, a module is doing more than one job (issue #11).
MAX_MODULE_LINES = 500


class TestModuleSize:
    """Small modules with one job: none grows past `MAX_MODULE_LINES`."""

    def test_every_module_is_small(self) -> None:
        root = Path(chronos.__file__).parent
        large = {
            str(path.relative_to(root)): count
            for path in sorted(root.rglob("*.py"))
            if (count := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
        }
        assert large == {}, f"split these by job: {large}"

    def test_the_limit_can_fail(self) -> None:
        """The count is of real lines: the largest module is well over a hundred of them."""
        root = Path(chronos.__file__).parent
        assert max(len(p.read_text(encoding="utf-8").splitlines()) for p in root.rglob("*.py")) > 100
