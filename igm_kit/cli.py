"""The ``igm`` command. It only parses arguments and calls one library function per command."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path

from igm.cases import CaseError, case_files, find_case, scan_cases, validate_file
from igm.conversations import (
    PathError,
    conversation_files,
    conversations_dir,
    find_conversation,
    mi_profile,
    play,
    scan_conversations,
    validate_conversation_file,
)
from igm.determinants import DETERMINANTS, SCALE_MAX, SCALE_MIN, DeterminantScores
from igm.i18n import DEFAULT_LANGUAGE, LANGUAGES, fmt_number, t
from igm.model import model_for
from igm.report import changes_text, format_playthrough, format_prediction
from igm.resources import shipped_cases_dir, source_checkout
from igm_kit import __version__

__all__ = ["main"]


class UserError(Exception):
    """A mistake in what the user typed or pointed at: shown as one message, no traceback."""


#: Outside a checkout: the cases a trainer edits, in the working directory.
USER_CASES = "case_studies"
#: The folder of conversation files inside a cases folder.
CONVERSATIONS_FOLDER = "conversations"


def use_user_cases(*, create: bool) -> Path | None:
    """Outside a checkout, point ``IGM_CASES_DIR`` at ``./case_studies/`` and return it.

    An installed kit's own cases are read-only package data. So every ``igm`` command run
    outside a checkout without ``IGM_CASES_DIR`` uses ``./case_studies/`` when it exists, and
    ``igm serve`` (``create``), whose case editor saves cases, first makes it: a copy of the
    shipped cases, once, saying where. The environment carries the folder to the server's
    kernels (they run in another folder). None: nothing changed (a checkout, or
    ``IGM_CASES_DIR`` set, or no folder and not ``create``).
    """
    if os.environ.get("IGM_CASES_DIR") or source_checkout() is not None:
        return None
    folder = Path.cwd() / USER_CASES
    if not folder.is_dir():
        if not create:
            return None
        shutil.copytree(shipped_cases_dir(), folder, copy_function=shutil.copyfile)
        print(f"igm: copied the kit's cases to {folder} (edit them there)", flush=True)
    os.environ["IGM_CASES_DIR"] = str(folder)
    return folder


def _parse_setting(text: str, lang: str = DEFAULT_LANGUAGE) -> tuple[str, float]:
    key, sep, value = text.partition("=")
    key = key.strip()
    allowed = ", ".join(DETERMINANTS)
    if not sep:
        raise UserError(t("cli.set.no_equals", lang, setting=text))
    if key not in DETERMINANTS:
        raise UserError(t("cli.set.unknown", lang, setting=text, key=key, allowed=allowed))
    try:
        number = float(value)
    except ValueError:
        raise UserError(t("cli.set.not_number", lang, setting=text, value=value)) from None
    if not SCALE_MIN <= number <= SCALE_MAX:
        raise UserError(
            t("cli.set.out_of_range", lang, setting=text, value=fmt_number(number, lang, None))
        )
    return key, number


def cmd_cases(args: argparse.Namespace) -> int:
    scan = scan_cases(args.dir)
    for warning in scan.warnings(
        args.lang
    ):  # skipped, not fatal: `igm validate` is the strict tool
        print(f"igm: {warning}", file=sys.stderr)
    cases = scan.cases
    print(t("cli.cases.header", args.lang, count=len(cases)))
    width = max((len(c.id) for c in cases), default=0)
    for case in cases:
        print(
            f"  {case.id:<{width}}  {case.title(args.lang)}  [{t(f'group.{case.group}', args.lang)}]"
        )
    return 0


def cmd_conversations(args: argparse.Namespace) -> int:
    folder = conversations_dir(args.dir)
    scan = scan_conversations(folder)
    for file in scan.skipped_files():  # skipped, not fatal: `igm validate` is the strict tool
        first = next(p for p in scan.problems if p.file == file)
        print(
            f"igm: {t('case.skipped', args.lang, problem=first.text(args.lang), more='')}",
            file=sys.stderr,
        )
    print(t("cli.conversations.header", args.lang, count=len(scan.conversations)))
    width = max((len(c.id) for c in scan.conversations), default=0)
    for conversation in scan.conversations:
        print(
            f"  {conversation.id:<{width}}  {conversation.title(args.lang)}  [{conversation.case_id}]"
        )
    return 0


def cmd_converse(args: argparse.Namespace) -> int:
    conversation = find_conversation(args.conversation)
    case = find_case(conversation.case_id)
    model = model_for(case.domain)
    try:
        played = play(conversation, case.scores, args.responses)
    except PathError as exc:
        raise UserError(t(f"conversation.path.{exc.key}", args.lang, **exc.values)) from None
    if not args.json:
        print(format_playthrough(played, model, args.lang, conversation.speaker_name(case.name)))
        return 0

    def numbers(scores: DeterminantScores) -> dict[str, object]:
        p = model.predict(scores)
        return {
            "scores": p.scores.as_dict(),
            "intention": round(p.intention, 4),
            "ability": round(p.ability, 4),
            "behaviour_probability": round(p.behaviour_probability, 6),
        }

    profile = mi_profile(played.mi_codes)
    data = {
        "conversation": conversation.id,
        "case": case.id,
        "start": numbers(played.start_scores),
        "steps": [
            {
                "turn": step.turn_id,
                "response": step.response.id,
                "mi": step.response.mi,
                "applied": step.applied,
                "changes_text": changes_text(step.applied, args.lang),
                **numbers(step.scores_after),
            }
            for step in played.steps
        ],
        "turn": played.turn.id,
        "offered": [r.id for r in played.turn.responses],
        "ending": played.ending,
        "profile": {
            "counts": {k: v for k, v in profile.counts.items() if v},
            "reflections_per_question": profile.rq_ratio,
            "complex_share": profile.complex_share,
            "non_adherent": profile.non_adherent,
            "advice": profile.advice() if played.finished else [],
        },
        "notice": t("notice.illustrative", args.lang),
    }
    print(json.dumps(data, ensure_ascii=False, indent=2))
    return 0


def cmd_predict(args: argparse.Namespace) -> int:
    case = find_case(args.case)
    settings = dict(_parse_setting(s, args.lang) for s in args.set or [])
    scores = case.scores.with_values(settings)
    prediction = model_for(case.domain).predict(scores)
    if args.json:
        # The notice travels with the numbers: JSON gets copied where no summary is read.
        data = {
            "case": case.id,
            **prediction.to_dict(),
            "notice": t("notice.illustrative", args.lang),
        }
        print(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        print(format_prediction(case, prediction, args.lang))
    return 0


def _is_conversation(path: Path) -> bool:
    """A conversation file is one in a ``conversations/`` folder (beside the cases)."""
    return path.parent.name == CONVERSATIONS_FOLDER


def cmd_validate(args: argparse.Namespace) -> int:
    paths: list[Path] = []
    for raw in args.paths:
        path = Path(raw)
        if path.is_dir():
            if path.name == CONVERSATIONS_FOLDER:
                found = conversation_files(path)
            else:  # a cases folder: its cases and the conversations beside them
                found = case_files(path) + conversation_files(path / CONVERSATIONS_FOLDER)
            if not found:
                raise UserError(t("cli.validate.no_files", args.lang, folder=path))
            paths.extend(found)
        else:
            paths.append(path)
    problems = [
        problem
        for path in paths
        for problem in (
            validate_conversation_file(path) if _is_conversation(path) else validate_file(path)
        )
    ]
    for problem in problems:
        print(problem.text(args.lang))
    if problems:
        files = len({p.file for p in problems})
        print(
            t("cli.validate.failed", args.lang, problems=len(problems), files=files),
            file=sys.stderr,
        )
        return 1
    print(t("cli.validate.ok", args.lang, count=len(paths)))
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from apps.serve_config import ServeConfigError, config_from_args
    from apps.server import serve  # UI layer: imported only for this command
    from book.build import default_out
    from database.engine import MissingDriverError, default_url, require_driver

    try:
        config = config_from_args(args)
        require_driver(config.database_url or default_url())
    except (ServeConfigError, MissingDriverError) as exc:
        raise UserError(str(exc)) from None
    if config.lti_config:  # a wrong LTI file stops the start with its reason, not a traceback
        from lti.config import LtiConfigError, load_lti_config

        try:
            load_lti_config(Path(config.lti_config).expanduser())
        except LtiConfigError as exc:
            raise UserError(f"lti_config: {exc}") from None
    cases = use_user_cases(create=True)
    if cases is not None:
        print(f"igm: cases: {cases}", flush=True)
    # A checkout serves its book/_build/html (serve's default: under the root it serves); an
    # installed kit the folder `igm book` wrote in this working directory.
    book: Path | None = Path(args.book) if args.book else None
    if book is None and source_checkout() is None:
        book = default_out()
    if book is not None and not (book / "index.html").is_file():
        print(f"igm: no book in {book} yet: run 'igm book' (and '--book DIR' if elsewhere)")
    serve(config=config, open_browser=args.open, book_dir=book)
    return 0


def cmd_book(args: argparse.Namespace) -> int:
    from book.build import build_book  # UI layer: imported only for this command

    languages = tuple(args.lang) if args.lang else LANGUAGES
    out = Path(args.out) if args.out else None
    build_book(languages=languages, strict=not args.no_strict, out=out)
    return 0


def cmd_grades_export(args: argparse.Namespace) -> int:
    from exercises.grades import retry_policy
    from gradebook.cli import export  # the gradebook (SQLAlchemy) is imported only for this command
    from gradebook.errors import GradebookError

    try:
        export(
            url=args.database,
            fmt=args.format,
            exercise_ids=args.exercise,
            out=args.out,
            attempts=args.attempts,
            # each exercise's own rule, as the learner's page and the dashboard show it
            policy=retry_policy if args.policy is None else args.policy,
            lms=args.lms,
            columns=args.column,
        )
    except (GradebookError, ValueError) as exc:
        raise UserError(str(exc)) from None
    return 0


def cmd_session(args: argparse.Namespace) -> int:
    import live.cli  # the live sessions (tornado, SQLAlchemy) are imported only for this command
    from database.engine import MissingDriverError
    from live.store import LiveError

    try:
        if args.session_command in ("start", "create") and args.conversation:
            if args.case:
                raise UserError(t("live.conversation.cli.case_or_conversation", args.lang))
            live.cli.start_conversation(
                args.conversation, lang=args.lang, db=args.database, base=args.public_url
            )
        elif args.session_command in ("start", "create"):
            if not args.case:
                raise UserError(t("live.conversation.cli.case_or_conversation", args.lang))
            live.cli.start(args.case, lang=args.lang, db=args.database, base=args.public_url)
        elif args.session_command == "close":
            live.cli.close(args.code, db=args.database, lang=args.lang)
        elif args.session_command == "reopen":
            live.cli.reopen(args.code, db=args.database, lang=args.lang)
        else:
            live.cli.export(args.code, db=args.database, out=args.out, all_rows=args.all)
    except LiveError as exc:
        raise UserError(t(exc.key, args.lang)) from None
    except MissingDriverError as exc:
        raise UserError(str(exc)) from None
    return 0


def database_argument(parser: argparse.ArgumentParser) -> None:
    """``--database URL``: one spelling for every command that opens the kit's database."""
    parser.add_argument(
        "--database",
        metavar="URL",
        help="database URL (default: $IGM_DATABASE_URL, else var/igm.sqlite3 in a checkout, "
        "~/.local/share/igm-kit/igm.sqlite3 for an installed kit)",
    )


