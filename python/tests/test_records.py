"""Every Client method of docs/python.md, with its arguments and return shape."""

import time

import pytest

import aerolite
from aerolite import exception as ex

KEY = ("test", "demo", "k1")


def test_client_lifecycle(db_path):
    c = aerolite.client({"path": db_path})
    assert c.is_connected() is False
    with pytest.raises(ex.ClusterError) as e:
        c.get(KEY)
    assert e.value.code == 11
    assert c.connect() is c
    assert c.is_connected() is True
    assert c.connect("user", "password") is c  # accepted and ignored
    c.put(KEY, {"a": 1})
    c.close()
    assert c.is_connected() is False
    c.close()  # twice is fine
    # Reopen: the data is durable.
    with aerolite.client({"path": db_path}).connect() as c2:
        assert c2.get(KEY)[2] == {"a": 1}
    assert c2.is_connected() is False


def test_config_errors_and_ignored_keys(tmp_path):
    with pytest.raises(ex.ParamError) as e:
        aerolite.client({"hosts": [("127.0.0.1", 3000)]})
    assert e.value.code == -2 and "embedded" in e.value.msg and "path" in e.value.msg
    with pytest.raises(ex.ParamError):
        aerolite.client({})
    with pytest.raises(ex.ParamError):
        aerolite.client("not a dict")
    with pytest.raises(ex.ParamError) as e:
        aerolite.client({"path": str(tmp_path), "durability": "fast"})
    assert "durability" in e.value.msg
    c = aerolite.client({
        "path": str(tmp_path / "x"), "hosts": [("h", 1)], "timeout": 5, "durability": "sync",
        "policies": {"write": {"key": aerolite.POLICY_KEY_SEND}, "read": {"total_timeout": 100}},
    }).connect()
    c.put(KEY, {"a": 1})
    # The configured write policy stores the user key.
    assert c.scan("test", "demo").results()[0][0][2] == "k1"
    c.close()
    with pytest.raises(ex.ParamError) as e:
        aerolite.client({"path": str(tmp_path), "policies": {"write": {"exists": 9}}})
    assert "exists" in e.value.msg


def test_put_get_select_exists(client):
    client.put(KEY, {"a": 1, "b": "two", "c": [1, 2]})
    key, meta, bins = client.get(KEY)
    assert key == ("test", "demo", "k1", client.get_key_digest("test", "demo", "k1"))
    assert meta == {"gen": 1, "ttl": -1}
    assert bins == {"a": 1, "b": "two", "c": [1, 2]}
    # Merge and delete with None.
    client.put(KEY, {"a": None, "d": 4.5})
    assert client.get(KEY)[2] == {"b": "two", "c": [1, 2], "d": 4.5}
    key, meta, bins = client.select(KEY, ["b", "missing"])
    assert bins == {"b": "two"} and meta["gen"] == 2
    key, meta = client.exists(KEY)
    assert meta["gen"] == 2
    key, meta = client.exists(("test", "demo", "nope"))
    assert meta is None and key[2] == "nope"
    with pytest.raises(ex.RecordNotFound) as e:
        client.get(("test", "demo", "nope"))
    assert e.value.code == 2
    with pytest.raises(ex.RecordNotFound):
        client.select(("test", "demo", "nope"), ["a"])


def test_keys_int_bytes_and_digest(client):
    for pk in (7, -3, "s", b"raw", bytearray(b"ba")):
        client.put(("test", "demo", pk), {"v": 1}, policy={"key": aerolite.POLICY_KEY_SEND})
        k, _, bins = client.get(("test", "demo", pk))
        assert bins == {"v": 1}
        assert k[2] == pk
    digest = aerolite.calc_digest("test", "demo", 7)
    assert isinstance(digest, bytearray) and len(digest) == 20
    assert client.get_key_digest("test", "demo", 7) == digest
    # A 4-tuple with the digest and no user key addresses the same record.
    k, _, bins = client.get(("test", "demo", None, digest))
    assert bins == {"v": 1} and k[2] is None and k[3] == digest
    # No set.
    client.put(("test", None, 1), {"x": 1})
    k, _, bins = client.get(("test", None, 1))
    assert k[1] is None and bins == {"x": 1}
    # Aerospike's digests for known keys are the same as the server's.
    assert aerolite.calc_digest("test", "demo", 1) != aerolite.calc_digest("test", "demo", "1")


