"""aerolite.exception: the aerospike client's classes, hierarchy and codes."""

import pytest

import aerolite
from aerolite import exception as ex

CODES = {
    "AerospikeError": -1, "ClientError": -1, "ParamError": -2, "InvalidHostError": -4,
    "TimeoutError": 9, "ServerError": 1, "InvalidRequest": 4, "ServerFull": 8,
    "AlwaysForbidden": 10, "UnsupportedFeature": 16, "DeviceOverload": 18,
    "NamespaceNotFound": 20, "ForbiddenError": 22, "ElementNotFoundError": 23,
    "ElementExistsError": 24, "OpNotApplicable": 26, "QuotaExceeded": 83, "ClusterError": 11,
    "RecordError": None, "RecordKeyMismatch": 19, "RecordNotFound": 2,
    "RecordGenerationError": 3, "RecordExistsError": 5, "RecordTooBig": 13, "RecordBusy": 14,
    "BinNameError": 21, "BinExistsError": 6, "BinNotFound": 17, "BinIncompatibleType": 12,
    "FilteredOut": 27, "ClusterChangeError": 7, "IndexError": 204, "IndexNotFound": 201,
    "IndexFoundError": 200, "IndexOOM": 202, "IndexNotReadable": 203, "IndexNameMaxLen": 205,
    "IndexNameMaxCount": 206, "QueryError": 213, "QueryQueueFull": 211, "QueryTimeout": 212,
    "AdminError": None, "SecurityNotSupported": 51, "SecurityNotEnabled": 52,
    "SecuritySchemeNotSupported": 53, "InvalidCommand": 54, "InvalidField": 55, "IllegalState": 56,
    "InvalidUser": 60, "UserExistsError": 61, "InvalidPassword": 62, "ExpiredPassword": 63,
    "ForbiddenPassword": 64, "InvalidCredential": 65, "InvalidRole": 70, "RoleExistsError": 71,
    "InvalidPrivilege": 72, "NotAuthenticated": 80, "RoleViolation": 81, "UDFError": None,
    "UDFNotFound": 1301, "LuaFileNotFound": 1302,
}

PARENTS = {
    "ClientError": "AerospikeError", "ServerError": "AerospikeError", "TimeoutError": "AerospikeError",
    "ParamError": "ClientError", "InvalidHostError": "ClientError", "RecordError": "ServerError",
    "RecordNotFound": "RecordError", "RecordGenerationError": "RecordError",
    "RecordExistsError": "RecordError", "BinIncompatibleType": "RecordError", "RecordTooBig": "RecordError",
    "BinNameError": "RecordError", "RecordKeyMismatch": "RecordError", "InvalidRequest": "ServerError",
    "NamespaceNotFound": "ServerError", "OpNotApplicable": "ServerError", "ClusterError": "ServerError",
    "ClusterChangeError": "ClusterError", "IndexError": "ServerError", "IndexNotFound": "IndexError",
    "QueryError": "ServerError", "QueryTimeout": "QueryError", "AdminError": "ServerError",
    "InvalidUser": "AdminError", "UDFError": "ServerError", "UDFNotFound": "UDFError",
}


@pytest.mark.parametrize("name,code", sorted(CODES.items()))
def test_class_codes(name, code):
    cls = getattr(ex, name)
    assert issubclass(cls, ex.AerospikeError) and issubclass(cls, Exception)
    assert cls.code == code
    e = cls(code, "message", "file.rs", 7, True)
    assert (e.code, e.msg, e.file, e.line, e.in_doubt) == (code, "message", "file.rs", 7, True)
    assert e.args == (code, "message", "file.rs", 7, True)
    assert cls().code == code and cls().in_doubt is False


@pytest.mark.parametrize("child,parent", sorted(PARENTS.items()))
def test_hierarchy(child, parent):
    assert issubclass(getattr(ex, child), getattr(ex, parent))
    assert getattr(getattr(ex, child), "__bases__")[0] is getattr(ex, parent)


def _raises(fn, cls, code):
    with pytest.raises(cls) as e:
        fn()
    assert type(e.value) is cls
    assert e.value.code == code and e.value.args[0] == code
    assert isinstance(e.value.msg, str) and e.value.msg
    assert e.value.in_doubt is False
    return e.value


def test_raised_by_the_engine(client, tmp_path):
    from aerolite import list_operations as lo, map_operations as mo

    k = ("test", "demo", 1)
    _raises(lambda: client.get(k), ex.RecordNotFound, 2)
    client.put(k, {"s": "x", "l": [1], "m": {"a": 1}})
    _raises(lambda: client.put(k, {"a": 1}, meta={"gen": 9}, policy={"gen": aerolite.POLICY_GEN_EQ}),
            ex.RecordGenerationError, 3)
    _raises(lambda: client.put(k, {"a": 1}, policy={"exists": aerolite.POLICY_EXISTS_CREATE}),
            ex.RecordExistsError, 5)
    _raises(lambda: client.increment(k, "s", 1), ex.BinIncompatibleType, 12)
    _raises(lambda: client.put(k, {"big": b"x" * (2 << 20)}), ex.RecordTooBig, 13)
    _raises(lambda: client.put(k, {"x" * 16: 1}), ex.BinNameError, 21)
    _raises(lambda: client.put(k, {"a": 1}, meta={"ttl": 20 * 365 * 86400}), ex.InvalidRequest, 4)
    _raises(lambda: client.put(("n" * 40, "demo", 1), {"a": 1}), ex.ParamError, -2)
    _raises(lambda: client.operate(k, [lo.list_get("l", 5)]), ex.OpNotApplicable, 26)
    _raises(lambda: client.operate(k, [mo.map_put("m", [1], 1)]), ex.InvalidRequest, 4)
    _raises(lambda: client.put(k, {"a": 1}, policy={"exists": 42}), ex.ParamError, -2)
    send = {"key": aerolite.POLICY_KEY_SEND}
    client.put(("test", "demo", "kk"), {"a": 1}, policy=send)
    digest = aerolite.calc_digest("test", "demo", "kk")
    client.put(("test", "demo", None, digest), {"a": 2})
    c2 = aerolite.client({"path": str(tmp_path / "other")})
    _raises(lambda: c2.put(k, {"a": 1}), ex.ClusterError, 11)
    # Opening a directory that is already open.
    c3 = aerolite.client({"path": client_path(client)})
    err = _raises(lambda: c3.connect(), ex.ServerError, 1)
    assert "locked" in err.msg


def client_path(client):
    r = repr(client)
    return r.split('path="', 1)[1].split('"', 1)[0]


def test_str_and_catch_by_parent(client):
    try:
        client.get(("test", "demo", "missing"))
    except ex.RecordError as e:
        assert str(e).startswith("(2)")
    else:
        raise AssertionError("no exception")
    try:
        client.put(("test", "demo"), {"a": 1})
    except ex.ClientError as e:
        assert e.code == -2
    else:
        raise AssertionError("no exception")
