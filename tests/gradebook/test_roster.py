"""Class rosters and personal codes: hashed only, imported all or nothing, one refusal message
for a wrong code and an unknown number, throttled in the database, reset by the trainer."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from sqlalchemy import text, update

from database.models import SignInFailure
from gradebook import (
    Gradebook,
    InvalidIdentity,
    RosterError,
    SignInRefused,
    SignInThrottled,
    UnknownLearner,
    open_gradebook,
    parse_roster_csv,
)
from gradebook.codes import CODE_ALPHABET, FREE_TRIES, code_matches, hash_code, new_code

HOSTILE = "=cmd|' /C calc'!A0;<script>alert(1)</script>"
ROSTER = (
    "naam;leerlingnummer\r\n"
    "Sam de Vries;s1234567\r\n"
    f'"{HOSTILE}";s7654321\r\n'
    "Aïcha Öztürk;A0000001\r\n"
)


def imported(gb: Gradebook) -> dict[str, str]:
    result = gb.import_roster("2B werkcoaches", parse_roster_csv(ROSTER.encode("utf-8-sig")))
    return {code.number: code.code for code in result.issued}


def refusal(gb: Gradebook, number: str, code: str) -> str:
    with pytest.raises(SignInRefused) as caught:
        gb.sign_in(number, code)
    return caught.value.message("nl")


def test_codes_use_the_unambiguous_alphabet_and_match_only_their_hash() -> None:
    codes = {new_code() for _ in range(200)}
    assert len(codes) == 200
    assert all(len(c) == 8 and set(c) <= set(CODE_ALPHABET) for c in codes)
    assert not set("0O1I") & set(CODE_ALPHABET)
    code = new_code()
    stored = hash_code(code)
    assert code not in stored and hash_code(code) != stored  # salted
    assert code_matches(f"{code[:4].lower()}-{code[4:]}", stored)
    assert not code_matches(new_code(), stored) and not code_matches("", stored)
    assert not code_matches(code, "garbage")


def test_import_gives_codes_that_are_stored_only_as_hashes(gb: Gradebook) -> None:
    codes = imported(gb)
    assert sorted(codes) == ["A0000001", "S1234567", "S7654321"]
    assert gb.learner("s7654321").display_name == HOSTILE  # literal text, as written
    with gb.engine.connect() as connection:
        dump = " ".join(
            str(row)
            for table in ("learners", "classes", "class_members", "sign_in_failures")
            for row in connection.execute(text(f"SELECT * FROM {table}"))
        )
    for code in codes.values():
        assert code not in dump and code.replace("-", "") not in dump
    assert [(e.number, e.has_code, e.last_signed_in_at) for e in gb.roster()] == [
        ("A0000001", True, None),
        ("S1234567", True, None),
        ("S7654321", True, None),
    ]
    again = gb.import_roster("2B werkcoaches", parse_roster_csv(ROSTER))
    assert again.issued == [] and sorted(again.already) == sorted(codes)


def test_right_code_signs_in_and_is_noted_in_the_roster(gb: Gradebook) -> None:
    codes = imported(gb)
    learner = gb.sign_in("S1234567", codes["S1234567"].lower().replace("-", " "))
    assert learner.learner_number == "S1234567"
    (entry,) = [e for e in gb.roster() if e.number == "S1234567"]
    assert entry.first_signed_in_at is not None and entry.last_signed_in_at is not None


def test_wrong_code_and_unknown_number_get_the_identical_message(gb: Gradebook) -> None:
    codes = imported(gb)
    gb.register_learner("s5555555", "Typed Earlier")  # a learner without a code
    wrong = refusal(gb, "s1234567", codes["S7654321"])
    assert wrong == refusal(gb, "s9999999", codes["S1234567"])  # nobody has this number
    assert wrong == refusal(gb, "s5555555", "ABCD-EFGH")  # registered, but no code
    assert wrong == refusal(gb, "s1234567", "")
    assert "9999999" not in wrong and "1234567" not in wrong
    # and the same hash work: an unknown number is no faster than a wrong code
    timings: dict[str, list[float]] = {"known": [], "unknown": []}
    for n in range(3):
        for kind, number in (("known", "A0000001"), ("unknown", f"Z000000{n}")):
            start = time.perf_counter()
            refusal(gb, number, "ABCD-EFGH")
            timings[kind].append(time.perf_counter() - start)
    assert min(timings["unknown"]) > 0.3 * min(timings["known"])
    with pytest.raises(InvalidIdentity):  # a malformed number: its form, nothing about who exists
        gb.sign_in("12", "ABCD-EFGH")


def test_failed_sign_ins_are_throttled_per_number_across_gradebooks(
    gb: Gradebook, db_url: str
) -> None:
    codes = imported(gb)
    for _ in range(FREE_TRIES):
        refusal(gb, "S1234567", "ABCD-EFGH")
    with pytest.raises(SignInThrottled) as caught:  # even the right code waits now
        gb.sign_in("S1234567", codes["S1234567"])
    assert caught.value.seconds > 0
    assert "minu" in caught.value.message("nl")
    # another kernel: the count is in the database
    with open_gradebook(db_url) as other, pytest.raises(SignInThrottled):
        other.sign_in("S1234567", codes["S1234567"])
    # an unknown number is throttled the same way (the throttle tells nothing either)
    for _ in range(FREE_TRIES):
        refusal(gb, "S0000009", "ABCD-EFGH")
    with pytest.raises(SignInThrottled):
        gb.sign_in("S0000009", "ABCD-EFGH")
    # other learners are not affected
    assert gb.sign_in("A0000001", codes["A0000001"]).learner_number == "A0000001"
    # the wait passes: the right code works and clears the count
    an_hour_ago = dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=1)
    with gb.engine.begin() as connection:
        connection.execute(update(SignInFailure).values(last_failure_at=an_hour_ago))
    assert gb.sign_in("S1234567", codes["S1234567"]).learner_number == "S1234567"
    refusal(gb, "S1234567", "ABCD-EFGH")  # counting starts again at one: no wait yet
    refusal(gb, "S1234567", "ABCD-EFGH")


def test_reset_gives_a_new_code_and_the_old_one_stops_working(gb: Gradebook) -> None:
    codes = imported(gb)
    for _ in range(FREE_TRIES):  # someone locked the learner out ...
        refusal(gb, "S1234567", "ABCD-EFGH")
    new = gb.reset_code("s1234567")  # ... the trainer's reset also lifts the wait
    assert new.code != codes["S1234567"] and new.name == "Sam de Vries"
    refusal(gb, "S1234567", codes["S1234567"])
    assert gb.sign_in("S1234567", new.code).learner_number == "S1234567"
    with pytest.raises(UnknownLearner):
        gb.reset_code("s9999999")


@pytest.mark.parametrize(
    ("csv_text", "expected"),
    [
        ("naam;leerlingnummer\nSam;s1234567\nBo;12\n", ["Row 3, number"]),
        ("naam,nummer\nSam,s1234567\n,s7654321\n", ["Row 3, name"]),
        ("naam;nummer\nSam;s1234567\nBo;S1234567\n", ["Row 3, number", "row 2"]),
        ("naam;nummer\nA\tB;s1234567\nC;x\n", ["Row 2, name", "Row 3, number"]),
        ("name;email\nSam;sam@example.org\n", ["Row 1, header", "number"]),
        ("naam;leerlingnummer\n", ["no learners"]),
    ],
)
def test_bad_rows_are_named_and_nothing_is_imported(
    gb: Gradebook, csv_text: str, expected: list[str]
) -> None:
    with pytest.raises(RosterError) as caught:
        gb.import_roster("2B", parse_roster_csv(csv_text))
    message = str(caught.value)
    assert all(part in message for part in expected), message
    assert "Regel" in caught.value.message("nl")
    assert gb.learners() == [] and gb.roster() == [] and gb.classes() == []


def test_not_utf8_is_refused_as_a_whole() -> None:
    with pytest.raises(RosterError, match="UTF-8"):
        parse_roster_csv("naam;nummer\nJosé;s1234567\n".encode("latin-1"))


def test_a_number_in_another_class_fails_the_whole_import(gb: Gradebook) -> None:
    imported(gb)
    rows = parse_roster_csv("naam;nummer\nNieuw;N0000001\nSam de Vries;s1234567\n")
    with pytest.raises(RosterError, match="Row 3, number"):
        gb.import_roster("3C", rows)
    assert gb.classes() == ["2B werkcoaches"]
    with pytest.raises(UnknownLearner):
        gb.learner("N0000001")  # nothing half-imported


def test_older_typed_learners_get_codes_by_adoption(gb: Gradebook) -> None:
    """An existing gradebook without codes: `igm class codes --class NAME`."""
    gb.register_learner("s1234567", "Sam")
    gb.register_learner("jan.de.vries", "Jan", identity_source="hub")  # never gets a code
    assert not gb.has_classes() and not gb.has_code("s1234567")
    issued = gb.issue_codes("Laptop", adopt=True)
    assert [(c.class_name, c.number, c.name) for c in issued] == [("Laptop", "S1234567", "Sam")]
    assert gb.has_classes() and gb.has_code("s1234567")
    assert gb.sign_in("s1234567", issued[0].code).display_name == "Sam"
    assert gb.issue_codes() == []  # everyone has one now


def test_kept_name_is_reported_not_overwritten(gb: Gradebook) -> None:
    gb.register_learner("s1234567", "Impostor")  # typed in before the class existed
    result = gb.import_roster("2B", parse_roster_csv(ROSTER))
    assert ("S1234567", "Impostor", "Sam de Vries") in result.kept_names
    assert gb.learner("s1234567").display_name == "Impostor"
