"""Record operations for ``client.operate()``, as ``aerospike_helpers.operations.operations``.

Each function returns an operation dict; pass a list of them to ``client.operate(key, ops)``.
"""

OPERATOR_READ = 1
OPERATOR_WRITE = 2
OPERATOR_INCR = 5
OPERATOR_APPEND = 9
OPERATOR_PREPEND = 10
OPERATOR_TOUCH = 11
OPERATOR_DELETE = 14


def read(bin_name):
    """Read the bin ``bin_name``: its value appears in the bins of the result."""
    return {"op": OPERATOR_READ, "bin": bin_name}


def write(bin_name, write_item):
    """Set the bin ``bin_name`` to ``write_item`` (``None`` deletes the bin)."""
    return {"op": OPERATOR_WRITE, "bin": bin_name, "val": write_item}


def increment(bin_name, amount):
    """Add ``amount`` (int or float, matching the bin) to the bin ``bin_name``; creates it if missing."""
    return {"op": OPERATOR_INCR, "bin": bin_name, "val": amount}


def append(bin_name, append_item):
    """Append ``append_item`` (str, or bytes to a blob bin) to the bin ``bin_name``."""
    return {"op": OPERATOR_APPEND, "bin": bin_name, "val": append_item}


def prepend(bin_name, prepend_item):
    """Prepend ``prepend_item`` (str, or bytes to a blob bin) to the bin ``bin_name``."""
    return {"op": OPERATOR_PREPEND, "bin": bin_name, "val": prepend_item}


def touch(ttl=None):
    """Reset the record's TTL (``ttl`` seconds, or the meta/policy TTL when ``None``); generation + 1."""
    op = {"op": OPERATOR_TOUCH}
    if ttl is not None:
        op["val"] = ttl
    return op


def delete():
    """Delete the record (the other operations of the call still see it before this point)."""
    return {"op": OPERATOR_DELETE}
