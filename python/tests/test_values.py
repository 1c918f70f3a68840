"""Conversions of every value type, both ways, and the ParamError of bad input."""

import pytest

import aerolite
from aerolite import exception as ex

KEY = ("test", "values", 1)

ROUND_TRIP = [
    ("int", 42),
    ("neg", -(2 ** 63)),
    ("max", 2 ** 63 - 1),
    ("float", 3.25),
    ("inf", float("inf")),
    ("str", "héllo wörld 😄"),
    ("empty_s", ""),
    ("true", True),
    ("false", False),
    ("list", [1, "a", 2.5, None, True, [1, [2, [3]]], {"k": "v"}]),
    ("empty_l", []),
    ("dict", {"a": 1, 2: "b", "nested": {"x": [1, 2]}, b"blobkey": 1}),
    ("empty_d", {}),
]


@pytest.mark.parametrize("name,value", ROUND_TRIP)
def test_round_trip(client, name, value):
    client.put(KEY, {name: value})
    got = client.get(KEY)[2][name]
    assert got == value
    assert type(got) is type(value)


def test_blobs_come_back_as_bytearray(client):
    client.put(KEY, {"b": b"\x00\xff", "ba": bytearray(b"xy"), "l": [b"in list"], "m": {"k": b"in map"}})
    bins = client.get(KEY)[2]
    assert bins["b"] == bytearray(b"\x00\xff") and type(bins["b"]) is bytearray
    assert type(bins["ba"]) is bytearray
    assert bins["l"] == [bytearray(b"in list")] and type(bins["l"][0]) is bytearray
    assert type(bins["m"]["k"]) is bytearray


def test_map_keys_of_every_kind(client):
    client.put(KEY, {"m": {1: "int", "s": "str", b"b": "blob"}})
    m = client.get(KEY)[2]["m"]
    assert m == {1: "int", "s": "str", b"b": "blob"}
    assert any(type(k) is bytes for k in m)


def test_none_deletes_a_bin(client):
    client.put(KEY, {"a": 1, "b": 2})
    client.put(KEY, {"a": None})
    assert client.get(KEY)[2] == {"b": 2}
    client.put(KEY, {"b": None})  # the last bin: the record goes
    assert client.exists(KEY)[1] is None


@pytest.mark.parametrize("bad,typename", [
    ({1, 2}, "set"),
    (object(), "object"),
    ((1, 2), "tuple"),
    (1j, "complex"),
    ([1, {2, 3}], "set"),
    ({"k": object()}, "object"),
])
def test_unsupported_types_raise_param_error_and_write_nothing(client, bad, typename):
    with pytest.raises(ex.ParamError) as e:
        client.put(KEY, {"good": 1, "bad": bad})
    assert e.value.code == -2
    assert "bin 'bad'" in e.value.msg and typename in e.value.msg
    assert client.exists(KEY)[1] is None


@pytest.mark.parametrize("big", [2 ** 63, -(2 ** 63) - 1, 2 ** 100])
def test_ints_beyond_64_bits(client, big):
    with pytest.raises(ex.ParamError) as e:
        client.put(KEY, {"ok": 1, "n": big})
    assert "bin 'n'" in e.value.msg and "64 bits" in e.value.msg
    assert client.exists(KEY)[1] is None
    with pytest.raises(ex.ParamError):
        client.put(KEY, {"l": [1, big]})
    with pytest.raises(ex.ParamError):
        client.increment(KEY, "n", big)


@pytest.mark.parametrize("key", [
    ("test", "demo"),
    ("test", "demo", 1, None, 5),
    ["test", "demo", 1],
    "test:demo:1",
    ("test", "demo", None),
    ("test", "demo", 1.5),
    ("test", "demo", [1]),
    ("test", 5, 1),
    (5, "demo", 1),
    ("test", "demo", None, b"short"),
    ("test", "demo", True),
])
def test_bad_keys(client, key):
    with pytest.raises(ex.ParamError) as e:
        client.put(key, {"a": 1})
    assert e.value.code == -2 and "key" in e.value.msg
    with pytest.raises(ex.ParamError):
        client.get(key)


def test_bad_bins_arguments(client):
    with pytest.raises(ex.ParamError) as e:
        client.put(KEY, ["not", "a", "dict"])
    assert "bins" in e.value.msg
    with pytest.raises(ex.ParamError):
        client.put(KEY, {})
    with pytest.raises(ex.ParamError):
        client.put(KEY, {1: "int bin name"})
    with pytest.raises(ex.ParamError):
        client.select(KEY, "a")
    with pytest.raises(ex.BinNameError) as e:
        client.put(KEY, {"a_bin_name_longer_than_15": 1})
    assert e.value.code == 21
    assert client.exists(KEY)[1] is None


@pytest.mark.parametrize("where,policy,word", [
    ("policy", {"key": 5}, "key"),
    ("policy", {"exists": 7}, "exists"),
    ("policy", {"gen": 3}, "gen"),
    ("policy", {"commit_level": 2}, "commit_level"),
    ("policy", {"retry": 9}, "retry"),
    ("policy", {"total_timeout": -1}, "total_timeout"),
    ("policy", {"key": "send"}, "key"),
    ("policy", "not a dict", "policy"),
    ("meta", {"ttl": -5}, "ttl"),
    ("meta", {"ttl": 2 ** 40}, "ttl"),
    ("meta", {"ttl": "soon"}, "ttl"),
    ("meta", {"gen": -1}, "gen"),
    ("meta", [1], "meta"),
])
def test_unknown_policy_values(client, where, policy, word):
    with pytest.raises(ex.ParamError) as e:
        client.put(KEY, {"a": 1}, **{where: policy})
    assert e.value.code == -2 and word in e.value.msg
    assert client.exists(KEY)[1] is None


def test_lone_surrogate_is_param_error(client):
    with pytest.raises(ex.ParamError):
        client.put(KEY, {"s": "\ud83d"})


def test_too_deep_is_param_error(client):
    v = []
    for _ in range(100):
        v = [v]
    with pytest.raises(ex.ParamError) as e:
        client.put(KEY, {"deep": v})
    assert "deep" in e.value.msg
