"""aerolite.operations, aerolite.list_operations and aerolite.map_operations with operate()."""

import pytest

import aerolite
import aerolite.list_operations
import aerolite.map_operations
import aerolite.operations
from aerolite import exception as ex
from aerolite import list_operations as lo
from aerolite import map_operations as mo
from aerolite import operations as op

KEY = ("test", "ops", 1)


def test_submodules_import_both_ways():
    assert aerolite.operations is op
    assert aerolite.list_operations is lo
    assert aerolite.map_operations is mo
    import sys
    assert sys.modules["aerolite.exception"] is aerolite.exception
    for fn in (op.write, op.read, op.increment, op.append, op.prepend, op.touch, op.delete):
        assert fn.__doc__
    assert op.write("b", 1) == {"op": aerolite.OPERATOR_WRITE, "bin": "b", "val": 1}
    assert op.read("b") == {"op": aerolite.OPERATOR_READ, "bin": "b"}


def test_operator_constants():
    assert (aerolite.OPERATOR_READ, aerolite.OPERATOR_WRITE, aerolite.OPERATOR_INCR,
            aerolite.OPERATOR_APPEND, aerolite.OPERATOR_PREPEND, aerolite.OPERATOR_TOUCH,
            aerolite.OPERATOR_DELETE) == (1, 2, 5, 9, 10, 11, 14)
    assert aerolite.OP_LIST_APPEND == 1001 and aerolite.OP_LIST_INCREMENT == 1015
    assert aerolite.OP_MAP_PUT == 1102 and aerolite.OP_MAP_GET_BY_KEY_RANGE == 1119
    assert (aerolite.MAP_RETURN_NONE, aerolite.MAP_RETURN_COUNT, aerolite.MAP_RETURN_KEY,
            aerolite.MAP_RETURN_VALUE, aerolite.MAP_RETURN_KEY_VALUE) == (0, 5, 6, 7, 8)


def test_list_operations(client):
    client.put(KEY, {"l": [1, 2, 3]})
    _, _, bins = client.operate(KEY, [lo.list_append("l", 4)])
    assert bins == {"l": 4}
    assert client.operate(KEY, [lo.list_append_items("l", [5, 6])])[2] == {"l": 6}
    assert client.operate(KEY, [lo.list_insert("l", 0, 0)])[2] == {"l": 7}
    assert client.get(KEY)[2]["l"] == [0, 1, 2, 3, 4, 5, 6]
    assert client.operate(KEY, [lo.list_pop("l", -1)])[2] == {"l": 6}
    assert client.operate(KEY, [lo.list_remove("l", 0)])[2] == {"l": 1}
    assert client.operate(KEY, [lo.list_get("l", 1)])[2] == {"l": 2}
    assert client.operate(KEY, [lo.list_get_range("l", 1, 2)])[2] == {"l": [2, 3]}
    assert client.operate(KEY, [lo.list_size("l")])[2] == {"l": 5}
    _, _, bins = client.operate(KEY, [lo.list_set("l", 0, "first")])
    assert bins == {}
    assert client.get(KEY)[2]["l"] == ["first", 2, 3, 4, 5]
    assert client.operate(KEY, [lo.list_trim("l", 1, 3)])[2] == {"l": 2}
    assert client.get(KEY)[2]["l"] == [2, 3, 4]
    assert client.operate(KEY, [lo.list_increment("l", 0, 10)])[2] == {"l": 12}
    assert client.operate(KEY, [lo.list_clear("l")])[2] == {}
    assert client.get(KEY)[2]["l"] == []
    with pytest.raises(ex.ParamError) as e:
        client.operate(KEY, [lo.list_append("l", 1, ctx=[object()])])
    assert "ctx" in e.value.msg
    with pytest.raises(ex.ParamError):
        client.operate(KEY, [lo.list_get_range("l", 0, -1)])
    with pytest.raises(ex.ParamError):
        client.operate(KEY, [lo.list_append_items("l", "notalist")])


def test_map_operations(client):
    assert client.operate(KEY, [mo.map_put("m", "a", 1)])[2] == {"m": 1}
    assert client.operate(KEY, [mo.map_put_items("m", {"b": 2, "c": 3, "d": 4})])[2] == {"m": 4}
    assert client.operate(KEY, [mo.map_increment("m", "a", 10)])[2] == {"m": 11}
    V = aerolite.MAP_RETURN_VALUE
    assert client.operate(KEY, [mo.map_get_by_key("m", "a", V)])[2] == {"m": 11}
    assert client.operate(KEY, [mo.map_get_by_key("m", "zz", V)])[2] == {"m": None}
    assert client.operate(KEY, [mo.map_get_by_key("m", "a", aerolite.MAP_RETURN_NONE)])[2] == {}
    assert client.operate(KEY, [mo.map_get_by_key("m", "a", aerolite.MAP_RETURN_KEY_VALUE)])[2] == {"m": [("a", 11)]}
    assert client.operate(KEY, [mo.map_size("m")])[2] == {"m": 4}
    rng = client.operate(KEY, [mo.map_get_by_key_range("m", "b", "d", aerolite.MAP_RETURN_KEY_VALUE)])[2]
    assert rng == {"m": [("b", 2), ("c", 3)]}
    assert client.operate(KEY, [mo.map_get_by_key_range("m", "b", "d", aerolite.MAP_RETURN_KEY)])[2] == {"m": ["b", "c"]}
    assert client.operate(KEY, [mo.map_get_by_key_range("m", "b", "d", V)])[2] == {"m": [2, 3]}
    assert client.operate(KEY, [mo.map_get_by_key_range("m", "a", "z", aerolite.MAP_RETURN_COUNT)])[2] == {"m": 4}
    assert client.operate(KEY, [mo.map_remove_by_key("m", "b", V)])[2] == {"m": 2}
    assert client.operate(KEY, [mo.map_remove_by_key("m", "c", aerolite.MAP_RETURN_NONE)])[2] == {}
    assert client.get(KEY)[2]["m"] == {"a": 11, "d": 4}
    assert client.operate(KEY, [mo.map_clear("m")])[2] == {}
    assert client.get(KEY)[2]["m"] == {}
    with pytest.raises(ex.ParamError):
        client.operate(KEY, [mo.map_get_by_key_range("m", "a", "b", V, inverted=True)])
    with pytest.raises(ex.ParamError):
        client.operate(KEY, [mo.map_put_items("m", [1, 2])])
    with pytest.raises(ex.ParamError):
        client.operate(KEY, [mo.map_get_by_key("m", "a", 99)])


def test_mixed_operations_are_atomic(client):
    client.put(KEY, {"n": 1, "l": [1]})
    with pytest.raises(ex.BinIncompatibleType):
        client.operate(KEY, [op.increment("n", 1), lo.list_append("n", 5)])
    # Nothing of the failed call was applied.
    assert client.get(KEY)[2] == {"n": 1, "l": [1]}
    assert client.get(KEY)[1]["gen"] == 1
