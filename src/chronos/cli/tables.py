"""Tables for SQL clients: ``tenures-table`` keeps ``chronos_tenures`` in a SQLite or PostgreSQL log."""

from __future__ import annotations

import json

from chronos.cli._app import App, Namespace, log_location
from chronos.stores import display

EPILOG = """\
examples:
  chronos --log sqlite:///nsc.db tenures-table
  chronos_tenures rebuilt at head 133 (policy cautious): 97 rows; every append now keeps it current
  chronos --log sqlite:///nsc.db tenures-table --status
  chronos --log postgresql://chronos@db.example.org/chronos tenures-table --policy latest
  chronos --log sqlite:///nsc.db tenures-table --drop

Builds, in the log's own database, the table chronos_tenures: one row per
reconciled tenure, with both clocks (the days it certainly and possibly began
and ended; the knowledge dates known_from <= K < known_until over which the
record said so), for any SQL client (sqlite3, datasette, psql, a BI tool) to
ask "who held what on D, as known on K" (the README has the SQL). From then on
every append to the log, by any chronos command or program, keeps it current:
extended when what is appended only adds to history, rebuilt when it reaches
back. The table is derived, never evidence: --drop removes it, and verify
neither checks nor trusts it. --policy picks how disputed claims are settled
(default: the policy the table was built under, else cautious)."""


def register(app: App) -> None:
    """Add tenures-table."""
    sub = app.command(
        "tenures-table",
        "keep a SQL table of tenures, both clocks, in a SQLite or PostgreSQL log",
        _tenures_table,
        epilog=EPILOG,
    )
    what = sub.add_mutually_exclusive_group()
    what.add_argument(
        "--status", action="store_true", help="say whether the table is current; change nothing"
    )
    what.add_argument("--drop", action="store_true", help="drop the table: appends no longer keep it")
    sub.add_argument(
        "--policy", help="how disputed claims are settled: cautious, earliest, latest, prefer:SRC"
    )
    sub.add_argument("--format", choices=("table", "json"), default="table", help="output format")


def _tenures_table(args: Namespace) -> int:
    # Imported here: the columnar engine (NumPy) is needed only by this command.
    from chronos.columnar import sql

    location = log_location(args)
    where = display(location)
    if args.drop:
        dropped = sql.drop_tenures(location)
        _say(
            args,
            {"table": "chronos_tenures", "dropped": dropped},
            (
                "dropped chronos_tenures: appends no longer keep it"
                if dropped
                else f"{where} keeps no chronos_tenures table: nothing to drop"
            ),
        )
        return 0
    if not args.status:
        done = sql.refresh_tenures(location, policy=args.policy)
    status = sql.tenures_status(location)
    facts = {
        "table": "chronos_tenures",
        "kept": status.position is not None,
        "current": status.current,
        "position": status.position,
        "head": status.head,
        "policy": status.policy,
        "rows": status.rows,
    }
    if args.status:
        if status.position is None:
            line = f"{where} keeps no chronos_tenures table (`chronos tenures-table` builds it)"
        elif status.current:
            line = (
                f"chronos_tenures is current at head {status.head} (policy {status.policy}): "
                f"{status.rows} rows"
            )
        else:
            line = (
                f"chronos_tenures is behind: at position {status.position}, the log at {status.head} "
                "(`chronos tenures-table` brings it current)"
            )
        _say(args, facts, line)
        return 0
    facts["done"] = done
    _say(
        args,
        facts,
        (
            f"chronos_tenures {done} at head {status.head} (policy {status.policy}): {status.rows} rows; "
            "every append now keeps it current"
        ),
    )
    return 0


def _say(args: Namespace, facts: dict[str, object], line: str) -> None:
    print(json.dumps(facts) if args.format == "json" else line)
