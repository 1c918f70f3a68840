"""Exceptions of aerolite's record API: the classes, hierarchy and codes of aerospike.exception."""
from typing import Any, Optional

class AerospikeError(Exception):
    """The parent class of every exception of aerolite's record API."""
    code: Optional[int]
    msg: Optional[str]
    file: Optional[str]
    line: Optional[int]
    in_doubt: bool
    def __init__(self, code: Optional[int] = ..., msg: Optional[str] = ..., file: Optional[str] = ..., line: Optional[int] = ..., in_doubt: bool = ...) -> None: ...

class TimeoutError(AerospikeError):
    """The call did not complete within the policy's timeout (9)."""

class ClientError(AerospikeError):
    """Client-side errors: misuse of the API or of the configuration (-1)."""

class ParamError(ClientError):
    """An argument is invalid; the message names it (-2)."""

class InvalidHostError(ClientError):
    """Invalid host configuration (-4); aerolite never raises it."""

class ServerError(AerospikeError):
    """The parent class of errors returned by the database (1)."""

class InvalidRequest(ServerError):
    """The database rejected a parameter of the request (4)."""

class ServerFull(ServerError):
    """The namespace is full: stop-writes (8)."""

class AlwaysForbidden(ServerError):
    """The operation is always forbidden (10)."""

class UnsupportedFeature(ServerError):
    """The feature is not supported (16)."""

class DeviceOverload(ServerError):
    """The device is overloaded (18)."""

class NamespaceNotFound(ServerError):
    """The namespace name is invalid (20)."""

class ForbiddenError(ServerError):
    """The operation is forbidden (22)."""

class ElementNotFoundError(ServerError):
    """A list or map element does not exist (23)."""

class ElementExistsError(ServerError):
    """A list or map element already exists (24)."""

class OpNotApplicable(ServerError):
    """The operation cannot be applied to the value it met (26)."""

class QuotaExceeded(ServerError):
    """A quota was exceeded (83)."""

class ClusterError(ServerError):
    """No connection: the client is closed or was never connected (11)."""

class RecordError(ServerError):
    """The parent class of record-level errors."""

class RecordKeyMismatch(RecordError):
    """The user key sent differs from the one stored (19)."""

class RecordNotFound(RecordError):
    """The record does not exist (2)."""

class RecordGenerationError(RecordError):
    """The generation check failed (3)."""

class RecordExistsError(RecordError):
    """The record already exists (5)."""

class RecordTooBig(RecordError):
    """The record is too big (13)."""

class RecordBusy(RecordError):
    """The record is busy (14)."""

class BinNameError(RecordError):
    """A bin name is too long or invalid (21)."""

class BinExistsError(RecordError):
    """The bin already exists (6)."""

class BinNotFound(RecordError):
    """The bin does not exist (17)."""

class BinIncompatibleType(RecordError):
    """An operation met a bin of another type (12)."""