def test_ttl_and_meta(client):
    client.put(KEY, {"a": 1}, meta={"ttl": 100})
    assert 95 <= client.get(KEY)[1]["ttl"] <= 100
    client.put(KEY, {"a": 2}, meta={"ttl": aerolite.TTL_DONT_UPDATE})
    assert 95 <= client.get(KEY)[1]["ttl"] <= 100
    client.put(KEY, {"a": 3}, meta={"ttl": aerolite.TTL_NEVER_EXPIRE})
    assert client.get(KEY)[1]["ttl"] == -1
    client.put(KEY, {"a": 4}, meta={"ttl": aerolite.TTL_NAMESPACE_DEFAULT})
    assert client.get(KEY)[1]["ttl"] == -1  # the namespace default: never
    client.put(KEY, {"a": 5}, meta={"ttl": aerolite.TTL_CLIENT_DEFAULT})
    assert client.get(KEY)[1]["gen"] == 5
    client.put(KEY, {"a": 6}, policy={"ttl": 50})
    assert 45 <= client.get(KEY)[1]["ttl"] <= 50


def test_remove_and_remove_bin(client):
    client.put(KEY, {"a": 1, "b": 2, "c": 3})
    client.remove_bin(KEY, ["a", "b"])
    assert client.get(KEY)[2] == {"c": 3}
    client.remove(KEY)
    assert client.exists(KEY)[1] is None
    with pytest.raises(ex.RecordNotFound):
        client.remove(KEY)
    # Generation-checked remove.
    client.put(KEY, {"a": 1})
    with pytest.raises(ex.RecordGenerationError) as e:
        client.remove(KEY, meta={"gen": 5}, policy={"gen": aerolite.POLICY_GEN_EQ})
    assert e.value.code == 3
    client.remove(KEY, meta={"gen": 1}, policy={"gen": aerolite.POLICY_GEN_EQ})
    assert client.exists(KEY)[1] is None


def test_touch(client):
    client.put(KEY, {"a": 1})
    client.touch(KEY, 120)
    key, meta, _ = client.get(KEY)
    assert meta["gen"] == 2 and 115 <= meta["ttl"] <= 120
    client.touch(KEY)
    assert client.get(KEY)[1]["gen"] == 3
    with pytest.raises(ex.RecordNotFound):
        client.touch(("test", "demo", "nope"), 10)


def test_increment_append_prepend(client):
    client.increment(KEY, "n", 5)
    client.increment(KEY, "n", -2)
    client.increment(KEY, "f", 1.5)
    client.append(KEY, "s", "world")
    client.prepend(KEY, "s", "hello ")
    client.append(KEY, "b", b"\x01")
    client.prepend(KEY, "b", bytearray(b"\x00"))
    assert client.get(KEY)[2] == {"n": 3, "f": 1.5, "s": "hello world", "b": bytearray(b"\x00\x01")}
    with pytest.raises(ex.ParamError) as e:
        client.increment(KEY, "n", "1")
    assert e.value.code == -2 and "offset" in e.value.msg
    with pytest.raises(ex.ParamError):
        client.append(KEY, "s", 5)
    with pytest.raises(ex.BinIncompatibleType) as e:
        client.increment(KEY, "s", 1)
    assert e.value.code == 12
    with pytest.raises(ex.ParamError):
        client.increment(KEY, 5, 1)


def test_operate(client):
    from aerolite import operations as op

    client.put(KEY, {"n": 1, "s": "a"})
    key, meta, bins = client.operate(KEY, [
        op.increment("n", 10),
        op.append("s", "b"),
        op.prepend("s", "z"),
        op.write("w", [1, 2]),
        op.read("n"),
        op.read("s"),
    ])
    assert bins == {"n": 11, "s": "zab"}
    assert meta["gen"] == 2 and key[2] == "k1"
    _, meta, bins = client.operate(KEY, [op.touch(300), op.read("w")])
    assert bins == {"w": [1, 2]} and 295 <= meta["ttl"] <= 300
    _, _, bins = client.operate(KEY, [op.write("w", None), op.read("w")])
    assert "w" not in client.get(KEY)[2]
    client.operate(KEY, [op.delete()])
    assert client.exists(KEY)[1] is None
    with pytest.raises(ex.ParamError):
        client.operate(KEY, [])
    with pytest.raises(ex.ParamError):
        client.operate(KEY, [{"op": 99999, "bin": "x"}])
    with pytest.raises(ex.ParamError):
        client.operate(KEY, ["not a dict"])


def test_batch_reads(client):
    keys = [("test", "demo", i) for i in range(5)]
    for k in keys[:3]:
        client.put(k, {"i": k[2], "x": "y"})
    many = client.get_many(keys)
    assert [r[2] for r in many] == [{"i": 0, "x": "y"}, {"i": 1, "x": "y"}, {"i": 2, "x": "y"}, None, None]
    assert [r[1] is None for r in many] == [False, False, False, True, True]
    assert [r[0][2] for r in many] == [0, 1, 2, 3, 4]
    sel = client.select_many(keys, ["i"])
    assert [r[2] for r in sel] == [{"i": 0}, {"i": 1}, {"i": 2}, None, None]
    ex_ = client.exists_many(keys)
    assert [m is not None for _, m in ex_] == [True, True, True, False, False]
    assert ex_[0][1]["gen"] == 1
    with pytest.raises(ex.ParamError) as e:
        client.get_many([("test", "demo")])
    assert "keys[0]" in e.value.msg


