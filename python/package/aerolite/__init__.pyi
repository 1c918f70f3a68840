"""Type stubs for aerolite: the aerospike client's record API and boto3's Kinesis API, embedded."""

import datetime
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple, Union

__version__: str

UserKey = Union[str, int, bytes, bytearray]
Key = Union[
    Tuple[str, Optional[str], UserKey],
    Tuple[str, Optional[str], Optional[UserKey], Union[bytes, bytearray]],
]
KeyOut = Tuple[str, Optional[str], Optional[UserKey], bytearray]
Value = Any  # None, bool, int, float, str, bytes, bytearray, list, dict (nested)
Bins = Dict[str, Value]
Meta = Dict[str, int]  # {'gen': int, 'ttl': int}
Policy = Mapping[str, Any]
Record = Tuple[KeyOut, Meta, Bins]
Operation = Dict[str, Any]

POLICY_KEY_DIGEST: int
POLICY_KEY_SEND: int
POLICY_EXISTS_IGNORE: int
POLICY_EXISTS_CREATE: int
POLICY_EXISTS_UPDATE: int
POLICY_EXISTS_REPLACE: int
POLICY_EXISTS_CREATE_OR_REPLACE: int
POLICY_GEN_IGNORE: int
POLICY_GEN_EQ: int
POLICY_GEN_GT: int
POLICY_COMMIT_LEVEL_ALL: int
POLICY_COMMIT_LEVEL_MASTER: int
POLICY_RETRY_NONE: int
POLICY_RETRY_ONCE: int
TTL_NAMESPACE_DEFAULT: int
TTL_NEVER_EXPIRE: int
TTL_DONT_UPDATE: int
TTL_CLIENT_DEFAULT: int
OPERATOR_READ: int
OPERATOR_WRITE: int
OPERATOR_INCR: int
OPERATOR_APPEND: int
OPERATOR_PREPEND: int
OPERATOR_TOUCH: int
OPERATOR_DELETE: int
OP_LIST_APPEND: int
OP_LIST_APPEND_ITEMS: int
OP_LIST_INSERT: int
OP_LIST_POP: int
OP_LIST_REMOVE: int
OP_LIST_CLEAR: int
OP_LIST_SET: int
OP_LIST_GET: int
OP_LIST_GET_RANGE: int
OP_LIST_TRIM: int
OP_LIST_SIZE: int
OP_LIST_INCREMENT: int
OP_MAP_PUT: int
OP_MAP_PUT_ITEMS: int
OP_MAP_INCREMENT: int
OP_MAP_SIZE: int
OP_MAP_CLEAR: int
OP_MAP_REMOVE_BY_KEY: int
OP_MAP_GET_BY_KEY: int
OP_MAP_GET_BY_KEY_RANGE: int
MAP_RETURN_NONE: int
MAP_RETURN_INDEX: int
MAP_RETURN_REVERSE_INDEX: int
MAP_RETURN_RANK: int
MAP_RETURN_REVERSE_RANK: int
MAP_RETURN_COUNT: int
MAP_RETURN_KEY: int
MAP_RETURN_VALUE: int
MAP_RETURN_KEY_VALUE: int
MAP_RETURN_EXISTS: int

from . import exception as exception
from . import list_operations as list_operations
from . import map_operations as map_operations
from . import operations as operations

def client(config: Mapping[str, Any]) -> Client:
    """Creates a client for the database directory `config['path']`; call `connect()` on it."""

def kinesis(config: Mapping[str, Any]) -> Kinesis:
    """A boto3-style Kinesis client over its own open database (`config` as for `client`)."""

def calc_digest(ns: str, set: Optional[str], key: UserKey) -> bytearray:
    """The 20-byte RIPEMD-160 digest of `(ns, set, key)`."""

def null() -> None:
    """A bin value that deletes the bin when written (aerospike.null()); it is None."""

