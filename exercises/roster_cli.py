"""``igm class``: import a class list, make personal codes, reset a lost code, list a class.

The codes exist only in what these commands print or write (the gradebook keeps hashes):
as CSV on standard output, or with ``--out FILE`` (CSV) and ``--sheet FILE`` (the printable
code sheet, HTML). What happened goes to standard error.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from exercises.roster import code_sheet_csv, code_sheet_html
from gradebook import GradebookError, IssuedCode, open_gradebook, parse_roster_csv
from igm.i18n import t

__all__ = ["cmd_class"]


def _write(issued: Sequence[IssuedCode], args: argparse.Namespace) -> None:
    text = code_sheet_csv(issued, args.lang)
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8", newline="")
    else:
        sys.stdout.write(text)
    if args.sheet:
        Path(args.sheet).write_text(code_sheet_html(issued, args.lang, args.url), encoding="utf-8")
    print(f"igm class: {len(issued)} code(s); shown once, only hashes are kept", file=sys.stderr)


def cmd_class(args: argparse.Namespace) -> int:
    try:
        with open_gradebook(args.database) as gb:
            if args.class_command == "import":
                result = gb.import_roster(
                    args.class_name, parse_roster_csv(Path(args.file).read_bytes())
                )
                for number, stored, roster in result.kept_names:
                    print(
                        t(
                            "dashboard.class.kept_name",
                            "en",
                            number=number,
                            stored=stored,
                            roster=roster,
                        ),
                        file=sys.stderr,
                    )
                if result.already:
                    print(
                        f"igm class: already in {result.class_name}: {', '.join(result.already)}",
                        file=sys.stderr,
                    )
                _write(result.issued, args)
            elif args.class_command == "codes":
                issued = gb.issue_codes(args.class_name, adopt=args.class_name is not None)
                _write(issued, args)
            elif args.class_command == "reset":
                _write([gb.reset_code(args.number)], args)
            else:
                for entry in gb.roster(args.class_name):
                    signed = (
                        entry.last_signed_in_at.isoformat(timespec="minutes")
                        if entry.last_signed_in_at
                        else "-"
                    )
                    code = "code" if entry.has_code else "no code"
                    print(f"{entry.class_name}\t{entry.number}\t{entry.name}\t{code}\t{signed}")
    except GradebookError as exc:
        print(f"igm class: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"igm class: {exc}", file=sys.stderr)
        return 1
    return 0
