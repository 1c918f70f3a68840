"""Record operations for ``client.operate()``, as ``aerospike_helpers.operations.operations``."""

from typing import Any, Dict

OPERATOR_READ: int
OPERATOR_WRITE: int
OPERATOR_INCR: int
OPERATOR_APPEND: int
OPERATOR_PREPEND: int
OPERATOR_TOUCH: int
OPERATOR_DELETE: int


def read(bin_name: Any) -> Dict[str, Any]:
    """Read the bin ``bin_name``: its value appears in the bins of the result."""


def write(bin_name: Any, write_item: Any) -> Dict[str, Any]:
    """Set the bin ``bin_name`` to ``write_item`` (``None`` deletes the bin)."""


def increment(bin_name: Any, amount: Any) -> Dict[str, Any]:
    """Add ``amount`` (int or float, matching the bin) to the bin ``bin_name``; creates it if missing."""


def append(bin_name: Any, append_item: Any) -> Dict[str, Any]:
    """Append ``append_item`` (str, or bytes to a blob bin) to the bin ``bin_name``."""


def prepend(bin_name: Any, prepend_item: Any) -> Dict[str, Any]:
    """Prepend ``prepend_item`` (str, or bytes to a blob bin) to the bin ``bin_name``."""


def touch(ttl: Any = None) -> Dict[str, Any]:
    """Reset the record's TTL (``ttl`` seconds, or the meta/policy TTL when ``None``); generation + 1."""


def delete() -> Dict[str, Any]:
    """Delete the record (the other operations of the call still see it before this point)."""