class Client:
    """A client of an embedded aerolite database, with the aerospike client's methods."""
    def connect(self, username: Optional[str] = None, password: Optional[str] = None) -> Client:
        """Opens the database directory; returns the client."""
    def close(self) -> None:
        """Closes the database."""
    def is_connected(self) -> bool:
        """Whether the database is open."""
    def __enter__(self) -> Client: ...
    def __exit__(self, *args: Any) -> bool: ...
    def put(self, key: Key, bins: Bins, meta: Optional[Meta] = None, policy: Optional[Policy] = None,
            serializer: Any = None) -> None:
        """Writes bins (merging; a None value deletes the bin)."""
    def get(self, key: Key, policy: Optional[Policy] = None) -> Record:
        """Reads a record; raises exception.RecordNotFound."""
    def select(self, key: Key, bins: Sequence[str], policy: Optional[Policy] = None) -> Record:
        """Reads some bins of a record."""
    def exists(self, key: Key, policy: Optional[Policy] = None) -> Tuple[KeyOut, Optional[Meta]]:
        """(key, meta), meta None when the record does not exist."""
    def remove(self, key: Key, meta: Optional[Meta] = None, policy: Optional[Policy] = None) -> None:
        """Deletes a record; raises exception.RecordNotFound."""
    def remove_bin(self, key: Key, list: Sequence[str], meta: Optional[Meta] = None,
                   policy: Optional[Policy] = None) -> None:
        """Deletes bins of a record."""
    def touch(self, key: Key, val: int = 0, meta: Optional[Meta] = None, policy: Optional[Policy] = None) -> None:
        """Resets the TTL to `val` seconds; generation + 1."""
    def increment(self, key: Key, bin: str, offset: Union[int, float], meta: Optional[Meta] = None,
                  policy: Optional[Policy] = None) -> None:
        """Adds `offset` to a numeric bin."""
    def append(self, key: Key, bin: str, val: Union[str, bytes, bytearray], meta: Optional[Meta] = None,
               policy: Optional[Policy] = None) -> None:
        """Appends to a str or blob bin."""
    def prepend(self, key: Key, bin: str, val: Union[str, bytes, bytearray], meta: Optional[Meta] = None,
                policy: Optional[Policy] = None) -> None:
        """Prepends to a str or blob bin."""
    def operate(self, key: Key, list: Sequence[Operation], meta: Optional[Meta] = None,
                policy: Optional[Policy] = None) -> Record:
        """Applies operations atomically; returns (key, meta, bins)."""
    def get_many(self, keys: Sequence[Key], policy: Optional[Policy] = None) -> List[Tuple[KeyOut, Optional[Meta], Optional[Bins]]]:
        """Reads many records; meta and bins None for missing ones."""
    def select_many(self, keys: Sequence[Key], bins: Sequence[str], policy: Optional[Policy] = None) -> List[Tuple[KeyOut, Optional[Meta], Optional[Bins]]]:
        """Reads some bins of many records."""
    def exists_many(self, keys: Sequence[Key], policy: Optional[Policy] = None) -> List[Tuple[KeyOut, Optional[Meta]]]:
        """(key, meta) for each key; meta None for missing ones."""
    def batch_operate(self, keys: Sequence[Key], ops: Sequence[Operation], policy_batch: Optional[Policy] = None,
                      policy_batch_write: Optional[Policy] = None, ttl: Optional[int] = None) -> BatchRecords:
        """Applies the same operations to every key."""
    def scan(self, namespace: str, set: Optional[str] = None) -> Scan:
        """A scan of a namespace or of one set."""
    def truncate(self, namespace: str, set: Optional[str], nanos: int, policy: Optional[Policy] = None) -> int:
        """Removes records last updated before `nanos` (0: everything so far)."""
    def get_key_digest(self, ns: str, set: Optional[str], key: UserKey) -> bytearray:
        """The digest of a key."""
    def kinesis(self) -> Kinesis:
        """A boto3-style Kinesis client over the same database."""

