"""Where the gradebook lives, and migrations that create the schema and lose nothing."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

import database.engine as db
from database.models import Base
from gradebook import open_gradebook
from gradebook.errors import InvalidIdentity

HEAD = ScriptDirectory.from_config(db.alembic_config()).get_current_head()


def test_the_url_comes_from_the_environment_first(monkeypatch: pytest.MonkeyPatch) -> None:
    """Does IGM_DATABASE_URL win over the default file?"""
    monkeypatch.setenv("IGM_DATABASE_URL", "postgresql+psycopg://u:p@db:5432/igm")
    assert db.default_url() == "postgresql+psycopg://u:p@db:5432/igm"


def test_the_default_is_a_sqlite_file_in_var_of_the_checkout(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Without IGM_DATABASE_URL, is the database <repo>/var/igm.sqlite3 (git-ignored)?"""
    monkeypatch.delenv("IGM_DATABASE_URL", raising=False)
    repo = Path(__file__).resolve().parents[2]
    assert db.default_url() == f"sqlite:///{repo / 'var' / 'igm.sqlite3'}"
    assert "var/" in (repo / ".gitignore").read_text().splitlines()


def test_outside_a_checkout_the_default_is_the_user_data_dir(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Installed as a wheel, is the file in the user's data folder?"""
    monkeypatch.delenv("IGM_DATABASE_URL", raising=False)
    monkeypatch.setattr(db, "REPO_ROOT", tmp_path / "site-packages")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setattr(db.sys, "platform", "linux")
    assert db.default_url() == f"sqlite:///{tmp_path / 'data' / 'igm-kit' / 'igm.sqlite3'}"


def test_unsupported_backends_are_refused_without_leaking_the_password() -> None:
    """Does a MySQL URL give a clear error that does not print the password?"""
    with pytest.raises(ValueError, match="unsupported backend 'mysql'") as info:
        db.make_engine("mysql://user:s3cret@host/db")
    assert "s3cret" not in str(info.value)


def test_the_sqlite_file_and_its_folder_are_created_in_wal_mode(tmp_path: Path) -> None:
    """Does opening a new path create the folder, the file, WAL mode and a busy timeout?"""
    path = tmp_path / "new" / "folder" / "igm.sqlite3"
    with open_gradebook(f"sqlite:///{path}") as gb, gb.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    assert path.is_file()


def _schema_differences(url: str) -> list[object]:
    engine = db.make_engine(url)
    try:
        with engine.connect() as connection:
            return list(compare_metadata(MigrationContext.configure(connection), Base.metadata))
    finally:
        engine.dispose()


def _revision(url: str) -> str | None:
    engine = db.make_engine(url)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()


def test_upgrade_head_creates_exactly_the_orm_tables(db_url: str) -> None:
    """Does `alembic upgrade head` on an empty database give the schema the models declare?"""
    open_gradebook(db_url).close()
    engine = db.make_engine(db_url)
    try:
        tables = set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
    assert tables == set(Base.metadata.tables) | {"alembic_version"}
    assert {"learners", "attempts"} <= tables
    assert _schema_differences(db_url) == []
    assert _revision(db_url) == HEAD


def test_upgrading_twice_is_a_no_op(db_url: str) -> None:
    """Does opening an up-to-date gradebook again change nothing and keep the data?"""
    with open_gradebook(db_url) as gb:
        gb.register_learner("s0000001", "A")
        gb.record_attempt("s0000001", "ex", 1, {}, {"q": 1}, 1)
    engine = db.make_engine(db_url)
    try:
        db.upgrade(engine)
        db.upgrade(engine)
    finally:
        engine.dispose()
    with open_gradebook(db_url) as gb:
        assert [a.to_dict()["points"] for a in gb.attempts()] == [1.0]
    assert _revision(db_url) == HEAD


def test_upgrading_from_revision_1_keeps_every_row(db_url: str) -> None:
    """Created at revision 0001 with data, then upgraded to head: is every row intact?"""
    engine = db.make_engine(db_url)
    try:
        db.upgrade(engine, "0001")
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO learners (id, learner_number, display_name, identity_source, "
                    "created_at) VALUES (1, 'S0000001', 'Old <b>learner</b>', 'hub', "
                    "'2026-01-02 03:04:05')"
                )
            )
            for number in (1, 2):
                connection.execute(
                    text(
                        "INSERT INTO attempts (id, learner_id, exercise_id, variant, attempt_no, "
                        "answers, item_scores, points, max_points, score, submitted_at) VALUES "
                        "(:id, 1, 'ex', 's42', :no, :answers, :scores, :no, 2, :score, "
                        "'2026-01-02 03:04:05')"
                    ),
                    {
                        "id": number,
                        "no": number,
                        "answers": '{"q1": "a"}',
                        "scores": f'{{"q1": {number}}}',
                        "score": number / 2,
                    },
                )
        before = _dump(engine)
        db.upgrade(engine)
        assert _dump(engine) == before
    finally:
        engine.dispose()
    assert _revision(db_url) == HEAD
    with open_gradebook(db_url) as gb:
        attempts = gb.attempts("s0000001")
        assert [a.attempt_no for a in attempts] == [1, 2]
        assert attempts[1].item_scores == {"q1": 2}
        assert gb.record_attempt("s0000001", "ex", 1, {}, {"q": 1}, 2).attempt_no == 3


