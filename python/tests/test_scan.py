"""client.scan(): select, foreach (streamed, stoppable), results."""

import pytest

import aerolite
from aerolite import exception as ex


@pytest.fixture
def filled(client):
    for i in range(50):
        client.put(("test", "s1", i), {"i": i, "sq": i * i}, policy={"key": aerolite.POLICY_KEY_SEND})
    for i in range(10):
        client.put(("test", "s2", i), {"i": i})
    return client


def test_results_and_select(filled):
    recs = filled.scan("test", "s1").results()
    assert sorted(r[2]["i"] for r in recs) == list(range(50))
    key, meta, bins = recs[0]
    assert key[0] == "test" and key[1] == "s1" and key[2] == bins["i"] and len(key[3]) == 20
    assert meta["gen"] == 1
    s = filled.scan("test", "s1")
    s.select("sq")
    assert all(set(r[2]) == {"sq"} for r in s.results())
    assert len(filled.scan("test").results()) == 60
    assert filled.scan("test", "nosuchset").results() == []
    assert filled.scan("empty_ns").results() == []


def test_foreach_streams_and_stops_on_false(filled):
    seen = []

    def cb(record):
        seen.append(record[2]["i"])
        return False if len(seen) == 5 else None

    filled.scan("test", "s1").foreach(cb)
    assert len(seen) == 5
    every = []
    filled.scan("test", "s1").foreach(lambda r: every.append(r))
    assert len(every) == 50


def test_foreach_exception_stops_and_propagates(filled):
    seen = []

    class Stop(Exception):
        pass

    def cb(record):
        seen.append(record)
        if len(seen) == 3:
            raise Stop("enough")

    with pytest.raises(Stop):
        filled.scan("test", "s1").foreach(cb)
    assert len(seen) == 3


def test_foreach_sees_records_one_at_a_time(filled):
    # The callback may write while the scan runs: the scan is not materialised first.
    count = [0]

    def cb(record):
        count[0] += 1
        filled.put(("test", "s3", count[0]), {"copied": record[2]["i"]})

    filled.scan("test", "s1").foreach(cb)
    assert count[0] == 50
    assert len(filled.scan("test", "s3").results()) == 50


def test_scan_errors(filled):
    with pytest.raises(ex.ParamError):
        filled.scan("test", "s1").foreach("not callable")
    with pytest.raises(ex.ParamError):
        filled.scan(5)

