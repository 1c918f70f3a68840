"""puts/s and gets/s from Python through aerolite, with 1 and 4 threads.

Usage: python python/bench.py [--records 100000] [--threads 1,4] [--durability buffered|sync]

Each run writes `--records` records (bins: an int, a 32-byte str and a small list) into a fresh
database, then reads them all back with get(); with N threads each thread takes 1/N of the keys.
"""

import argparse
import shutil
import tempfile
import threading
import time

import aerolite


def run(path, records, threads, durability):
    client = aerolite.client({"path": path, "durability": durability}).connect()
    per = records // threads
    keys = [[("bench", "demo", t * per + i) for i in range(per)] for t in range(threads)]
    bins = {"n": 1, "s": "x" * 32, "l": [1, 2, 3]}

    def timed(fn):
        gate = threading.Barrier(threads + 1)

        def work(t):
            gate.wait()
            fn(keys[t])

        ts = [threading.Thread(target=work, args=(t,)) for t in range(threads)]
        for t in ts:
            t.start()
        gate.wait()
        t0 = time.perf_counter()
        for t in ts:
            t.join()
        return time.perf_counter() - t0

    def puts(ks):
        put = client.put
        for k in ks:
            put(k, bins)

    def gets(ks):
        get = client.get
        for k in ks:
            get(k)

    put_s = timed(puts)
    get_s = timed(gets)
    total = per * threads
    client.close()
    return total / put_s, total / get_s


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--records", type=int, default=100_000)
    ap.add_argument("--threads", default="1,4")
    ap.add_argument("--durability", default="buffered", choices=["buffered", "sync"])
    args = ap.parse_args()
    print("records=%d durability=%s aerolite %s" % (args.records, args.durability, aerolite.__version__))
    print("%-8s %12s %12s" % ("threads", "puts/s", "gets/s"))
    for n in [int(x) for x in args.threads.split(",")]:
        d = tempfile.mkdtemp(prefix="aerolite-bench-")
        try:
            p, g = run(d, args.records, n, args.durability)
        finally:
            shutil.rmtree(d, ignore_errors=True)
        print("%-8d %12.0f %12.0f" % (n, p, g))


if __name__ == "__main__":
    main()
