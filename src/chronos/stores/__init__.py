"""Where a log's records live: one module per backend, all behind the `Store` protocol."""

from chronos.stores.base import Store
from chronos.stores.jsonl import JsonlStore
from chronos.stores.memory import MemoryStore

__all__ = ["JsonlStore", "MemoryStore", "Store"]
