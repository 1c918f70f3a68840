"""Map operations for ``client.operate()``, as ``aerospike_helpers.operations.map_operations``."""

from typing import Any, Dict

OP_MAP_PUT: int
OP_MAP_PUT_ITEMS: int
OP_MAP_INCREMENT: int
OP_MAP_SIZE: int
OP_MAP_CLEAR: int
OP_MAP_REMOVE_BY_KEY: int
OP_MAP_GET_BY_KEY: int
OP_MAP_GET_BY_KEY_RANGE: int
MAP_RETURN_NONE: int
MAP_RETURN_INDEX: int
MAP_RETURN_REVERSE_INDEX: int
MAP_RETURN_RANK: int
MAP_RETURN_REVERSE_RANK: int
MAP_RETURN_COUNT: int
MAP_RETURN_KEY: int
MAP_RETURN_VALUE: int
MAP_RETURN_KEY_VALUE: int
MAP_RETURN_EXISTS: int


def map_put(bin_name: Any, key: Any, value: Any, map_policy: Any = None, ctx: Any = None) -> Dict[str, Any]:
    """Put ``key`` → ``value`` in the map bin; returns the map's size after."""


def map_put_items(bin_name: Any, item_dict: Any, map_policy: Any = None, ctx: Any = None) -> Dict[str, Any]:
    """Put every entry of the dict ``item_dict``; returns the map's size after."""


def map_increment(bin_name: Any, key: Any, amount: Any, map_policy: Any = None, ctx: Any = None) -> Dict[str, Any]:
    """Add ``amount`` to the number under ``key``; returns the new value."""


def map_get_by_key(bin_name: Any, key: Any, return_type: Any, ctx: Any = None) -> Dict[str, Any]:
    """Return the entry under ``key``, shaped by ``return_type`` (``MAP_RETURN_VALUE``: the value)."""


def map_remove_by_key(bin_name: Any, key: Any, return_type: Any, ctx: Any = None) -> Dict[str, Any]:
    """Remove the entry under ``key``; returns it shaped by ``return_type``."""


def map_get_by_key_range(bin_name: Any, key_range_start: Any, key_range_end: Any, return_type: Any, inverted: Any = False, ctx: Any = None) -> Dict[str, Any]:
    """Return the entries with ``key_range_start <= key < key_range_end``, shaped by ``return_type`` (``MAP_RETURN_KEY_VALUE``: a list of ``(key, value)`` tuples). ``inverted=True`` is not supported."""


def map_size(bin_name: Any, ctx: Any = None) -> Dict[str, Any]:
    """Return the number of entries."""


def map_clear(bin_name: Any, ctx: Any = None) -> Dict[str, Any]:
    """Remove every entry; returns nothing."""
