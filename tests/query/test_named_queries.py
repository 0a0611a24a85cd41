"""The named query files: what they say about themselves, the one placeholder, and SQL both engines parse."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlglot

from components.core.named_queries import load_named_queries, render

QUERIES = load_named_queries()


def test_the_named_queries_users_want_exist_each_with_a_description():
    assert [query.name for query in QUERIES] == ["daily_ohlc", "data_quality", "latest_24_hours"]
    assert all(len(query.description) > 40 and "--" not in query.description for query in QUERIES)
    assert all(len(query.description) <= 1024 for query in QUERIES), "Athena's NamedQuery description limit"


def test_the_table_placeholder_is_the_only_one():
    assert (
        render("SELECT 1 FROM {table} JOIN {table} USING (x)", '"d"."t"')
        == 'SELECT 1 FROM "d"."t" JOIN "d"."t" USING (x)'
    )
    with pytest.raises(ValueError, match="unknown placeholder"):
        render("SELECT 1 FROM {table} WHERE x > {since}", "t")
    with pytest.raises(ValueError, match="must read"):
        render("SELECT 1", "t")


def test_a_query_file_without_a_description_is_refused(tmp_path: Path):
    (tmp_path / "bare.sql").write_text("SELECT 1 FROM {table}\n")
    with pytest.raises(ValueError, match="comment that describes"):
        load_named_queries(tmp_path)


@pytest.mark.parametrize("dialect", ["trino", "duckdb"])
@pytest.mark.parametrize("query", QUERIES, ids=lambda query: query.name)
def test_every_query_parses_as_trino_and_as_duckdb(query, dialect):
    """Athena engine 3 is Trino: a syntax error would only show in AWS. sqlglot's parser catches it here."""
    (statement,) = sqlglot.parse(query.render('"tracking_dev"."price_record"'), read=dialect)
    assert statement is not None and statement.find(sqlglot.exp.Select) is not None


@pytest.mark.parametrize("query", QUERIES, ids=lambda query: query.name)
def test_no_query_divides_integers_inexactly(query):
    """`/` differs between Trino (integer division) and DuckDB (float): a division must be exact and cast."""
    for division in sqlglot.parse_one(query.render("t"), read="trino").find_all(sqlglot.exp.Div):
        assert isinstance(division.parent, sqlglot.exp.Cast), division.sql()
