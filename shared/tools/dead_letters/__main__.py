"""Dead letters for operators: list them, show one whole, re-drive a selection once the cause is fixed.

    python -m shared.tools.dead_letters list                      # every *.dlq: counts per reason
    python -m shared.tools.dead_letters show studio.sales.v1.dlq 42
    python -m shared.tools.dead_letters redrive studio.sales.v1.dlq --reason 'unknown booking' --offsets 40-60

Re-driving publishes each selected record again, with its key, to its original topic. That is
safe: every effect is idempotent by event id, so what was applied meanwhile is not applied twice.
A record refused again comes back to the DLQ with its reason and an `x-redriven-from` header, and
is not re-driven again (nor is the letter it came from) unless `--include-refused` says so.
"""

import argparse
import asyncio
import json
import os
import sys
from datetime import UTC, datetime

from tqdm import tqdm

from shared.tools.dead_letters import kafka_io
from shared.tools.dead_letters.letters import DeadLetter, Selection, parse_offsets, plan_redrive, summarise


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="python -m shared.tools.dead_letters", description=__doc__,
                                  formatter_class=argparse.RawDescriptionHelpFormatter)
    top.add_argument("--bootstrap", default=os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092"),
                     help="Kafka bootstrap servers (default: $KAFKA_BOOTSTRAP_SERVERS or 127.0.0.1:9092)")
    commands = top.add_subparsers(dest="command", required=True)
    listing = commands.add_parser("list", help="each *.dlq topic with its count per reason (x-error)")
    listing.add_argument("topics", nargs="*", help="only these DLQ topics (default: every *.dlq)")
    listing.add_argument("--top", type=int, default=20, help="reasons shown per topic, most frequent first")
    listing.add_argument("--width", type=int, default=160, help="cut reasons to this many characters")
    show = commands.add_parser("show", help="one dead letter whole: key, headers, value")
    show.add_argument("topic")
    show.add_argument("offset", type=int)
    show.add_argument("--partition", type=int, default=0)
    redrive = commands.add_parser("redrive", help="send a selection back to its original topic (x-original-topic)")
    redrive.add_argument("topic", help="the DLQ topic, e.g. studio.sales.v1.dlq")
    redrive.add_argument("--reason", help="regular expression searched in x-error (case-insensitive)")
    redrive.add_argument("--offsets", help="inclusive DLQ offset range: 12, 12-40, 12- or -40")
    redrive.add_argument("--partition", type=int, help="only this DLQ partition")
    redrive.add_argument("--include-refused", action="store_true",
                         help="also re-drive refused re-drives and letters whose re-drive was refused")
    redrive.add_argument("--dry-run", action="store_true", help="say what would be sent, send nothing")
    return top


async def list_topics(args) -> int:
    for topic in args.topics or await kafka_io.dead_letter_topics(args.bootstrap):
        summary = summarise(topic, await kafka_io.read_all(args.bootstrap, topic))
        ranges = ", ".join(f"p{p} {a}-{b}" for p, (a, b) in sorted(summary.ranges.items())) or "empty"
        print(f"{topic}: {summary.count} dead letters ({ranges}); {summary.refused_redrives} are re-drives refused again")
        for reason, count in summary.reasons[:args.top]:
            print(f"  {count:>7}  {_cut(reason, args.width)}")
        if len(summary.reasons) > args.top:
            rest = sum(count for _, count in summary.reasons[args.top:])
            print(f"  {rest:>7}  in {len(summary.reasons) - args.top} other reasons (--top to see them)")
    return 0


async def show_one(args) -> int:
    letters = await kafka_io.read_all(args.bootstrap, args.topic, args.partition, args.offset, args.offset)
    letter = next((x for x in letters if x.offset == args.offset), None)
    if letter is None:
        print(f"no record at {args.topic}:{args.partition}:{args.offset}", file=sys.stderr)
        return 1
    print(describe(letter))
    return 0


def describe(letter: DeadLetter) -> str:
    at = datetime.fromtimestamp(letter.timestamp_ms / 1000, UTC).isoformat() if letter.timestamp_ms else "unknown"
    lines = [f"position   {letter.position}", f"timestamp  {at}", f"key        {_text(letter.key)}", "headers"]
    lines += [f"  {name}: {value}" for name, value in letter.headers.items()]
    lines += ["value", _value(letter.value)]
    return "\n".join(lines)


async def redrive(args) -> int:
    first, last = parse_offsets(args.offsets) if args.offsets else (None, None)
    selection = Selection(args.partition, first, last, args.reason, args.include_refused)
    plan = plan_redrive(await kafka_io.read_all(args.bootstrap, args.topic), selection)
    for why, count in plan.skipped.most_common():
        print(f"skipped {count}: {why}")
    verb = "would re-drive" if args.dry_run else "re-driving"
    print(f"{verb} {len(plan.send)} dead letters from {args.topic}")
    if plan.send and not args.dry_run:
        with tqdm(total=len(plan.send), unit="msg", disable=None) as bar:
            await kafka_io.redrive(args.bootstrap, plan.send, bar.update)
        print(f"re-driven {len(plan.send)}: " + ", ".join(f"{x.position}" for x in plan.send[:10])
              + (" ..." if len(plan.send) > 10 else ""))
    return 0


def _cut(text: str, width: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[:width - 1] + "…"


def _text(raw: bytes | None) -> str:
    return "(none)" if raw is None else raw.decode(errors="backslashreplace")


def _value(raw: bytes | None) -> str:
    try:
        return json.dumps(json.loads(raw), indent=2, ensure_ascii=False) if raw is not None else "(none)"
    except (ValueError, UnicodeDecodeError):
        return repr(raw)


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    command = {"list": list_topics, "show": show_one, "redrive": redrive}[args.command]
    return asyncio.run(command(args))


if __name__ == "__main__":
    sys.exit(main())
