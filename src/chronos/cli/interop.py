"""Data in and out: ``import`` (Popolo, membership lists, FtM, CSV, Wikidata) and ``export``."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from chronos.cli._app import MAX_PROBLEMS, App, Namespace, date_arg, error, load, outside_log
from chronos.interop import (
    FORMATS,
    IMPORT_FORMATS,
    ImportReport,
    NothingImported,
    export,
    import_file,
    import_text,
    import_wikidata,
)
from chronos.interop.parquet import write_parquet
from chronos.log import EventLog

#: What ``export`` writes: the text formats, and Parquet tables in a directory.
EXPORT_FORMATS = (*FORMATS, "parquet")

EPILOG_IMPORT = """\
examples:
  chronos --log sp import memberships sp-ministers/2021-06-22_6c7a92af.json --known-at 2021-06-22
  chronos --log sp import memberships sp-ministers/2021-07-06_e9b584e0.json --known-at 2021-07-06
  chronos import popolo people.json --dataset parliament
  chronos import popolo everypolitician-kazakhstan/379106e8/ep-popolo-v1.0.json --known-at 2016-05-01
  chronos import popolo mazhilis.json --known-at 2016-05-01 --complete
  chronos import wikidata Q264766.json Q234182.entity.json positions-labels.json
  chronos import ftm ve_asamblea_nacional.entities.ftm.json
  chronos --log old export csv | chronos --log new import csv - --dataset old-log

