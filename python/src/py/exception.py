"""Exceptions raised by aerolite's record API: the classes, hierarchy and codes of ``aerospike.exception``.

Every exception carries ``code`` (Aerospike's status code), ``msg`` (a message a person can act on),
``file``, ``line`` and ``in_doubt`` (``True`` if the write may have happened); they are also
``exc.args[0..4]`` in that order, as in the aerospike client.
"""


class AerospikeError(Exception):
    """The parent class of every exception of aerolite's record API."""

    code = -1
    msg = None
    file = None
    line = None
    in_doubt = False

    def __init__(self, code=None, msg=None, file=None, line=None, in_doubt=False):
        if code is None:
            code = type(self).code
        super().__init__(code, msg, file, line, in_doubt)
        self.code = code
        self.msg = msg
        self.file = file
        self.line = line
        self.in_doubt = in_doubt

    def __str__(self):
        return "({}) {}".format(self.code, self.msg)


def _define(name, base, code, doc):
    cls = type(name, (base,), {"code": code, "__doc__": doc, "__module__": __name__})
    globals()[name] = cls
    return cls


_define("TimeoutError", AerospikeError, 9, "The call did not complete within the policy's timeout (9).")
_define("ClientError", AerospikeError, -1, "Client-side errors: misuse of the API or of the configuration (-1).")
_define("ParamError", ClientError, -2, "An argument is invalid; the message names it (-2).")
_define("InvalidHostError", ClientError, -4, "Invalid host configuration (-4); aerolite never raises it.")
_define("ServerError", AerospikeError, 1, "The parent class of errors returned by the database (1).")
_define("InvalidRequest", ServerError, 4, "The database rejected a parameter of the request (4).")
_define("ServerFull", ServerError, 8, "The namespace is full: stop-writes (8).")
_define("AlwaysForbidden", ServerError, 10, "The operation is always forbidden (10).")
_define("UnsupportedFeature", ServerError, 16, "The feature is not supported (16).")
_define("DeviceOverload", ServerError, 18, "The device is overloaded (18).")
_define("NamespaceNotFound", ServerError, 20, "The namespace name is invalid (20).")
_define("ForbiddenError", ServerError, 22, "The operation is forbidden (22).")
_define("ElementNotFoundError", ServerError, 23, "A list or map element does not exist (23).")
_define("ElementExistsError", ServerError, 24, "A list or map element already exists (24).")
_define("OpNotApplicable", ServerError, 26, "The operation cannot be applied to the value it met (26).")
_define("QuotaExceeded", ServerError, 83, "A quota was exceeded (83).")
_define("ClusterError", ServerError, 11, "No connection: the client is closed or was never connected (11).")
_define("FilteredOut", ServerError, 27, "The transaction was not performed because the filter was false (27).")
_define("ClusterChangeError", ClusterError, 7, "The cluster changed during the request (7).")
_define("RecordError", ServerError, None, "The parent class of record-level errors.")
RecordError.key = None
RecordError.bin = None
_define("RecordKeyMismatch", RecordError, 19, "The user key sent differs from the one stored (19).")
_define("RecordNotFound", RecordError, 2, "The record does not exist (2).")
_define("RecordGenerationError", RecordError, 3, "The generation check failed (3).")
_define("RecordExistsError", RecordError, 5, "The record already exists (5).")
_define("RecordTooBig", RecordError, 13, "The record is too big (13).")
_define("RecordBusy", RecordError, 14, "The record is busy (14).")
_define("BinNameError", RecordError, 21, "A bin name is too long or invalid (21).")
_define("BinExistsError", RecordError, 6, "The bin already exists (6).")
_define("BinNotFound", RecordError, 17, "The bin does not exist (17).")
_define("BinIncompatibleType", RecordError, 12, "An operation met a bin of another type (12).")
_define("IndexError", ServerError, 204, "The parent class of secondary index errors (204).")
IndexError.index_name = None
_define("IndexNotFound", IndexError, 201, "The index does not exist (201).")
_define("IndexFoundError", IndexError, 200, "The index already exists (200).")
_define("IndexOOM", IndexError, 202, "The index is out of memory (202).")
_define("IndexNotReadable", IndexError, 203, "The index is not readable (203).")
_define("IndexNameMaxLen", IndexError, 205, "The index name is too long (205).")
_define("IndexNameMaxCount", IndexError, 206, "Too many indexes (206).")
_define("QueryError", ServerError, 213, "The parent class of query errors (213).")
_define("QueryQueueFull", QueryError, 211, "The query queue is full (211).")
_define("QueryTimeout", QueryError, 212, "The query timed out (212).")
_define("AdminError", ServerError, None, "The parent class of security API errors.")
for _name, _code in (
    ("SecurityNotSupported", 51), ("SecurityNotEnabled", 52), ("SecuritySchemeNotSupported", 53),
    ("InvalidCommand", 54), ("InvalidField", 55), ("IllegalState", 56), ("InvalidUser", 60),
    ("UserExistsError", 61), ("InvalidPassword", 62), ("ExpiredPassword", 63),
    ("ForbiddenPassword", 64), ("InvalidCredential", 65), ("InvalidRole", 70),
    ("RoleExistsError", 71), ("InvalidPrivilege", 72), ("NotAuthenticated", 80), ("RoleViolation", 81),
):
    _define(_name, AdminError, _code, "A security API error ({}); aerolite never raises it.".format(_code))
_define("UDFError", ServerError, None, "The parent class of UDF errors; aerolite has no UDFs.")
UDFError.module = None
UDFError.func = None
_define("UDFNotFound", UDFError, 1301, "The UDF does not exist (1301).")
_define("LuaFileNotFound", UDFError, 1302, "The Lua file does not exist (1302).")

del _define, _name, _code
