"""The GIL is released for every database call: other Python threads run while one waits.

These tests do not time anything. They raise the interpreter's switch interval so that it
never hands the GIL to another thread on its own; the other thread can then run only if the
database call releases the GIL. A control call that holds the GIL shows the method can fail.
"""

import sys
import threading

import aerolite


def _another_thread_runs_during(call, attempts):
    """Whether a waiting thread gets to run Python code while this thread repeats `call`."""
    go, ran = threading.Event(), threading.Event()

    def other():
        go.wait()
        ran.set()

    t = threading.Thread(target=other)
    old = sys.getswitchinterval()
    # No forced hand-over from here on: set before `other` exists, so that it never waits
    # for the GIL with the short interval (which would make this thread yield by itself).
    sys.setswitchinterval(1000.0)
    try:
        t.start()  # returns once `other` blocks in go.wait(), which releases the GIL
        go.set()  # `other` now waits for the GIL, and gets it only if a call releases it
        for _ in range(attempts):
            call()
            if ran.is_set():
                break
        return ran.is_set()
    finally:
        sys.setswitchinterval(old)
        t.join()


def test_a_call_that_holds_the_gil_lets_no_other_thread_run():
    # The control: pure Python work never lets the waiting thread in.
    assert not _another_thread_runs_during(lambda: sum(range(2000)), 300)


def test_other_threads_run_during_durable_puts(client):
    policy = {"commit_level": aerolite.POLICY_COMMIT_LEVEL_ALL}  # each put waits for its fsync
    n = [0]

    def put():
        n[0] += 1
        client.put(("test", "gil", n[0]), {"i": n[0]}, policy=policy)

    assert _another_thread_runs_during(put, 300)
    assert client.get(("test", "gil", n[0]))[2] == {"i": n[0]}


def test_other_threads_run_during_batch_reads_and_scans(client):
    keys = [("test", "gil", i) for i in range(2000)]
    for k in keys:
        client.put(k, {"i": k[2]})
    got = []
    assert _another_thread_runs_during(lambda: got.append(len(client.get_many(keys))), 300)
    assert got and all(n == 2000 for n in got)
    got.clear()
    assert _another_thread_runs_during(lambda: got.append(len(client.scan("test", "gil").results())), 300)
    assert got and all(n == 2000 for n in got)


def test_other_threads_run_during_stream_calls(kinesis):
    kinesis.create_stream(StreamName="s", ShardCount=2)
    n = [0]

    def put_record():
        n[0] += 1
        kinesis.put_record(StreamName="s", Data=b"%d" % n[0], PartitionKey="p%d" % n[0])

    assert _another_thread_runs_during(put_record, 20000)
