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
_define("RecordError", ServerError, None, "The parent class of record-level errors.")
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

del _define