def cmd_class(args: argparse.Namespace) -> int:
    from exercises.roster_cli import cmd_class as run  # the gradebook only for this command

    return run(args)


def cmd_lti(args: argparse.Namespace) -> int:
    from lti.cli import cmd_lti as run  # pylti1p3 and its crypto only for this command

    return run(args)


def _add_class_parser(sub: argparse._SubParsersAction, database: argparse.ArgumentParser) -> None:  # type: ignore[type-arg]
    """``igm class import|codes|reset|list``; ``database`` is the parent that adds ``--database``."""
    p = sub.add_parser(
        "class", help="a class of the standalone kit: class list, personal sign-in codes"
    )
    p.set_defaults(func=cmd_class)
    commands = p.add_subparsers(dest="class_command", required=True)
    out = argparse.ArgumentParser(add_help=False)
    out.add_argument("--lang", choices=LANGUAGES, default="nl", help="language of the sheet")
    out.add_argument(
        "--out", metavar="FILE", help="write the codes as CSV to FILE (default: stdout)"
    )
    out.add_argument("--sheet", metavar="FILE", help="also write the printable code sheet (HTML)")
    out.add_argument("--url", default="", help="the exercises' address, printed on each slip")
    p = commands.add_parser(
        "import",
        parents=[out, database],
        help="import a class list (CSV: name and learner number) and make the codes",
    )
    p.add_argument("file", metavar="FILE", help="CSV in UTF-8 with a header row, ; or , between")
    p.add_argument("--class", dest="class_name", required=True, metavar="NAME")
    p = commands.add_parser(
        "codes",
        parents=[out, database],
        help="make codes for learners who have none; with --class also for typed-in "
        "learners who are in no class yet (they join that class)",
    )
    p.add_argument("--class", dest="class_name", metavar="NAME")
    p = commands.add_parser(
        "reset",
        parents=[out, database],
        help="a new code for a learner (the old one stops working)",
    )
    p.add_argument("number", metavar="NUMBER")
    p = commands.add_parser("list", parents=[database], help="the learners of every class")
    p.add_argument("--class", dest="class_name", metavar="NAME")


