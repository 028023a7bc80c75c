"""Helpers shared by the benchmark scripts."""

from __future__ import annotations

import sys


def create_postgres_database_if_missing(url: str) -> None:
    import dj_database_url
    import psycopg
    from psycopg import sql

    settings = dj_database_url.parse(url)
    connect = {"host": settings["HOST"] or "127.0.0.1", "port": settings["PORT"] or 5432, "user": settings["USER"] or "postgres",
               "password": settings["PASSWORD"] or None, "dbname": "postgres", "autocommit": True}
    try:
        with psycopg.connect(**connect) as connection:
            exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [settings["NAME"]]).fetchone()
            if not exists:
                connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(settings["NAME"])))
                print(f"created database {settings['NAME']}")
    except psycopg.OperationalError as error:
        sys.exit(f"Cannot reach PostgreSQL at {connect['host']}:{connect['port']} ({error}). Start it or pass BENCH_DATABASE_URL.")