def test_batch_operate(client):
    from aerolite import operations as op

    keys = [("test", "demo", i) for i in range(3)]
    client.put(keys[0], {"n": 1})
    client.put(keys[1], {"n": "str"})
    res = client.batch_operate(keys, [op.increment("n", 1), op.read("n")], ttl=60)
    assert res.result == 0
    recs = res.batch_records
    assert [r.result for r in recs] == [0, 12, 0]
    assert recs[0].record[2] == {"n": 2} and 55 <= recs[0].record[1]["ttl"] <= 60
    assert recs[1].record is None and recs[1].in_doubt is False
    assert recs[2].record[2] == {"n": 1}
    assert recs[0].key[2] == 0
    assert "BatchRecord" in repr(recs[0])


def test_truncate(client):
    for i in range(5):
        client.put(("test", "a", i), {"i": i})
        client.put(("test", "b", i), {"i": i})
    assert client.truncate("test", "a", 0) == 0
    assert client.get_many([("test", "a", i) for i in range(5)])[0][2] is None
    assert client.get(("test", "b", 1))[2] == {"i": 1}
    # A cut-off in the past keeps what was written after it.
    cut = time.time_ns()
    time.sleep(0.01)
    client.put(("test", "b", 99), {"i": 99})
    client.truncate("test", "b", cut)
    left = sorted(r[2]["i"] for r in client.scan("test", "b").results())
    assert left == [99]
    client.truncate("test", None, 0)
    assert client.scan("test").results() == []
    with pytest.raises(ex.ParamError):
        client.truncate("test", None, -1)


def test_write_policies(client):
    P = aerolite
    with pytest.raises(ex.RecordNotFound):
        client.put(KEY, {"a": 1}, policy={"exists": P.POLICY_EXISTS_UPDATE})
    with pytest.raises(ex.RecordNotFound):
        client.put(KEY, {"a": 1}, policy={"exists": P.POLICY_EXISTS_REPLACE})
    client.put(KEY, {"a": 1}, policy={"exists": P.POLICY_EXISTS_CREATE})
    with pytest.raises(ex.RecordExistsError) as e:
        client.put(KEY, {"a": 1}, policy={"exists": P.POLICY_EXISTS_CREATE})
    assert e.value.code == 5
    client.put(KEY, {"b": 2}, policy={"exists": P.POLICY_EXISTS_UPDATE})
    assert client.get(KEY)[2] == {"a": 1, "b": 2}
    client.put(KEY, {"c": 3}, policy={"exists": P.POLICY_EXISTS_REPLACE})
    assert client.get(KEY)[2] == {"c": 3}
    client.put(KEY, {"d": 4}, policy={"exists": P.POLICY_EXISTS_CREATE_OR_REPLACE})
    assert client.get(KEY)[2] == {"d": 4}
    client.put(("test", "demo", "new"), {"d": 4}, policy={"exists": P.POLICY_EXISTS_CREATE_OR_REPLACE})
    client.put(KEY, {"e": 5}, policy={"exists": P.POLICY_EXISTS_IGNORE})
    gen = client.get(KEY)[1]["gen"]
    # Generation checks.
    with pytest.raises(ex.RecordGenerationError):
        client.put(KEY, {"f": 1}, meta={"gen": gen + 1}, policy={"gen": P.POLICY_GEN_EQ})
    client.put(KEY, {"f": 1}, meta={"gen": gen}, policy={"gen": P.POLICY_GEN_EQ})
    with pytest.raises(ex.RecordGenerationError):
        client.put(KEY, {"f": 2}, meta={"gen": 1}, policy={"gen": P.POLICY_GEN_GT})
    client.put(KEY, {"f": 2}, meta={"gen": gen + 5}, policy={"gen": P.POLICY_GEN_GT})
    client.put(KEY, {"f": 3}, meta={"gen": 0}, policy={"gen": P.POLICY_GEN_IGNORE})
    # Commit levels, key policy, timeouts, retry: accepted.
    client.put(KEY, {"g": 1}, policy={"commit_level": P.POLICY_COMMIT_LEVEL_ALL})
    client.put(KEY, {"g": 2}, policy={"commit_level": P.POLICY_COMMIT_LEVEL_MASTER})
    client.put(KEY, {"g": 3}, policy={"key": P.POLICY_KEY_DIGEST, "total_timeout": 1000, "timeout": 10,
                                     "retry": P.POLICY_RETRY_ONCE, "max_retries": 3, "socket_timeout": 5})
    assert client.get(KEY, policy={"total_timeout": 50, "max_retries": 2})[2]["g"] == 3


def test_read_your_own_gen_after_many_updates(client):
    for i in range(10):
        client.put(KEY, {"i": i})
    assert client.get(KEY)[1]["gen"] == 10