def _add_lti_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """``igm lti keygen`` and ``igm lti urls``."""
    p = sub.add_parser("lti", help="LTI 1.3: the tool key and the URLs for a learning environment")
    p.set_defaults(func=cmd_lti)
    lti = p.add_subparsers(dest="lti_command", required=True)
    config = argparse.ArgumentParser(add_help=False)
    config.add_argument(
        "--config", metavar="FILE", help="the LTI configuration (JSON; default: $IGM_LTI_CONFIG)"
    )
    lti.add_parser(
        "keygen", parents=[config], help="make the tool's private key (once; kept if present)"
    )
    p = lti.add_parser(
        "urls", parents=[config], help="the URLs and public key to enter in a learning environment"
    )
    p.add_argument("--tool-url", help="the kit's public address (default: tool_url of the config)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="igm",
        description=(
            "igm-kit: learn the Integratief Gedragsmodel (IGM) with fictional cases. "
            "Predictions are illustrative, not validated: never use them to decide about real people."
        ),
    )
    parser.add_argument("--version", action="version", version=f"igm-kit {__version__}")
    lang = argparse.ArgumentParser(add_help=False)
    lang.add_argument(
        "--lang",
        choices=LANGUAGES,
        default=DEFAULT_LANGUAGE,
        help="language of the output (default: nl)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = sub.add_parser("cases", parents=[lang], help="list the cases with their title and group")
    p.add_argument(
        "--dir",
        help="folder of case files (default: $IGM_CASES_DIR, else the checkout's case_studies/; "
        "an installed kit: ./case_studies/ if it exists, else the cases it ships)",
    )
    p.set_defaults(func=cmd_cases)

    p = sub.add_parser("predict", parents=[lang], help="predict intention and behaviour for a case")
    p.add_argument(
        "case", metavar="CASE", help="a case id (see 'igm cases') or a path to a case file"
    )
    p.add_argument(
        "--set",
        action="append",
        metavar="KEY=VALUE",
        help="override a determinant score (1–7), e.g. --set self_efficacy=5; repeatable",
    )
    p.add_argument("--json", action="store_true", help="print one JSON object instead of a summary")
    p.set_defaults(func=cmd_predict)

    p = sub.add_parser("conversations", parents=[lang], help="list the practice conversations")
    p.add_argument(
        "--dir", help="the cases folder whose conversations/ to list (default as for 'igm cases')"
    )
    p.set_defaults(func=cmd_conversations)

    p = sub.add_parser(
        "converse",
        parents=[lang],
        help="play a practice conversation in the terminal: the responses so far, then the choices",
    )
    p.add_argument(
        "conversation",
        metavar="CONVERSATION",
        help="a conversation id (see 'igm conversations') or a path",
    )
    p.add_argument(
        "responses",
        nargs="*",
        metavar="RESPONSE",
        help="the ids of the responses chosen so far, in order",
    )
    p.add_argument(
        "--json", action="store_true", help="print one JSON object instead of the transcript"
    )
    p.set_defaults(func=cmd_converse)

    p = sub.add_parser(
        "validate",
        parents=[lang],
        help="check case and conversation files; exit 1 listing every problem",
    )
    p.add_argument(
        "paths",
        nargs="+",
        metavar="PATH",
        help="case files, conversation files (in a conversations/ folder) or folders of them; "
        "a cases folder includes its conversations/",
    )
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("serve", help="serve the apps, exercises, live sessions and the book")
    from apps.serve_config import add_serve_arguments  # plain argparse; no Jupyter imports

    add_serve_arguments(p)
    p.add_argument("--open", action="store_true", help="open the landing page in a browser")
    p.add_argument(
        "--book",
        metavar="DIR",
        help="the built book to serve at /book/, as 'igm book --out DIR' wrote it "
        "(default: book/_build/html in a checkout, else ./igm-book)",
    )
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("book", help="build the book in Dutch and English")
    p.add_argument("--lang", action="append", choices=LANGUAGES, help="build only this edition")
    p.add_argument(
        "--out",
        metavar="DIR",
        help="write the book's HTML here (default: book/_build/html in a checkout, "
        "else ./igm-book)",
    )
    p.add_argument("--no-strict", action="store_true", help="do not turn warnings into errors")
    p.set_defaults(func=cmd_book)

    p = sub.add_parser("grades", help="the gradebook of graded exercises")
    grades = p.add_subparsers(dest="grades_command", required=True)
    p = grades.add_parser(
        "export", help="export grades as CSV (one row per learner, one column per exercise)"
    )
    p.add_argument("--format", choices=("csv",), default="csv", help="file format (default: csv)")
    p.add_argument(
        "--exercise",
        action="append",
        metavar="ID",
        help="export only this exercise; repeatable (default: every exercise with an attempt)",
    )
    p.add_argument("--out", metavar="FILE", help="write to FILE instead of standard output")
    p.add_argument(
        "--attempts", action="store_true", help="export every attempt instead of one grade each"
    )
    p.add_argument(
        "--policy",
        choices=("best", "last"),
        default=None,
        help="override which attempt counts for every exercise: the best or the last "
        "(default: each exercise's own rule, as the learner and the dashboard see it)",
    )
    p.add_argument(
        "--lms",
        choices=("generic", "brightspace", "canvas", "moodle"),
        default="generic",
        help="column style of the grade import of this learning environment (default: generic)",
    )
    p.add_argument(
        "--column",
        action="append",
        metavar="ID=NAME",
        help="head exercise ID's column with the LMS grade item NAME, e.g. 'ex1=Quiz 1 (23)'",
    )
    database_argument(p)
    p.set_defaults(func=cmd_grades_export)

    p = sub.add_parser("session", help="live sessions: start, close, reopen or export one")
    p.set_defaults(func=cmd_session)
    session = p.add_subparsers(dest="session_command", required=True)
    db = argparse.ArgumentParser(add_help=False)
    database_argument(db)
    # The old spelling (`igm session ... --db URL`), still accepted so that older notes keep
    # working; not shown in --help.
    db.add_argument("--db", dest="database", help=argparse.SUPPRESS)
    p = session.add_parser(
        "start",
        aliases=["create"],
        parents=[lang, db],
        help="start a session; print the join code, URL and QR code",
    )
    p.add_argument("case", metavar="CASE", nargs="?", help="a case id (see 'igm cases')")
    p.add_argument(
        "--conversation",
        metavar="ID",
        help="instead of a case: a conversation the room plays together, voting at each turn "
        "(a file in case_studies/conversations/)",
    )
    p.add_argument(
        "--public-url",
        metavar="URL",
        help="the server's address as phones on the room's Wi-Fi reach it, as for "
        "'igm serve --public-url', e.g. http://192.168.1.20:8871/ (default: this computer's "
        "Wi-Fi address, port 8866: what 'igm serve --room' serves)",
    )
    p.add_argument("--url", dest="public_url", help=argparse.SUPPRESS)  # the old spelling
    p = session.add_parser("close", parents=[lang, db], help="close a session (no more answers)")
    p.add_argument("code", metavar="CODE", help="the join code")
    p = session.add_parser("reopen", parents=[lang, db], help="reopen a closed session")
    p.add_argument("code", metavar="CODE", help="the join code")
    p = session.add_parser("export", parents=[lang, db], help="export a session's answers as CSV")
    p.add_argument("code", metavar="CODE", help="the join code")
    p.add_argument("--out", metavar="FILE", help="write to FILE instead of standard output")
    p.add_argument("--all", action="store_true", help="every stored answer, not the latest ones")
    _add_class_parser(sub, db)
    _add_lti_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command != "serve":  # serve makes the folder (use_user_cases)
        use_user_cases(create=False)
    try:
        code: int = args.func(args)
    except UserError as exc:
        print(f"igm: {exc}", file=sys.stderr)
        return 1
    except CaseError as exc:
        lang = args.lang if isinstance(getattr(args, "lang", None), str) else DEFAULT_LANGUAGE
        print(exc.text(lang), file=sys.stderr)
        return 1
    except FileNotFoundError as exc:
        print(f"igm: {exc}", file=sys.stderr)
        return 1
    return code


if __name__ == "__main__":
    sys.exit(main())
