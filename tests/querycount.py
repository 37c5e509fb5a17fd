"""Count the SQL statements a piece of code sends, to catch queries in loops."""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlalchemy import event
from sqlalchemy.engine import Engine


@dataclass
class QueryCount:
    """The statements seen while counting."""

    statements: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        """Return how many statements were sent."""
        return len(self.statements)


@contextmanager
def count_queries():
    """Count every statement any engine sends inside the block."""
    counter = QueryCount()

    def _record(conn, cursor, statement, parameters, context, executemany):
        counter.statements.append(statement)

    event.listen(Engine, "before_cursor_execute", _record)
    try:
        yield counter
    finally:
        event.remove(Engine, "before_cursor_execute", _record)


def nothing_kept() -> None:
    """Renew the token of every watched kind of data (portal.kept), so that the next request
    computes everything it would otherwise take from what is kept: the signed-in user, lists,
    whole pages. Counting statements before and after data grew then compares like with like."""
    from portal import kept
    from portal.extensions import db

    for name in kept.watched():
        kept.renew_at_commit(db.session, name)
    db.session.commit()