class Scan:
    """A scan: `select`, `foreach`, `results`."""
    def select(self, *bins: str) -> None:
        """Restricts the scan to the named bins."""
    def foreach(self, callback: Callable[[Record], Optional[bool]], policy: Optional[Policy] = None,
                options: Optional[Mapping[str, Any]] = None, nodename: Optional[str] = None) -> None:
        """Streams records to `callback`; returning False stops the scan."""
    def results(self, policy: Optional[Policy] = None, nodename: Optional[str] = None) -> List[Record]:
        """Every record of the scan."""

class BatchRecord:
    key: KeyOut
    result: int
    record: Optional[Record]
    in_doubt: bool

class BatchRecords:
    result: int
    batch_records: List[BatchRecord]

class KinesisError(Exception):
    """botocore's ClientError shape: `response['Error']['Code'/'Message']`, `operation_name`."""
    response: Dict[str, Any]
    operation_name: str
    def __init__(self, error_response: Dict[str, Any], operation_name: str) -> None: ...

class ParamValidationError(ValueError):
    """A missing, unknown or mistyped keyword argument."""

class _KinesisExceptions:
    ClientError: type
    ResourceNotFoundException: type
    ResourceInUseException: type
    InvalidArgumentException: type
    ExpiredIteratorException: type
    ProvisionedThroughputExceededException: type
    LimitExceededException: type

class Kinesis:
    """A Kinesis client with boto3's methods (keyword arguments, response dicts)."""
    @property
    def exceptions(self) -> _KinesisExceptions: ...
    def create_stream(self, *, StreamName: str, ShardCount: int = ..., **kwargs: Any) -> Dict[str, Any]: ...
    def delete_stream(self, *, StreamName: str = ..., StreamARN: str = ..., **kwargs: Any) -> Dict[str, Any]: ...
    def list_streams(self, **kwargs: Any) -> Dict[str, Any]: ...
    def describe_stream(self, *, StreamName: str = ..., StreamARN: str = ..., **kwargs: Any) -> Dict[str, Any]: ...
    def describe_stream_summary(self, *, StreamName: str = ..., StreamARN: str = ...) -> Dict[str, Any]: ...
    def list_shards(self, **kwargs: Any) -> Dict[str, Any]: ...
    def put_record(self, *, Data: Union[bytes, bytearray, str], PartitionKey: str, StreamName: str = ...,
                   StreamARN: str = ..., ExplicitHashKey: str = ..., SequenceNumberForOrdering: str = ...) -> Dict[str, Any]: ...
    def put_records(self, *, Records: Sequence[Mapping[str, Any]], StreamName: str = ..., StreamARN: str = ...) -> Dict[str, Any]: ...
    def get_shard_iterator(self, *, ShardId: str, ShardIteratorType: str, StreamName: str = ..., StreamARN: str = ...,
                           StartingSequenceNumber: str = ..., Timestamp: Union[datetime.datetime, float] = ...) -> Dict[str, Any]: ...
    def get_records(self, *, ShardIterator: str, Limit: int = ..., StreamARN: str = ...) -> Dict[str, Any]: ...
    def increase_stream_retention_period(self, *, RetentionPeriodHours: int, StreamName: str = ..., StreamARN: str = ...) -> Dict[str, Any]: ...
    def decrease_stream_retention_period(self, *, RetentionPeriodHours: int, StreamName: str = ..., StreamARN: str = ...) -> Dict[str, Any]: ...
    def split_shard(self, *, ShardToSplit: str, NewStartingHashKey: str, StreamName: str = ..., StreamARN: str = ...) -> Dict[str, Any]: ...
    def merge_shards(self, *, ShardToMerge: str, AdjacentShardToMerge: str, StreamName: str = ..., StreamARN: str = ...) -> Dict[str, Any]: ...
    def update_shard_count(self, *, TargetShardCount: int, ScalingType: str = ..., StreamName: str = ..., StreamARN: str = ...) -> Dict[str, Any]: ...
    def checkpoint(self, *, ConsumerName: str, ShardId: str, SequenceNumber: str, StreamName: str = ..., StreamARN: str = ...) -> Dict[str, Any]: ...
    def get_checkpoint(self, *, ConsumerName: str, ShardId: str, StreamName: str = ..., StreamARN: str = ...) -> Dict[str, Any]: ...
