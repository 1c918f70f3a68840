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

class FilteredOut(ServerError):
    """The transaction was not performed because the filter was false (27)."""

class ClusterChangeError(ClusterError):
    """The cluster changed during the request (7)."""

class RecordError(ServerError):
    """The parent class of record-level errors."""
    key: Any
    bin: Optional[str]

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

class IndexError(ServerError):
    """The parent class of secondary index errors (204)."""
    index_name: Optional[str]

class IndexNotFound(IndexError):
    """The index does not exist (201)."""

class IndexFoundError(IndexError):
    """The index already exists (200)."""

class IndexOOM(IndexError):
    """The index is out of memory (202)."""

class IndexNotReadable(IndexError):
    """The index is not readable (203)."""

class IndexNameMaxLen(IndexError):
    """The index name is too long (205)."""

class IndexNameMaxCount(IndexError):
    """Too many indexes (206)."""

class QueryError(ServerError):
    """The parent class of query errors (213)."""

class QueryQueueFull(QueryError):
    """The query queue is full (211)."""

class QueryTimeout(QueryError):
    """The query timed out (212)."""

class AdminError(ServerError):
    """The parent class of security API errors."""

class SecurityNotSupported(AdminError):
    """A security API error (51)."""

class SecurityNotEnabled(AdminError):
    """A security API error (52)."""

class SecuritySchemeNotSupported(AdminError):
    """A security API error (53)."""

class InvalidCommand(AdminError):
    """A security API error (54)."""

class InvalidField(AdminError):
    """A security API error (55)."""

class IllegalState(AdminError):
    """A security API error (56)."""

class InvalidUser(AdminError):
    """A security API error (60)."""

class UserExistsError(AdminError):
    """A security API error (61)."""

class InvalidPassword(AdminError):
    """A security API error (62)."""

class ExpiredPassword(AdminError):
    """A security API error (63)."""

class ForbiddenPassword(AdminError):
    """A security API error (64)."""

class InvalidCredential(AdminError):
    """A security API error (65)."""

class InvalidRole(AdminError):
    """A security API error (70)."""

class RoleExistsError(AdminError):
    """A security API error (71)."""

class InvalidPrivilege(AdminError):
    """A security API error (72)."""

class NotAuthenticated(AdminError):
    """A security API error (80)."""

class RoleViolation(AdminError):
    """A security API error (81)."""

class UDFError(ServerError):
    """The parent class of UDF errors; aerolite has no UDFs."""
    module: Optional[str]
    func: Optional[str]

class UDFNotFound(UDFError):
    """The UDF does not exist (1301)."""

class LuaFileNotFound(UDFError):
    """The Lua file does not exist (1302)."""

