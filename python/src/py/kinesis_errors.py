"""Errors raised by aerolite's Kinesis API, shaped like botocore's ``ClientError``."""


class KinesisError(Exception):
    """The parent class of every ``kinesis.exceptions.<Name>``.

    ``e.response['Error']['Code']`` is the Kinesis error code (the class name) and
    ``e.response['Error']['Message']`` the message, as in botocore's ``ClientError``;
    ``e.operation_name`` is the Kinesis operation (e.g. ``'PutRecord'``).
    """

    def __init__(self, error_response, operation_name):
        error = error_response.get("Error", {})
        super().__init__(
            "An error occurred ({}) when calling the {} operation: {}".format(
                error.get("Code", "Unknown"), operation_name, error.get("Message", "Unknown")
            )
        )
        self.response = error_response
        self.operation_name = operation_name


class ParamValidationError(ValueError):
    """A missing, unknown or mistyped keyword argument (botocore's ``ParamValidationError``)."""

    def __init__(self, report):
        super().__init__("Parameter validation failed:\n" + report)
        self.kwargs = {"report": report}


def _define(name, doc):
    cls = type(name, (KinesisError,), {"__doc__": doc, "__module__": "aerolite"})
    globals()[name] = cls
    return cls


_define("ResourceNotFoundException", "The stream or shard does not exist.")
_define("ResourceInUseException", "A stream with that name already exists.")
_define("InvalidArgumentException", "An argument is invalid.")
_define("ExpiredIteratorException", "The shard iterator is older than five minutes.")
_define("ProvisionedThroughputExceededException", "The shard's throughput limit was exceeded.")
_define("LimitExceededException", "A limit (such as the number of shards) was reached.")

NAMES = (
    "ResourceNotFoundException",
    "ResourceInUseException",
    "InvalidArgumentException",
    "ExpiredIteratorException",
    "ProvisionedThroughputExceededException",
    "LimitExceededException",
)


class KinesisExceptions:
    """``kinesis.exceptions``: the error classes by name, as ``boto3_client.exceptions``."""

    ClientError = KinesisError


for _n in NAMES:
    setattr(KinesisExceptions, _n, globals()[_n])
del _n, _define
