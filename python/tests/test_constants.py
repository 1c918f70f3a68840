"""Every constant of docs/python.md, with the aerospike package's values."""

import aerolite

EXPECTED = {
    "POLICY_KEY_DIGEST": 0,
    "POLICY_KEY_SEND": 1,
    "POLICY_EXISTS_IGNORE": 0,
    "POLICY_EXISTS_CREATE": 1,
    "POLICY_EXISTS_UPDATE": 2,
    "POLICY_EXISTS_REPLACE": 3,
    "POLICY_EXISTS_CREATE_OR_REPLACE": 4,
    "POLICY_GEN_IGNORE": 0,
    "POLICY_GEN_EQ": 1,
    "POLICY_GEN_GT": 2,
    "POLICY_COMMIT_LEVEL_ALL": 0,
    "POLICY_COMMIT_LEVEL_MASTER": 1,
    "POLICY_RETRY_NONE": 0,
    "POLICY_RETRY_ONCE": 1,
    "TTL_NAMESPACE_DEFAULT": 0,
    "TTL_NEVER_EXPIRE": -1,
    "TTL_DONT_UPDATE": -2,
    "TTL_CLIENT_DEFAULT": -3,
}


def test_constant_values():
    for name, value in EXPECTED.items():
        assert getattr(aerolite, name) == value, name


def test_public_names():
    for name in ["client", "kinesis", "calc_digest", "Client", "Kinesis", "Scan", "BatchRecords",
                 "BatchRecord", "KinesisError", "ParamValidationError", "exception", "operations",
                 "list_operations", "map_operations", "null", "__version__"]:
        assert hasattr(aerolite, name), name


def test_docstrings_on_every_method():
    for cls in (aerolite.Client, aerolite.Kinesis, aerolite.Scan):
        for name in dir(cls):
            if name.startswith("_"):
                continue
            attr = getattr(cls, name)
            if callable(attr):
                assert attr.__doc__ and attr.__doc__.strip(), "%s.%s has no docstring" % (cls.__name__, name)
    for fn in (aerolite.client, aerolite.kinesis, aerolite.calc_digest):
        assert fn.__doc__
    for mod in (aerolite.operations, aerolite.list_operations, aerolite.map_operations):
        for name in dir(mod):
            obj = getattr(mod, name)
            if callable(obj) and not name.startswith("_"):
                assert obj.__doc__, "%s.%s" % (mod.__name__, name)


def test_digest_matches_aerospike():
    # RIPEMD-160 of the set name and the typed key, as Aerospike computes it (the engine's
    # Rust tests check its digests against Aerospike's); pinned so the binding cannot drift.
    d = aerolite.calc_digest("test", "demo", 1)
    assert d.hex() == "b7f4b83889e2da67de683e1df6919a1eacc446c8"
