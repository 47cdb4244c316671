"""Charts: ``timeline``."""

from __future__ import annotations

from chronos.cli._app import App, Namespace, bounded_date, load, lookup, output_file, outside_log

EPILOG_TIMELINE = (
    "example:\n  chronos timeline nsc --from 2021-12-01 --to 2022-02-28 -o nsc.svg\n"
    "  chronos timeline KNB --from 2016 --to 2022 -o knb.html\n\n"
    "The output format follows the extension: .svg, .png or .html (standalone, no network)."
)


def register(app: App) -> None:
    """Add timeline."""
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


def _timeline(args: Namespace) -> int:
    from chronos.output import timeline  # matplotlib is slow to import: only this command pays for it

    start, end = args.start.earliest, args.end.latest
    if end < start:
        args.parser.error(f"--from {args.start} is after --to {args.end}")
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
