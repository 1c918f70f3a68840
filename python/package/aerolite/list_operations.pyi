"""List operations for ``client.operate()``, as ``aerospike_helpers.operations.list_operations``."""

from typing import Any, Dict

OP_LIST_APPEND: int
OP_LIST_APPEND_ITEMS: int
OP_LIST_INSERT: int
OP_LIST_POP: int
OP_LIST_REMOVE: int
OP_LIST_CLEAR: int
OP_LIST_SET: int
OP_LIST_GET: int
OP_LIST_GET_RANGE: int
OP_LIST_TRIM: int
OP_LIST_SIZE: int
OP_LIST_INCREMENT: int


def list_append(bin_name: Any, value: Any, policy: Any = None, ctx: Any = None) -> Dict[str, Any]:
    """Append ``value`` to the list bin; returns the new size."""


def list_append_items(bin_name: Any, values: Any, policy: Any = None, ctx: Any = None) -> Dict[str, Any]:
    """Append every item of the list ``values``; returns the new size."""


def list_insert(bin_name: Any, index: Any, value: Any, policy: Any = None, ctx: Any = None) -> Dict[str, Any]:
    """Insert ``value`` before the item at ``index``; returns the new size."""


def list_pop(bin_name: Any, index: Any, ctx: Any = None) -> Dict[str, Any]:
    """Remove the item at ``index`` and return it."""


def list_remove(bin_name: Any, index: Any, ctx: Any = None) -> Dict[str, Any]:
    """Remove the item at ``index``; returns the count removed (1)."""


def list_get(bin_name: Any, index: Any, ctx: Any = None) -> Dict[str, Any]:
    """Return the item at ``index``."""


def list_get_range(bin_name: Any, index: Any, count: Any, ctx: Any = None) -> Dict[str, Any]:
    """Return up to ``count`` items starting at ``index``, as a list."""


def list_set(bin_name: Any, index: Any, value: Any, policy: Any = None, ctx: Any = None) -> Dict[str, Any]:
    """Set the item at ``index`` to ``value`` (pads with ``None`` past the end); returns nothing."""


def list_trim(bin_name: Any, index: Any, count: Any, ctx: Any = None) -> Dict[str, Any]:
    """Keep only ``count`` items from ``index``; returns the number removed."""


def list_size(bin_name: Any, ctx: Any = None) -> Dict[str, Any]:
    """Return the number of items."""


def list_clear(bin_name: Any, ctx: Any = None) -> Dict[str, Any]:
    """Remove every item, leaving an empty list; returns nothing."""


def list_increment(bin_name: Any, index: Any, value: Any, policy: Any = None, ctx: Any = None) -> Dict[str, Any]:
    """Add ``value`` to the number at ``index``; returns the new value."""
