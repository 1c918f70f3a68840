"""Map operations for ``client.operate()``, as ``aerospike_helpers.operations.map_operations``.

aerolite maps are key-ordered. ``map_policy`` and ``ctx`` are accepted for compatibility; a
``ctx`` (nested context) is not supported and raises ``ParamError``. ``return_type`` takes the
``aerolite.MAP_RETURN_*`` constants.
"""

OP_MAP_PUT = 1102
OP_MAP_PUT_ITEMS = 1103
OP_MAP_INCREMENT = 1104
OP_MAP_SIZE = 1106
OP_MAP_CLEAR = 1107
OP_MAP_REMOVE_BY_KEY = 1108
OP_MAP_GET_BY_KEY = 1118
OP_MAP_GET_BY_KEY_RANGE = 1119

MAP_RETURN_NONE = 0
MAP_RETURN_INDEX = 1
MAP_RETURN_REVERSE_INDEX = 2
MAP_RETURN_RANK = 3
MAP_RETURN_REVERSE_RANK = 4
MAP_RETURN_COUNT = 5
MAP_RETURN_KEY = 6
MAP_RETURN_VALUE = 7
MAP_RETURN_KEY_VALUE = 8
MAP_RETURN_EXISTS = 13


def _op(code, bin_name, ctx, **fields):
    op = {"op": code, "bin": bin_name}
    op.update(fields)
    if ctx is not None:
        op["ctx"] = ctx
    return op


def map_put(bin_name, key, value, map_policy=None, ctx=None):
    """Put ``key`` → ``value`` in the map bin; returns the map's size after."""
    return _op(OP_MAP_PUT, bin_name, ctx, key=key, val=value, map_policy=map_policy)


def map_put_items(bin_name, item_dict, map_policy=None, ctx=None):
    """Put every entry of the dict ``item_dict``; returns the map's size after."""
    return _op(OP_MAP_PUT_ITEMS, bin_name, ctx, val=item_dict, map_policy=map_policy)


def map_increment(bin_name, key, amount, map_policy=None, ctx=None):
    """Add ``amount`` to the number under ``key``; returns the new value."""
    return _op(OP_MAP_INCREMENT, bin_name, ctx, key=key, val=amount, map_policy=map_policy)


def map_get_by_key(bin_name, key, return_type, ctx=None):
    """Return the entry under ``key``, shaped by ``return_type`` (``MAP_RETURN_VALUE``: the value)."""
    return _op(OP_MAP_GET_BY_KEY, bin_name, ctx, key=key, return_type=return_type)


def map_remove_by_key(bin_name, key, return_type, ctx=None):
    """Remove the entry under ``key``; returns it shaped by ``return_type``."""
    return _op(OP_MAP_REMOVE_BY_KEY, bin_name, ctx, key=key, return_type=return_type)


def map_get_by_key_range(bin_name, key_range_start, key_range_end, return_type, inverted=False, ctx=None):
    """Return the entries with ``key_range_start <= key < key_range_end``, shaped by ``return_type``
    (``MAP_RETURN_KEY_VALUE``: a list of ``(key, value)`` tuples). ``inverted=True`` is not supported."""
    return _op(
        OP_MAP_GET_BY_KEY_RANGE,
        bin_name,
        ctx,
        key=key_range_start,
        range=key_range_end,
        return_type=return_type,
        inverted=inverted,
    )


def map_size(bin_name, ctx=None):
    """Return the number of entries."""
    return _op(OP_MAP_SIZE, bin_name, ctx)


def map_clear(bin_name, ctx=None):
    """Remove every entry; returns nothing."""
    return _op(OP_MAP_CLEAR, bin_name, ctx)
