"""minhash_bands carries no key (its index was rewritten at every batch's checkpoint); a
file made before keeps its bands through the migration."""

from __future__ import annotations

import duckdb

from storage.copy import copy_database
from storage.db import connect
from storage.schema import MIGRATIONS

BAND_MIGRATION = 7  # the migration that drops the key


def _constraints(con, table: str) -> set[str]:
    rows = con.execute(
        "SELECT constraint_type FROM duckdb_constraints() WHERE table_name = ?", [table]
    ).fetchall()
    return {r[0] for r in rows}


def test_minhash_bands_has_no_key_but_its_columns_stay_required(tmp_path):
    with connect(tmp_path / "news.duckdb") as con:
        kinds = _constraints(con, "minhash_bands")
    assert "PRIMARY KEY" not in kinds and "UNIQUE" not in kinds
    assert "NOT NULL" in kinds


def test_a_file_made_before_keeps_its_bands(tmp_path):
    db = tmp_path / "news.duckdb"
    with duckdb.connect(str(db)) as con:  # the schema as it was before the migration
        con.execute(
            "CREATE TABLE schema_version (version INTEGER PRIMARY KEY,"
            " applied_at TIMESTAMPTZ NOT NULL DEFAULT now())"
        )
        for version, ddl in enumerate(MIGRATIONS[: BAND_MIGRATION - 1], start=1):
            con.execute(ddl)
            con.execute("INSERT INTO schema_version (version) VALUES (?)", [version])
        assert "PRIMARY KEY" in _constraints(con, "minhash_bands")
        con.execute(
            "INSERT INTO minhash_bands SELECT i % 32, i, 'u' || (i // 32), 'c' || (i // 64)"
            " FROM range(320) t(i)"
        )
        before = con.execute("SELECT * FROM minhash_bands ORDER BY ALL").fetchall()

    with connect(db) as con:
        after = con.execute("SELECT * FROM minhash_bands ORDER BY ALL").fetchall()
        kinds = _constraints(con, "minhash_bands")
        version = con.execute("SELECT max(version) FROM schema_version").fetchone()[0]

    assert after == before and len(after) == 320
    assert "PRIMARY KEY" not in kinds
    assert version == len(MIGRATIONS)


def test_a_file_copied_to_another_file_twice_has_its_bands_once(tmp_path):
    # Without a key on the file, copy-db cannot lean on ON CONFLICT for this table.
    source, target = tmp_path / "news.duckdb", tmp_path / "copy.duckdb"
    with connect(source) as con:
        con.execute(
            "INSERT INTO minhash_bands SELECT i % 32, i, 'u' || (i // 32), 'c' || (i // 64)"
            " FROM range(320) t(i)"
        )
        expected = con.execute("SELECT * FROM minhash_bands ORDER BY ALL").fetchall()

    first = copy_database(source, str(target))
    again = copy_database(source, str(target))

    with connect(target, read_only=True) as con:
        copied = con.execute("SELECT * FROM minhash_bands ORDER BY ALL").fetchall()
    assert first["minhash_bands"] == again["minhash_bands"] == 320
    assert copied == expected