Formats: popolo (Popolo JSON), memberships (a JSON list of records with role,
person_id, organization_id, start_date, end_date), ftm (FollowTheMoney JSON
lines, OpenSanctions exports included), csv (the tenure CSV that `chronos
export csv` writes), wikidata (Wikibase entity JSON: wbgetentities responses,
bare entities or dump lines, gzipped or not; the P39 "position held"
statements of every item, each item its own dataset known from its
`modified` day; the files' other entities name positions and organisations).

Importing the same file twice adds nothing. Importing a newer version of a
dataset (the files of one directory, or --dataset NAME) adds only what changed:
new records, records closed, and corrections or retractions of claims whose
dates, post or holder changed, known from --known-at (default: today).
Nothing is assumed complete: a seat nobody in the file holds is unknown. With
--complete the file is declared the full membership of the organisations it
lists (not of the parties members sit for), citing the file: over each
legislative period its Popolo memberships name (up to the file's date at the
latest), else on the file's date alone; a seat nobody holds then is vacant.
A directory named like a version (a commit, a date, v2) is that version of the
dataset its parent names: events cite DATASET/VERSION/FILE.
The log (a directory) is created when missing. FILE - reads standard input (cited
as DATASET/stdin, --dataset defaulting to "stdin"; not for wikidata). Records that cannot be read are
left out and listed; when none of a file's records can be, nothing is written
and the exit status is 1."""

EPILOG_EXPORT = """\
examples:
  chronos export popolo -o nsc.json
  chronos export csv --known-at 2022-01-07 > tenures.csv
  chronos export ftm -o nsc.ftm.jsonl
  chronos export parquet tables/     (tenures, events, entities; pip install 'chronos-history[parquet]')

Dates are EDTF with their precision; --known-at exports what was public that day."""


def register(app: App) -> None:
    """Add import and export."""
    sub = app.command(
        "import", "import Popolo, membership-list, FtM, CSV or Wikidata files", _import, epilog=EPILOG_IMPORT
    )
    sub.add_argument(
        "format", choices=IMPORT_FORMATS, metavar="FORMAT", help=f"one of {', '.join(IMPORT_FORMATS)}"
    )
    sub.add_argument(
        "files", nargs="+", metavar="FILE", help="the files to import (in order; Wikidata's all at once)"
    )
    sub.add_argument(
        "--known-at",
        type=date_arg,
        metavar="DATE",
        help="when this version became public (default: the file's own date, a Wikidata item's "
        "modified or an OpenSanctions export's last_seen, else today)",
    )
    sub.add_argument(
        "--dataset",
        metavar="NAME",
        help="the dataset this file is a version of (default: the dataset an FtM file names, else the "
        "name of its directory; for Wikidata, what each item's dataset name starts with: wikidata)",
    )
    sub.add_argument(
        "--file-version",
        dest="version_name",
        metavar="NAME",
        help="which version of the dataset this file is (a commit, a date; default: the name of its "
        "directory when that looks like one, such as 379106e8 or 2016-10-01)",
    )
    sub.add_argument(
        "--complete",
        action="store_true",
        help="the file is the full membership of the organisations it lists: their seats nobody holds "
        "are vacant, not unknown, over the legislative periods a Popolo file names, else on the "
        "file's date (needs --known-at unless the file gives its date; not for wikidata)",
    )

    sub = app.command(
        "export", "export tenures and entities as Popolo, FtM, CSV or Parquet", _export, epilog=EPILOG_EXPORT
    )
    sub.add_argument(
        "format", choices=EXPORT_FORMATS, metavar="FORMAT", help=f"one of {', '.join(EXPORT_FORMATS)}"
    )
    sub.add_argument(
        "directory", nargs="?", metavar="DIR", help="parquet: the directory for tenures, events and entities"
    )
    sub.add_argument("-o", "--output", metavar="FILE", help="write to FILE (default: standard output)")
    app.options(sub, policy=False, fmt=False)


def _import(args: Namespace) -> int:
    location = args.log or os.environ.get("CHRONOS_LOG") or "events"
    if "-" in args.files and (args.format == "wikidata" or len(args.files) > 1):
        args.parser.error("- (standard input) is the only file of a csv, ftm, memberships or popolo import")
    if args.complete and args.format == "wikidata":
        args.parser.error(
            "--complete: a Wikidata item is no membership list (use it with popolo, memberships, ftm or csv)"
        )
    log = EventLog.open(location, create=True)  # as the epilog says: a missing log is created
    try:
        if args.format == "wikidata":
            _show(import_wikidata(log, args.files, known_at=args.known_at, dataset=args.dataset))
        elif args.files == ["-"]:
            name = args.dataset or "stdin"
            text = sys.stdin.read()
            _show(
                import_text(
                    log,
                    args.format,
                    text,
                    label=f"{name}/stdin",
                    known_at=args.known_at,
                    dataset=name,
                    complete=args.complete,
                )
            )
        else:
            for file in args.files:
                report = import_file(
                    log,
                    args.format,
                    file,
                    known_at=args.known_at,
                    dataset=args.dataset,
                    version=args.version_name,
                    complete=args.complete,
                )
                _show(report)
    except NothingImported as exc:
        _list_dropped(exc.report)
        raise
    return 0


def _show(report: ImportReport) -> None:
    print(report)
    _list_dropped(report)


def _list_dropped(report: ImportReport) -> None:
    """What an import left out, one line each on stderr (the first `MAX_PROBLEMS`, then a count)."""
    for item in report.dropped[:MAX_PROBLEMS]:
        print(f"chronos: left out: {item.where}: {item.reason}", file=sys.stderr)
    if len(report.dropped) > MAX_PROBLEMS:
        error(f"{len(report.dropped) - MAX_PROBLEMS} more left out")


def _export(args: Namespace) -> int:
    if args.format == "parquet":
        if args.directory is None:
            args.parser.error("export parquet needs a directory: chronos export parquet DIR")
        log, chronology = load(args)
        outside_log(log, args.directory)
        for path in write_parquet(chronology, args.directory, known_at=args.known_at):
            print(f"wrote {path}", file=sys.stderr)
        return 0
    if args.directory is not None:
        args.parser.error(f"export {args.format} writes one file: use -o {args.directory}")
    log, chronology = load(args)
    if args.output:
        outside_log(log, args.output)
    text = export(chronology, args.format, known_at=args.known_at)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8", newline="")
        print(f"wrote {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0
