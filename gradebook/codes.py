"""Personal sign-in codes of a class roster, and the roster's CSV: pure functions, no database.

A personal code is 8 characters from an alphabet without look-alikes (no 0/O, 1/I), shown in
two groups of four (``KX7P-M3QD``): 32 symbols, 40 bits, drawn with :mod:`secrets`. Only a
salted scrypt hash is stored (:func:`hash_code`); :func:`code_matches` compares in constant
time. Sign-in with an unknown number checks the typed code against :data:`DUMMY_HASH`, so both
cases do the same hash work.

Failed sign-ins are throttled (:func:`wait_after`): :data:`FREE_TRIES` tries, then a wait
that doubles with every further failure, up to :data:`MAX_WAIT_SECONDS`.

The roster CSV (:func:`parse_roster_csv`): UTF-8 (a BOM is fine), a header row, ``;`` or ``,``
(or a tab, as a paste from a spreadsheet gives)
between fields, a column for the name and one for the learner number. Every problem names its
row and field; a file with any problem gives no rows at all.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import hmac
import io
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from gradebook.errors import InvalidIdentity, RosterError
from gradebook.validation import check_display_name, normalise_learner_number

__all__ = [
    "CODE_ALPHABET",
    "CODE_LENGTH",
    "DUMMY_HASH",
    "FREE_TRIES",
    "MAX_ROSTER_BYTES",
    "MAX_ROSTER_ROWS",
    "MAX_WAIT_SECONDS",
    "RosterProblem",
    "RosterRow",
    "code_matches",
    "format_code",
    "hash_code",
    "new_code",
    "normalise_code",
    "parse_roster_csv",
    "wait_after",
]

#: 32 symbols: A–Z and 2–9 without 0, O, 1 and I (read aloud or from paper without doubt).
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
#: scrypt cost: about 16 MB and a few tens of milliseconds per check.
_SCRYPT_N, _SCRYPT_R, _SCRYPT_P = 2**14, 8, 1
_SALT_BYTES = 16
#: Failed sign-ins allowed before a wait; then 30 s, 60 s, 120 s, ... up to 15 minutes.
FREE_TRIES = 5
FIRST_WAIT_SECONDS = 30
MAX_WAIT_SECONDS = 15 * 60
#: A roster file larger than this, or with more rows, is refused as a whole.
MAX_ROSTER_BYTES = 1_000_000
MAX_ROSTER_ROWS = 2000
_NAME_HEADERS = frozenset({"name", "naam", "display_name", "volledige naam", "full name"})
_NUMBER_HEADERS = frozenset(
    {
        "number",
        "nummer",
        "learner number",
        "learner_number",
        "leerlingnummer",
        "deelnemersnummer",
        "studentnummer",
        "student number",
    }
)


def new_code() -> str:
    """A fresh personal code, 8 symbols of :data:`CODE_ALPHABET` (shown with :func:`format_code`)."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def format_code(code: str) -> str:
    """``KX7PM3QD`` as the learner reads it: ``KX7P-M3QD``."""
    return f"{code[:4]}-{code[4:]}"


def normalise_code(typed: str) -> str:
    """What the learner typed, as stored codes are spelled: upper case, without spaces or
    dashes (``kx7p m3qd`` and ``KX7P-M3QD`` are the same code)."""
    return "".join(ch for ch in typed.upper() if ch not in " -\t")


