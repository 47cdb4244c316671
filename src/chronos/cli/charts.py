"""Charts: ``timeline`` and ``explore``."""

from __future__ import annotations

from chronos.cli._app import App, Namespace, bounded_date, load, lookup, output_file, outside_log
from chronos.dates import check_order

EPILOG_TIMELINE = (
    "example:\n  chronos timeline nsc --from 2021-12-01 --to 2022-02-28 -o nsc.svg\n"
    "  chronos timeline KNB --from 2016 --to 2022 -o knb.html\n\n"
    "The output format follows the extension: .svg, .png or .html (standalone, no network)."
)


EPILOG_EXPLORE = (
    "example:\n  chronos explore nsc -o nsc.html\n"
    "  chronos explore KNB --from 2021-12-01 --to 2022-02-28 -o knb.html\n\n"
    "One standalone HTML page (no network, no server) with two sliders: the date asked, and the\n"
    "date the record stood on. Without --from/--to the page spans the organisation's events."
)


def register(app: App) -> None:
    """Add timeline and explore."""
    sub = app.command(
        "timeline", "draw a Gantt chart of an organisation's posts", _timeline, epilog=EPILOG_TIMELINE
    )
    sub.add_argument("org", metavar="ORG", help="organisation: id, name or alias")
    sub.add_argument(
        "--from", dest="start", type=bounded_date, required=True, metavar="DATE", help="first day"
    )
    sub.add_argument("--to", dest="end", type=bounded_date, required=True, metavar="DATE", help="last day")
    sub.add_argument(
        "-o", "--output", type=output_file, required=True, metavar="FILE", help="FILE.svg, .png or .html"
    )
    app.options(sub, fmt=False)
    sub = app.command(
        "explore", "write an HTML page to explore a roster on both clocks", _explore, epilog=EPILOG_EXPLORE
    )
    sub.add_argument("org", metavar="ORG", help="organisation: id, name or alias")
    sub.add_argument("--from", dest="start", type=bounded_date, metavar="DATE", help="first day")
    sub.add_argument("--to", dest="end", type=bounded_date, metavar="DATE", help="last day")
    sub.add_argument("-o", "--output", type=output_file, required=True, metavar="FILE", help="FILE.html")
    app.options(sub, fmt=False, known=False)


def _explore(args: Namespace) -> int:
    from chronos.output.explorer import write_explorer

    start = args.start.first if args.start is not None else None
    end = args.end.last if args.end is not None else None
    if args.start is not None and args.end is not None:
        check_order(args.start, args.end, names=("--from", "--to"))
    if not str(args.output).lower().endswith((".html", ".htm")):
        args.parser.error(f"{args.output}: the explorer is an HTML page (use a .html file name)")
    _, chronology = load(args)
    org = lookup(chronology, args.org, "organisation")
    path = write_explorer(chronology, org.id, args.output, start=start, end=end, policy=args.policy)
    print(f"wrote {path}: {path.stat().st_size // 1024} KB")
    return 0


def _timeline(args: Namespace) -> int:
    from chronos.output import timeline  # matplotlib is slow to import: only this command pays for it

    check_order(args.start, args.end, names=("--from", "--to"))
    start, end = args.start.first, args.end.last
    log, chronology = load(args)
    outside_log(log, args.output)
    org = lookup(chronology, args.org, "organisation")
    chart = timeline.build(
        chronology, org.id, start=start, end=end, known_at=args.known_at, policy=args.policy
    )
    timeline.write(chart, args.output)
    bars = sum(len(lane.bars) for lane in chart.lanes)
    print(f"wrote {args.output}: {len(chart.lanes)} lanes, {bars} tenures")
    return 0
