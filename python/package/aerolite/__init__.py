"""aerolite: the aerospike client's record API and boto3's Kinesis API over an embedded database.

The native extension (``aerolite.aerolite``) registers the submodules ``aerolite.exception``,
``aerolite.operations``, ``aerolite.list_operations`` and ``aerolite.map_operations`` in
``sys.modules`` when it is imported.
"""

from .aerolite import *  # noqa: F401,F403
from .aerolite import __version__  # noqa: F401
from .aerolite import exception, list_operations, map_operations, operations  # noqa: F401
from .aerolite import __doc__  # noqa: F401
