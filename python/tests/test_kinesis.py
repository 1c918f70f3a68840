"""client.kinesis() / aerolite.kinesis(): boto3's Kinesis methods, responses and exceptions."""

import datetime

import pytest

import aerolite

HALF = str(2 ** 127)


def test_create_list_describe_delete(kinesis):
    assert kinesis.create_stream(StreamName="a", ShardCount=2) == {}
    kinesis.create_stream(StreamName="b")
    kinesis.create_stream(StreamName="c", ShardCount=1, StreamModeDetails={"StreamMode": "PROVISIONED"})
    ls = kinesis.list_streams()
    assert ls["StreamNames"] == ["a", "b", "c"] and ls["HasMoreStreams"] is False
    assert [s["StreamName"] for s in ls["StreamSummaries"]] == ["a", "b", "c"]
    page = kinesis.list_streams(Limit=2)
    assert page["StreamNames"] == ["a", "b"] and page["HasMoreStreams"] is True
    assert kinesis.list_streams(ExclusiveStartStreamName="a")["StreamNames"] == ["b", "c"]
    assert kinesis.list_streams(NextToken=page["NextToken"])["StreamNames"] == ["c"]

    d = kinesis.describe_stream(StreamName="a")["StreamDescription"]
    assert d["StreamName"] == "a" and d["StreamStatus"] == "ACTIVE"
    assert d["StreamARN"].startswith("arn:aws:kinesis:") and d["StreamARN"].endswith("stream/a")
    assert len(d["Shards"]) == 2 and d["HasMoreShards"] is False
    assert d["RetentionPeriodHours"] == 24 and d["EncryptionType"] == "NONE"
    ts = d["StreamCreationTimestamp"]
    assert isinstance(ts, datetime.datetime) and ts.tzinfo is not None
    assert abs((datetime.datetime.now(datetime.timezone.utc) - ts).total_seconds()) < 60
    sh = d["Shards"][0]
    assert sh["ShardId"] == "shardId-000000000000"
    assert sh["HashKeyRange"] == {"StartingHashKey": "0", "EndingHashKey": str(2 ** 127 - 1)}
    assert "StartingSequenceNumber" in sh["SequenceNumberRange"]
    d1 = kinesis.describe_stream(StreamARN=d["StreamARN"], Limit=1)["StreamDescription"]
    assert len(d1["Shards"]) == 1 and d1["HasMoreShards"] is True
    d2 = kinesis.describe_stream(StreamName="a", ExclusiveStartShardId=d1["Shards"][0]["ShardId"])
    assert [s["ShardId"] for s in d2["StreamDescription"]["Shards"]] == ["shardId-000000000001"]

    s = kinesis.describe_stream_summary(StreamName="a")["StreamDescriptionSummary"]
    assert s["OpenShardCount"] == 2 and s["StreamARN"] == d["StreamARN"] and s["ConsumerCount"] == 0

    shards = kinesis.list_shards(StreamName="a")
    assert [x["ShardId"] for x in shards["Shards"]] == ["shardId-000000000000", "shardId-000000000001"]
    p1 = kinesis.list_shards(StreamName="a", MaxResults=1)
    assert len(p1["Shards"]) == 1 and "NextToken" in p1
    p2 = kinesis.list_shards(NextToken=p1["NextToken"])
    assert [x["ShardId"] for x in p2["Shards"]] == ["shardId-000000000001"] and "NextToken" not in p2
    assert kinesis.list_shards(StreamName="a", ExclusiveStartShardId="shardId-000000000000")["Shards"][0]["ShardId"] == "shardId-000000000001"

    assert kinesis.delete_stream(StreamName="b") == {}
    kinesis.delete_stream(StreamARN=kinesis.describe_stream_summary(StreamName="c")["StreamDescriptionSummary"]["StreamARN"])
    assert kinesis.list_streams()["StreamNames"] == ["a"]


