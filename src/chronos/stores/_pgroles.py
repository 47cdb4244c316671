"""Who may change a PostgreSQL log: its role, the append-only triggers and the grants (`PostgresStore`)."""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any, Final

from chronos.errors import StoreError
from chronos.stores._pgurl import first_line
from chronos.stores.records import Head

__all__ = ["SETUP_LOCK", "PostgresGuards"]

#: The advisory lock that makes concurrent first openings (and reinstating) change the tables once.
SETUP_LOCK: Final = 0x6368726F6E6F73  # "chronos"


class PostgresGuards:
    """The guards-and-roles part of `PostgresStore` (its connection, lock, schema and DDL module)."""

    schema: str
    _display: str
    _unguarded: str | None
    _lock: Any
    _ddl: Any

    if TYPE_CHECKING:  # provided by PostgresStore

        def _errors(self) -> AbstractContextManager[None]: ...
        def _db(self) -> Any: ...
        def _head(self) -> Head: ...

    def role(self) -> str:
        """The role this store acts as (``current_user``)."""
        with self._lock, self._errors():
            row = self._db().execute("SELECT current_user").fetchone()
        return str(row[0]) if row else "?"

    def unguarded(self) -> str | None:
        """What is missing of the triggers that keep the tables append-only (looked up now), or None."""
        with self._lock, self._errors():
            self._unguarded = self._ddl.check_guards(self._db(), self.schema, self._display)
        return self._unguarded

    def reinstate(self) -> list[str]:
        """Put back the triggers that are missing or altered, noting it in ``chronos_meta``; name them.

        Only the owner of the tables may. The note (key ``reinstated <UTC
        time>``) names what was put back and the head at that moment.
        """
        with self._lock, self._errors():
            db = self._db()
            with db.transaction():
                db.execute("SELECT pg_advisory_xact_lock(%s)", (SETUP_LOCK,))
                head = self._head()
                names: list[str] = self._ddl.reinstate(db, self.schema, (head.position, head.hash))
            self._unguarded = None
        return names

    def grant(self, *, writer: str | None = None, reader: str | None = None) -> list[str]:
        """Let role ``writer`` read and append, and role ``reader`` only read; one line said per role.

        A missing role is created without LOGIN (a group role). Each loses any
        other right on the log's schema and tables. Refused, with nothing
        changed, for a superuser, for a role that owns the schema or the tables,
        and for a role that could still edit through another role it belongs to.
        See `chronos.stores._pgschema.grant`.
        """
        with self._lock, self._errors():
            db = self._db()
            with db.transaction():
                said: list[str] = self._ddl.grant(
                    db, self.schema, writer=writer, reader=reader, where=self._display
                )
        return said

    def _standby_refused(self, exc: Exception) -> StoreError:
        """The one-line error for a write to a read replica."""
        return StoreError(
            f"{self._display}: a read replica takes no writes; append to the primary ({first_line(exc)})"
        )

    def _refused(self, exc: Exception, doing: str) -> StoreError:
        """The one-line error for a role without the right to write."""
        return StoreError(
            f"{self._display}: role {self.role()!r} may not {doing} (it may only read this log: "
            f"{first_line(exc)})"
        )
