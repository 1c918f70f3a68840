"""The aerospike client's documented `put` example and boto3's `put_record` usage, unchanged
apart from the line that creates the client."""

import aerolite as aerospike  # the only change: the module that creates the client
from aerolite import exception as ex


def test_aerospike_put_example(db_path):
    import sys

    config = {"path": db_path, "hosts": [("127.0.0.1", 3000)]}
    client = aerospike.client(config).connect()
    # --- from the aerospike client's documentation of Client.put ---
    try:
        key = ('test', 'demo', 1)
        bins = {
            'l': ["qwertyuiop", 1, bytearray("asd;as[d'as;d", "utf-8")],
            'm': {"key": "asd';q;'1';"},
            'i': 1234,
            's': '!@#@#$QSDAsd;as'
        }
        client.put(key, bins,
                   policy={'key': aerospike.POLICY_KEY_SEND},
                   meta={'ttl': 180})
        # adding a bin
        client.put(key, {'smiley': u"\ud83d\ude04"})
    except ex.AerospikeError as e:
        print("Error: {0} [{1}]".format(e.msg, e.code))
        sys.exit(1)
    # --- end of the example ---
    (k, meta, record) = client.get(key)
    assert k[:3] == ('test', 'demo', 1)
    assert isinstance(k[3], bytearray) and len(k[3]) == 20
    assert record == {
        'l': ["qwertyuiop", 1, bytearray(b"asd;as[d'as;d")],
        'm': {"key": "asd';q;'1';"},
        'i': 1234,
        's': '!@#@#$QSDAsd;as',
        'smiley': "\U0001F604",
    }
    assert meta['gen'] == 2
    # The key was stored: a scan returns it.
    scanned = client.scan('test', 'demo').results()
    assert [r[0][2] for r in scanned] == [1]
    # The later form of the example also removes a bin with aerospike.null().
    client.put(key, {'i': aerospike.null()})
    assert 'i' not in client.get(key)[2]
    client.close()


def test_aerospike_client_example(db_path):
    # The Client class example: connect, put, get, close, with ex.ClientError handling.
    config = {'path': db_path}
    write_policies = {'total_timeout': 2000, 'max_retries': 0}
    read_policies = {'total_timeout': 1500, 'max_retries': 1}
    config['policies'] = {'write': write_policies, 'read': read_policies}
    try:
        client = aerospike.client(config).connect()
    except ex.ClientError as e:
        raise AssertionError("Error: {0} [{1}]".format(e.msg, e.code))
    key = ('test', 'demo', 'foo')
    try:
        client.put(key, {'name': 'John Doe', 'age': 32})
    except ex.RecordError as e:
        raise AssertionError("Error: {0} [{1}]".format(e.msg, e.code))
    (key, meta, record) = client.get(key)
    assert record == {'name': 'John Doe', 'age': 32}
    client.close()


def test_boto3_put_record_usage(db_path):
    kinesis = aerospike.kinesis({'path': db_path})  # boto3.client('kinesis') in the original
    kinesis.create_stream(StreamName='my-stream', ShardCount=2)
    arn = kinesis.describe_stream_summary(StreamName='my-stream')['StreamDescriptionSummary']['StreamARN']

    # With StreamName.
    r1 = kinesis.put_record(StreamName='my-stream', Data=b'{"page": 1}', PartitionKey='user-7')
    # With StreamARN.
    r2 = kinesis.put_record(StreamARN=arn, Data=b'{"page": 2}', PartitionKey='user-7')
    # With ExplicitHashKey and SequenceNumberForOrdering.
    r3 = kinesis.put_record(
        StreamName='my-stream',
        Data=b'{"page": 3}',
        PartitionKey='user-7',
        ExplicitHashKey='0',
        SequenceNumberForOrdering=r2['SequenceNumber'],
    )
    # With both (they agree), as boto3's request syntax lists them.
    r4 = kinesis.put_record(
        StreamName='my-stream',
        StreamARN=arn,
        Data=b'{"page": 4}',
        PartitionKey='user-7',
    )
    for r in (r1, r2, r3, r4):
        assert set(r) == {'ShardId', 'SequenceNumber', 'EncryptionType'}
        assert r['EncryptionType'] == 'NONE'
        assert r['ShardId'].startswith('shardId-')
    # ExplicitHashKey 0 lands on the shard that starts at hash key 0.
    shards = kinesis.list_shards(StreamName='my-stream')['Shards']
    first = [s for s in shards if s['HashKeyRange']['StartingHashKey'] == '0'][0]
    assert r3['ShardId'] == first['ShardId']
    # Same partition key, same shard, increasing sequence numbers.
    assert r1['ShardId'] == r2['ShardId']
    assert int(r1['SequenceNumber']) < int(r2['SequenceNumber'])
    if r3['ShardId'] == r2['ShardId']:
        assert int(r3['SequenceNumber']) > int(r2['SequenceNumber'])

    it = kinesis.get_shard_iterator(StreamName='my-stream', ShardId=r1['ShardId'],
                                    ShardIteratorType='TRIM_HORIZON')['ShardIterator']
    out = kinesis.get_records(ShardIterator=it, Limit=100)
    data = [rec['Data'] for rec in out['Records']]
    assert data[:2] == [b'{"page": 1}', b'{"page": 2}']


def test_readme_python_example(tmp_path):
    import pathlib
    import re

    readme = pathlib.Path(__file__).resolve().parents[2] / "README.md"
    code = re.search(r"```python\n(.*?)```", readme.read_text(), re.S).group(1)
    code = code.replace("/tmp/aerolite-demo", str(tmp_path / "demo"))
    ns = {}
    exec(compile(code, str(readme), "exec"), ns)
    assert ns["bins"] == {"name": "Ann", "visits": 2}
    assert ns["meta"]["gen"] == 2
    ns["client"].close()