def test_put_and_get_records(kinesis):
    kinesis.create_stream(StreamName="s", ShardCount=1)
    r = kinesis.put_record(StreamName="s", Data=b"one", PartitionKey="p")
    kinesis.put_record(StreamName="s", Data="two", PartitionKey="p")  # str is encoded as UTF-8
    kinesis.put_record(StreamName="s", Data=bytearray(b"three"), PartitionKey="p")
    out = kinesis.put_records(StreamName="s", Records=[
        {"Data": b"four", "PartitionKey": "p"},
        {"Data": b"five", "PartitionKey": "q", "ExplicitHashKey": "5"},
    ])
    assert out["FailedRecordCount"] == 0 and out["EncryptionType"] == "NONE"
    assert [set(x) for x in out["Records"]] == [{"SequenceNumber", "ShardId"}] * 2
    it = kinesis.get_shard_iterator(StreamName="s", ShardId=r["ShardId"],
                                    ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    got = kinesis.get_records(ShardIterator=it, Limit=2)
    assert [x["Data"] for x in got["Records"]] == [b"one", b"two"]
    rec = got["Records"][0]
    assert set(rec) == {"SequenceNumber", "ApproximateArrivalTimestamp", "Data", "PartitionKey", "EncryptionType"}
    assert type(rec["Data"]) is bytes and rec["PartitionKey"] == "p" and rec["EncryptionType"] == "NONE"
    ts = rec["ApproximateArrivalTimestamp"]
    assert isinstance(ts, datetime.datetime) and ts.utcoffset() == datetime.timedelta(0)
    assert got["MillisBehindLatest"] >= 0
    rest = kinesis.get_records(ShardIterator=got["NextShardIterator"])
    assert [x["Data"] for x in rest["Records"]] == [b"three", b"four", b"five"]

    seq2 = got["Records"][1]["SequenceNumber"]
    for kind, first in [("AT_SEQUENCE_NUMBER", b"two"), ("AFTER_SEQUENCE_NUMBER", b"three")]:
        it = kinesis.get_shard_iterator(StreamName="s", ShardId=r["ShardId"], ShardIteratorType=kind,
                                        StartingSequenceNumber=seq2)["ShardIterator"]
        assert kinesis.get_records(ShardIterator=it)["Records"][0]["Data"] == first
    it = kinesis.get_shard_iterator(StreamName="s", ShardId=r["ShardId"], ShardIteratorType="LATEST")["ShardIterator"]
    assert kinesis.get_records(ShardIterator=it)["Records"] == []
    kinesis.put_record(StreamName="s", Data=b"six", PartitionKey="p")
    assert [x["Data"] for x in kinesis.get_records(ShardIterator=it)["Records"]] == [b"six"]
    it = kinesis.get_shard_iterator(StreamName="s", ShardId=r["ShardId"], ShardIteratorType="AT_TIMESTAMP",
                                    Timestamp=ts)["ShardIterator"]
    assert kinesis.get_records(ShardIterator=it)["Records"][0]["Data"] == b"one"
    it = kinesis.get_shard_iterator(StreamName="s", ShardId=r["ShardId"], ShardIteratorType="AT_TIMESTAMP",
                                    Timestamp=ts.timestamp())["ShardIterator"]
    assert kinesis.get_records(ShardIterator=it)["Records"][0]["Data"] == b"one"
    naive = ts.replace(tzinfo=None)  # naive datetimes are UTC, as botocore sends them
    it = kinesis.get_shard_iterator(StreamName="s", ShardId=r["ShardId"], ShardIteratorType="AT_TIMESTAMP",
                                    Timestamp=naive)["ShardIterator"]
    assert kinesis.get_records(ShardIterator=it)["Records"][0]["Data"] == b"one"
    with pytest.raises(kinesis.exceptions.InvalidArgumentException):
        kinesis.get_shard_iterator(StreamName="s", ShardId=r["ShardId"], ShardIteratorType="AT_TIMESTAMP",
                                   Timestamp=ts.timestamp() + 3600)


def test_retention_resharding_checkpoints(kinesis):
    kinesis.create_stream(StreamName="r", ShardCount=1)
    assert kinesis.increase_stream_retention_period(StreamName="r", RetentionPeriodHours=48) == {}
    assert kinesis.describe_stream(StreamName="r")["StreamDescription"]["RetentionPeriodHours"] == 48
    kinesis.decrease_stream_retention_period(StreamName="r", RetentionPeriodHours=24)
    assert kinesis.describe_stream(StreamName="r")["StreamDescription"]["RetentionPeriodHours"] == 24

    assert kinesis.split_shard(StreamName="r", ShardToSplit="shardId-000000000000", NewStartingHashKey=HALF) == {}
    shards = kinesis.list_shards(StreamName="r")["Shards"]
    assert len(shards) == 3
    children = [s for s in shards if s.get("ParentShardId") == "shardId-000000000000"]
    assert len(children) == 2
    assert kinesis.merge_shards(StreamName="r", ShardToMerge=children[0]["ShardId"],
                                AdjacentShardToMerge=children[1]["ShardId"]) == {}
    open_ = [s for s in kinesis.list_shards(StreamName="r")["Shards"]
             if "EndingSequenceNumber" not in s["SequenceNumberRange"]]
    assert len(open_) == 1 and open_[0]["AdjacentParentShardId"]
    up = kinesis.update_shard_count(StreamName="r", TargetShardCount=2, ScalingType="UNIFORM_SCALING")
    assert up["CurrentShardCount"] == 1 and up["TargetShardCount"] == 2 and up["StreamName"] == "r"
    assert kinesis.describe_stream_summary(StreamName="r")["StreamDescriptionSummary"]["OpenShardCount"] == 2

    r = kinesis.put_record(StreamName="r", Data=b"x", PartitionKey="k")
    assert kinesis.get_checkpoint(StreamName="r", ConsumerName="c1", ShardId=r["ShardId"]) == {"SequenceNumber": None}
    assert kinesis.checkpoint(StreamName="r", ConsumerName="c1", ShardId=r["ShardId"],
                              SequenceNumber=r["SequenceNumber"]) == {}
    assert kinesis.get_checkpoint(StreamName="r", ConsumerName="c1", ShardId=r["ShardId"]) == {
        "SequenceNumber": r["SequenceNumber"]}


def _code(excinfo):
    return excinfo.value.response["Error"]["Code"]


def test_exceptions(kinesis):
    E = kinesis.exceptions
    names = ["ResourceNotFoundException", "ResourceInUseException", "InvalidArgumentException",
             "ExpiredIteratorException", "ProvisionedThroughputExceededException", "LimitExceededException"]
    for n in names:
        cls = getattr(E, n)
        assert issubclass(cls, aerolite.KinesisError) and cls.__name__ == n
        e = cls({"Error": {"Code": n, "Message": "m"}}, "PutRecord")
        assert e.response["Error"] == {"Code": n, "Message": "m"}
        assert str(e) == "An error occurred ({}) when calling the PutRecord operation: m".format(n)
    assert E.ClientError is aerolite.KinesisError

    with pytest.raises(E.ResourceNotFoundException) as e:
        kinesis.put_record(StreamName="nope", Data=b"x", PartitionKey="k")
    assert _code(e) == "ResourceNotFoundException" and "nope" in e.value.response["Error"]["Message"]
    assert e.value.operation_name == "PutRecord"
    kinesis.create_stream(StreamName="e", ShardCount=1)
    with pytest.raises(E.ResourceInUseException) as e:
        kinesis.create_stream(StreamName="e", ShardCount=1)
    assert _code(e) == "ResourceInUseException"
    with pytest.raises(E.InvalidArgumentException) as e:
        kinesis.put_record(StreamName="e", Data=b"x", PartitionKey="")
    assert _code(e) == "InvalidArgumentException"
    with pytest.raises(E.InvalidArgumentException):
        kinesis.put_record(StreamName="e", StreamARN="arn:aws:kinesis:us-east-1:000000000000:stream/other",
                           Data=b"x", PartitionKey="k")
    with pytest.raises(E.InvalidArgumentException):
        kinesis.put_record(Data=b"x", PartitionKey="k")
    with pytest.raises(E.InvalidArgumentException):
        kinesis.get_shard_iterator(StreamName="e", ShardId="shardId-000000000000", ShardIteratorType="SOMETIME")
    with pytest.raises(E.InvalidArgumentException):
        kinesis.get_shard_iterator(StreamName="e", ShardId="shardId-000000000000",
                                   ShardIteratorType="AT_SEQUENCE_NUMBER")
    with pytest.raises(E.ResourceNotFoundException):
        kinesis.get_shard_iterator(StreamName="e", ShardId="shardId-000000000099", ShardIteratorType="LATEST")
    with pytest.raises(aerolite.KinesisError) as e:
        kinesis.get_records(ShardIterator="garbage")
    assert _code(e) in ("InvalidArgumentException", "ExpiredIteratorException")
    with pytest.raises(E.LimitExceededException) as e:
        kinesis.create_stream(StreamName="huge", ShardCount=100000)
    assert _code(e) == "LimitExceededException"
    with pytest.raises(E.InvalidArgumentException):
        kinesis.decrease_stream_retention_period(StreamName="e", RetentionPeriodHours=1)

    # Code that inspects e.response works unchanged.
    try:
        kinesis.describe_stream(StreamName="missing")
    except aerolite.KinesisError as err:
        assert err.response["Error"]["Code"] == "ResourceNotFoundException"
        assert err.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_expired_iterator(kinesis):
    import struct
    import time
    import zlib

    kinesis.create_stream(StreamName="t", ShardCount=1)
    it = kinesis.get_shard_iterator(StreamName="t", ShardId="shardId-000000000000",
                                    ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    assert kinesis.get_records(ShardIterator=it)["Records"] == []
    # Iterators are valid for five minutes. Re-issue this one ten minutes ago, following the
    # layout documented in src/streams/iterator.rs: version u8, incarnation u64, shard u32, position u64,
    # issued-at ms u64, name, CRC-32; little-endian, hex.
    raw = bytearray(bytes.fromhex(it))
    old_ms = int(time.time() * 1000) - 10 * 60 * 1000
    raw[21:29] = struct.pack("<Q", old_ms)
    body = bytes(raw[:-4])
    forged = (body + struct.pack("<I", zlib.crc32(body))).hex()
    with pytest.raises(kinesis.exceptions.ExpiredIteratorException) as e:
        kinesis.get_records(ShardIterator=forged)
    assert _code(e) == "ExpiredIteratorException"
    assert isinstance(e.value, aerolite.KinesisError)
    assert issubclass(kinesis.exceptions.ProvisionedThroughputExceededException, aerolite.KinesisError)


def test_param_validation(kinesis):
    with pytest.raises(aerolite.ParamValidationError) as e:
        kinesis.create_stream(ShardCount=1)
    assert "StreamName" in str(e.value)
    with pytest.raises(aerolite.ParamValidationError) as e:
        kinesis.create_stream(StreamName="x", Bogus=1)
    assert "Bogus" in str(e.value)
    with pytest.raises(aerolite.ParamValidationError):
        kinesis.create_stream(StreamName="x", ShardCount="2")
    kinesis.create_stream(StreamName="x")
    with pytest.raises(aerolite.ParamValidationError):
        kinesis.put_record(StreamName="x", Data=12, PartitionKey="k")
    with pytest.raises(aerolite.ParamValidationError):
        kinesis.put_records(StreamName="x", Records=[{"Data": b"x"}])
    assert isinstance(aerolite.ParamValidationError("r"), ValueError)


def test_module_level_kinesis_and_shared_db(tmp_path):
    path = str(tmp_path / "shared")
    c = aerolite.client({"path": path}).connect()
    k = c.kinesis()
    k.create_stream(StreamName="z", ShardCount=1)
    c.put(("test", "demo", 1), {"a": 1})
    assert k.list_streams()["StreamNames"] == ["z"]
    del k
    c.close()
    k2 = aerolite.kinesis({"path": path})
    assert k2.list_streams()["StreamNames"] == ["z"]
    assert repr(k2).startswith("<aerolite.Kinesis path=") and "shared" in repr(k2)
    with pytest.raises(aerolite.exception.ParamError):
        aerolite.kinesis({"hosts": []})