def _dump(engine: object) -> list[tuple[object, ...]]:
    from sqlalchemy import Engine

    assert isinstance(engine, Engine)
    with engine.connect() as connection:
        learners = connection.execute(text("SELECT * FROM learners ORDER BY id")).all()
        attempts = connection.execute(text("SELECT * FROM attempts ORDER BY id")).all()
    return [tuple(row) for row in [*learners, *attempts]]


def test_downgrade_to_revision_1_and_back(db_url: str) -> None:
    """Can the trigger migration be undone and redone without losing attempts?"""
    with open_gradebook(db_url) as gb:
        gb.register_learner("s0000001", "A")
        gb.record_attempt("s0000001", "ex", 1, {}, {"q": 1}, 1)
    from alembic import command

    engine = db.make_engine(db_url)
    try:
        config = db.alembic_config()
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, "0001")
        db.upgrade(engine)
    finally:
        engine.dispose()
    with open_gradebook(db_url) as gb:
        assert len(gb.attempts()) == 1


def test_concurrent_first_opens_migrate_once(db_url: str) -> None:
    """Do five processes opening a fresh database at the same moment all succeed?"""
    barrier = threading.Barrier(5)
    failures: list[BaseException] = []

    def open_one() -> None:
        try:
            barrier.wait()
            open_gradebook(db_url).close()
        except BaseException as exc:  # collected and reported below
            failures.append(exc)

    threads = [threading.Thread(target=open_one) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert _revision(db_url) == HEAD


def _learner_number_type(engine: object) -> str:
    from sqlalchemy import Engine

    assert isinstance(engine, Engine)
    columns = {c["name"]: c for c in inspect(engine).get_columns("learners")}
    return str(columns["learner_number"]["type"])


def _downgrade(engine: object, revision: str) -> None:
    from alembic import command

    config = db.alembic_config()
    with engine.begin() as connection:  # type: ignore[attr-defined]
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


def test_revision_4_makes_room_for_hub_user_names_and_keeps_every_row(db_url: str) -> None:
    """From 0003 with data to head: same rows, foreign keys intact, and 64-character ids fit."""
    engine = db.make_engine(db_url)
    try:
        db.upgrade(engine, "0003")
        with open_gradebook(db_url, migrate=False) as gb:
            gb.register_learner("s0000001", "Anna")
            gb.record_attempt("s0000001", "ex", 1, {"q": "a"}, {"q": 1}, 2)
            gb.record_attempt("s0000001", "ex", 1, {"q": "b"}, {"q": 2}, 2)
        assert _learner_number_type(engine) == "VARCHAR(12)"
        before = _dump(engine)
        db.upgrade(engine)
        assert _dump(engine) == before
        assert _learner_number_type(engine) == "VARCHAR(64)"
        if engine.dialect.name == "sqlite":
            with engine.connect() as connection:
                assert connection.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
                assert connection.exec_driver_sql("PRAGMA foreign_key_check").all() == []
    finally:
        engine.dispose()
    assert _schema_differences(db_url) == []
    long_name = "jan.de.vries." + "x" * 51  # 64 characters
    with open_gradebook(db_url) as gb:
        gb.register_learner(long_name, "Jan", identity_source="hub")
        gb.record_attempt(long_name, "ex", 1, {}, {"q": 1}, 1)
        assert [a.learner_number for a in gb.learners()] == [long_name.upper(), "S0000001"]
        assert len(gb.attempts("s0000001")) == 2
        with pytest.raises(InvalidIdentity, match="learner number"):  # typed: still 4-12
            gb.register_learner("jan.de.vries", "Jan")


def test_downgrade_below_revision_4_is_refused_while_long_ids_are_stored(db_url: str) -> None:
    """Going back to 0003 would cut ids; is it refused with everything kept, and fine without?"""
    with open_gradebook(db_url) as gb:
        gb.register_learner("s0000001", "A")
        gb.record_attempt("s0000001", "ex", 1, {}, {"q": 1}, 1)
    engine = db.make_engine(db_url)
    try:
        _downgrade(engine, "0003")
        assert _revision(db_url) == "0003"
        assert _learner_number_type(engine) == "VARCHAR(12)"
        db.upgrade(engine)
        with open_gradebook(db_url) as gb:
            gb.register_learner("jan.de.vries@gemeente.nl", "Jan", identity_source="hub")
        before = _dump(engine)
        with pytest.raises(RuntimeError, match="longer than 12 characters"):
            _downgrade(engine, "0003")
        assert _dump(engine) == before
        assert _revision(db_url) == HEAD
    finally:
        engine.dispose()


def test_revision_5_keeps_attempts_on_retired_exercises_and_exports_them_marked(
    db_url: str,
) -> None:
    """An attempt stored on "predict" at revision 0004 is, after the upgrade to head, still
    stored as it was, and both exports carry it, marked as an attempt on a retired exercise."""
    from gradebook.export import attempts_csv, gradebook_csv

    engine = db.make_engine(db_url)
    try:
        db.upgrade(engine, "0004")
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO learners (id, learner_number, display_name, identity_source, "
                    "created_at) VALUES (1, 'S0000001', 'Pim', 'standalone', "
                    "'2026-11-30 09:00:00')"
                )
            )
            connection.execute(
                text(
                    "INSERT INTO attempts (id, learner_id, exercise_id, variant, attempt_no, "
                    "answers, item_scores, points, max_points, score, submitted_at) VALUES "
                    "(1, 1, 'predict', 'f00d', 1, :answers, :scores, 1.5, 2, 0.75, "
                    "'2026-11-30 09:05:00')"
                ),
                {
                    "answers": '{"intention": 40, "behaviour": 20}',
                    "scores": '{"intention": 1, "behaviour": 0.5}',
                },
            )
        before = _dump(engine)
        db.upgrade(engine)
        assert _dump(engine) == before
    finally:
        engine.dispose()
    assert _revision(db_url) == HEAD
    with open_gradebook(db_url) as gb:
        retired = gb.retired_exercises()
        assert {k: r.replaced_by for k, r in retired.items()} == {
            "predict": "compare-clients",
            "caseload-question": "model-limits",
        }
        (attempt,) = gb.attempts("s0000001", "predict")
        assert attempt.points == 1.5 and attempt.answers == {"intention": 40, "behaviour": 20}
        lines = attempts_csv(gb).splitlines()
        assert lines[0].endswith(",exercise_status,replaced_by")
        assert lines[1].startswith("1,S0000001,Pim,predict,f00d,1,1.5,2,0.7500,")
        assert lines[1].endswith(",retired,compare-clients")
        sheet = gradebook_csv(gb, {"predict": "last"}).splitlines()
        assert sheet == [
            "learner_number,display_name,predict (retired; replaced by compare-clients)",
            "S0000001,Pim,1.5",
        ]
        # and new attempts go on being stored beside it
        assert gb.record_attempt("s0000001", "compare-clients", 1, {}, {"q1": 1}, 3).attempt_no == 1
