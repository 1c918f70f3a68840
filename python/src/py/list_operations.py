"""List operations for ``client.operate()``, as ``aerospike_helpers.operations.list_operations``.

Indexes may be negative: -1 is the last item. ``policy`` and ``ctx`` are accepted for
compatibility; a ``ctx`` (nested context) is not supported and raises ``ParamError``.
"""

OP_LIST_APPEND = 1001
OP_LIST_APPEND_ITEMS = 1002
OP_LIST_INSERT = 1003
OP_LIST_POP = 1005
OP_LIST_REMOVE = 1007
OP_LIST_CLEAR = 1009
OP_LIST_SET = 1010
OP_LIST_GET = 1011
OP_LIST_GET_RANGE = 1012
OP_LIST_TRIM = 1013
OP_LIST_SIZE = 1014
OP_LIST_INCREMENT = 1015


def _op(code, bin_name, ctx, **fields):
    op = {"op": code, "bin": bin_name}
    op.update(fields)
    if ctx is not None:
        op["ctx"] = ctx
    return op


def list_append(bin_name, value, policy=None, ctx=None):
    """Append ``value`` to the list bin; returns the new size."""
    return _op(OP_LIST_APPEND, bin_name, ctx, val=value, list_policy=policy)


def list_append_items(bin_name, values, policy=None, ctx=None):
    """Append every item of the list ``values``; returns the new size."""
    return _op(OP_LIST_APPEND_ITEMS, bin_name, ctx, val=values, list_policy=policy)


def list_insert(bin_name, index, value, policy=None, ctx=None):
    """Insert ``value`` before the item at ``index``; returns the new size."""
    return _op(OP_LIST_INSERT, bin_name, ctx, index=index, val=value, list_policy=policy)


def list_pop(bin_name, index, ctx=None):
    """Remove the item at ``index`` and return it."""
    return _op(OP_LIST_POP, bin_name, ctx, index=index)


def list_remove(bin_name, index, ctx=None):
    """Remove the item at ``index``; returns the count removed (1)."""
    return _op(OP_LIST_REMOVE, bin_name, ctx, index=index)


def list_get(bin_name, index, ctx=None):
    """Return the item at ``index``."""
    return _op(OP_LIST_GET, bin_name, ctx, index=index)


def list_get_range(bin_name, index, count, ctx=None):
    """Return up to ``count`` items starting at ``index``, as a list."""
    return _op(OP_LIST_GET_RANGE, bin_name, ctx, index=index, val=count)


def list_set(bin_name, index, value, policy=None, ctx=None):
    """Set the item at ``index`` to ``value`` (pads with ``None`` past the end); returns nothing."""
    return _op(OP_LIST_SET, bin_name, ctx, index=index, val=value, list_policy=policy)


def list_trim(bin_name, index, count, ctx=None):
    """Keep only ``count`` items from ``index``; returns the number removed."""
    return _op(OP_LIST_TRIM, bin_name, ctx, index=index, val=count)


def list_size(bin_name, ctx=None):
    """Return the number of items."""
    return _op(OP_LIST_SIZE, bin_name, ctx)


def list_clear(bin_name, ctx=None):
    """Remove every item, leaving an empty list; returns nothing."""
    return _op(OP_LIST_CLEAR, bin_name, ctx)


def list_increment(bin_name, index, value, policy=None, ctx=None):
    """Add ``value`` to the number at ``index``; returns the new value."""
    return _op(OP_LIST_INCREMENT, bin_name, ctx, index=index, val=value, list_policy=policy)