def _scrypt(code: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(code.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=64 * 2**20)


def hash_code(code: str) -> str:
    """A salted scrypt hash of ``code``: ``scrypt$n$r$p$salt$hash`` (base64), never the code."""
    salt = secrets.token_bytes(_SALT_BYTES)
    digest = _scrypt(normalise_code(code), salt, _SCRYPT_N, _SCRYPT_R, _SCRYPT_P)
    encoded = [base64.b64encode(part).decode("ascii") for part in (salt, digest)]
    return f"scrypt${_SCRYPT_N}${_SCRYPT_R}${_SCRYPT_P}${encoded[0]}${encoded[1]}"


def code_matches(typed: str, stored: str) -> bool:
    """Whether ``typed`` is the code behind ``stored`` (constant-time compare of the hashes)."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest)
        got = _scrypt(normalise_code(typed)[:64], base64.b64decode(salt), int(n), int(r), int(p))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, expected)


#: A hash of no one's code: an unknown number is checked against it, so that a wrong code and
#: an unknown number cost the same time.
DUMMY_HASH = hash_code(new_code())


def wait_after(failures: int) -> int:
    """Seconds to wait before the next try after ``failures`` failed sign-ins in a row."""
    if failures < FREE_TRIES:
        return 0
    return int(min(MAX_WAIT_SECONDS, FIRST_WAIT_SECONDS * 2 ** (failures - FREE_TRIES)))


@dataclass(frozen=True)
class RosterRow:
    """One learner of a roster: the learner number (stored upper case), the name, and the
    row of the file it came from (0: not from a file)."""

    number: str
    name: str
    row: int = 0


@dataclass(frozen=True)
class RosterProblem:
    """What is wrong in a roster file: ``row`` is the line number in the file (the header is
    row 1; 0: the file as a whole), ``field`` is ``"name"``, ``"number"``, ``"header"`` or
    ``"file"``, ``key`` the catalogue text (``roster.problem.<key>``) with its ``value``."""

    row: int
    field: str
    key: str
    value: str = ""

    def message(self, lang: str = "en") -> str:
        """The problem as the trainer reads it, in ``lang``."""
        from igm.i18n import t  # the catalogue lives in the engine

        text = t(f"roster.problem.{self.key}", lang, value=self.value)
        return t("roster.problem.where", lang, row=self.row, field=self.field, problem=text)

    def __str__(self) -> str:
        return self.message("en")


def _column(header: Sequence[str], names: frozenset[str]) -> int | None:
    for index, cell in enumerate(header):
        if cell.strip().lower().replace("-", " ") in names or cell.strip().lower() in names:
            return index
    return None


def parse_roster_csv(data: bytes | str) -> list[RosterRow]:
    """The learners of a roster CSV, or :class:`RosterError` listing every problem (row and
    field); a file with any problem gives nothing. Names stay exactly as written (markup is
    text, never interpreted); numbers are checked as typed numbers (4 to 12 letters or digits)."""
    if isinstance(data, bytes):
        if len(data) > MAX_ROSTER_BYTES:
            raise RosterError([RosterProblem(0, "file", "too_big", str(MAX_ROSTER_BYTES))])
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            problem = RosterProblem(0, "file", "not_utf8", str(exc.start))
            raise RosterError([problem]) from None
    else:
        text = data.removeprefix("\ufeff")
    first = text.split("\n", 1)[0]
    # ; (Dutch spreadsheets), tab (pasted from a spreadsheet) or , : the header's most frequent
    delimiter = max(";\t,", key=first.count) if any(d in first for d in ";\t,") else ","
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    if not rows:
        raise RosterError([RosterProblem(1, "header", "empty")])
    header = rows[0]
    name_col, number_col = _column(header, _NAME_HEADERS), _column(header, _NUMBER_HEADERS)
    if name_col is None or number_col is None:
        missing = "no_name_column" if name_col is None else "no_number_column"
        raise RosterError([RosterProblem(1, "header", missing, ";".join(header)[:200])])
    problems: list[RosterProblem] = []
    learners: list[RosterRow] = []
    seen: dict[str, int] = {}
    for row_no, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue  # a blank line (often the last one)
        if len(learners) + len(problems) >= MAX_ROSTER_ROWS:
            problems.append(RosterProblem(row_no, "file", "too_many", str(MAX_ROSTER_ROWS)))
            break
        cells = {"name": _cell(row, name_col), "number": _cell(row, number_col)}
        try:
            number = normalise_learner_number(cells["number"], "standalone")
        except InvalidIdentity:
            problems.append(RosterProblem(row_no, "number", "number", repr(cells["number"])))
            number = None
        try:
            name = check_display_name(cells["name"])
        except InvalidIdentity:
            problems.append(RosterProblem(row_no, "name", "name", repr(cells["name"])))
            name = None
        if number is not None and number in seen:
            problems.append(RosterProblem(row_no, "number", "duplicate", str(seen[number])))
        elif number is not None and name is not None:
            seen[number] = row_no
            learners.append(RosterRow(number, name, row_no))
    if problems:
        raise RosterError(problems)
    if not learners:
        raise RosterError([RosterProblem(2, "file", "no_rows")])
    return learners


def _cell(row: Sequence[str], index: int) -> str:
    return row[index] if index < len(row) else ""
