"""What every query module of the store shares: the connection, rows as dicts, files as one table."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

import duckdb

from nightshift.clock import utc


class Queries:
    """A group of named queries over ``self.con``; ``nightshift.store.state.State`` combines them all."""

    con: duckdb.DuckDBPyConnection

    def _dicts(self, sql: str, params: list | dict | None = None) -> list[dict]:
        """Each row as a dict, its times aware UTC."""
        cur = self.con.execute(sql, params or [])
        names = [d[0] for d in cur.description]
        return [{k: utc(v) if isinstance(v, datetime) else v for k, v in zip(names, row)} for row in cur.fetchall()]

    @contextmanager
    def _files_view(self, view: str, name: str, files: list[tuple[str, int, float]]) -> Iterator[None]:
        """(name, size, mtime) rows as the view ``view`` for one statement. executemany would run one
        statement per row (8 ms each); an Arrow table is one scan."""
        import pyarrow as pa  # on use: the read path (`nightshift summary`, at every session start) never needs it

        names, sizes, mtimes = zip(*files)
        table = pa.table({name: pa.array(names, pa.string()), "size": pa.array(sizes, pa.int64()), "mtime": pa.array(mtimes, pa.float64())})
        self.con.register(view, table)
        try:
            yield
        finally:
            self.con.unregister(view)
