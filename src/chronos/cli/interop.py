"""Data in and out: ``import`` (Popolo, membership lists, FtM, CSV) and ``export``."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from chronos.cli._app import App, Namespace, date_arg, load
from chronos.interop import FORMATS, export, import_file
from chronos.log import EventLog

EPILOG_IMPORT = """\
examples:
  chronos --log sp import memberships sp-ministers/2021-06-22_6c7a92af.json --known-at 2021-06-22
  chronos --log sp import memberships sp-ministers/2021-07-06_e9b584e0.json --known-at 2021-07-06
  chronos import popolo people.json --dataset parliament

Formats: popolo (Popolo JSON), memberships (a JSON list of records with role,
person_id, organization_id, start_date, end_date), ftm (FollowTheMoney JSON
lines), csv (the tenure CSV that `chronos export csv` writes).

Importing the same file twice adds nothing. Importing a newer version of a
dataset (the files of one directory, or --dataset NAME) adds only what changed:
new records, records closed, and corrections or retractions of claims whose
dates, post or holder changed, known from --known-at (default: today).
The log (a directory) is created when missing."""

EPILOG_EXPORT = """\
examples:
  chronos export popolo -o nsc.json
  chronos export csv --known-at 2022-01-07 > tenures.csv
  chronos export ftm -o nsc.ftm.jsonl

Dates are EDTF with their precision; --known-at exports what was public that day."""


def register(app: App) -> None:
    """Add import and export."""
    sub = app.command(
        "import", "import a Popolo, membership-list, FtM or CSV file", _import, epilog=EPILOG_IMPORT
    )
    sub.add_argument("format", choices=FORMATS, metavar="FORMAT", help=f"one of {', '.join(FORMATS)}")
    sub.add_argument("file", metavar="FILE", help="the file to import")
    sub.add_argument(
        "--known-at", type=date_arg, metavar="DATE", help="when this version became public (default: today)"
    )
    sub.add_argument(
        "--dataset",
        metavar="NAME",
        help="the dataset this file is a version of (default: the name of its directory)",
    )

    sub = app.command(
        "export", "export tenures and entities as Popolo, FtM or CSV", _export, epilog=EPILOG_EXPORT
    )
    sub.add_argument("format", choices=FORMATS, metavar="FORMAT", help=f"one of {', '.join(FORMATS)}")
    sub.add_argument("-o", "--output", metavar="FILE", help="write to FILE (default: standard output)")
    app.options(sub, policy=False, fmt=False)


def _import(args: Namespace) -> int:
    location = args.log or os.environ.get("CHRONOS_LOG") or "events"
    log = EventLog.open(location, create=True)  # as the epilog says: a missing log is created
    report = import_file(log, args.format, args.file, known_at=args.known_at, dataset=args.dataset)
    print(report)
    return 0


def _export(args: Namespace) -> int:
    _, chronology = load(args)
    text = export(chronology, args.format, known_at=args.known_at)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8", newline="")
        print(f"wrote {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0
