"""Python client of Artenic, the self-hosted ML platform served as one gRPC service.

The generated code is in the subpackages, one per contract package: ``artenic_client.registry.v1``
holds ``registry_service_pb2`` (messages), ``registry_service_pb2_grpc`` (the stub) and so on for
``inference``, ``abtest``, ``ensemble``, ``health``, ``training``, ``budget``, ``events``, ``admin``
and the shared ``type``. The hand-written layer is small::

    from artenic_client import connect, InvalidArgumentError
    from artenic_client.registry.v1 import registry_service_pb2 as registry

    with connect("http://127.0.0.1:8080", api_key) as client:
        client.registry.CreateModel(registry.CreateModelRequest(model_id="iris"))

:func:`connect` (or :func:`create_channel` for a bare channel) sends the API key on every call and
raises :class:`ArtenicError` subclasses built from the status details; :func:`paginate` and
:func:`pages` walk List calls; :func:`subscribe` reads the event stream; :func:`upload_requests`
streams an artifact to ``UploadModelVersion``.
"""

from ._channel import ArtenicInterceptor, create_channel, parse_target
from ._client import ArtenicClient, connect
from .errors import (
    AbortedError,
    AlreadyExistsError,
    ArtenicError,
    CancelledError,
    DataLossError,
    DeadlineExceededError,
    FailedPreconditionError,
    FieldViolation,
    InternalError,
    InvalidArgumentError,
    NotFoundError,
    OutOfRangeError,
    PermissionDeniedError,
    ResourceExhaustedError,
    UnauthenticatedError,
    UnavailableError,
    UnimplementedError,
    UnknownError,
    from_rpc_error,
)
from .iterators import EventStream, pages, paginate, subscribe, upload_requests

__version__ = "0.1.0"

__all__ = [
    "ArtenicClient",
    "ArtenicInterceptor",
    "EventStream",
    "connect",
    "create_channel",
    "pages",
    "paginate",
    "parse_target",
    "subscribe",
    "upload_requests",
    "from_rpc_error",
    "FieldViolation",
    "ArtenicError",
    "AbortedError",
    "AlreadyExistsError",
    "CancelledError",
    "DataLossError",
    "DeadlineExceededError",
    "FailedPreconditionError",
    "InternalError",
    "InvalidArgumentError",
    "NotFoundError",
    "OutOfRangeError",
    "PermissionDeniedError",
    "ResourceExhaustedError",
    "UnauthenticatedError",
    "UnavailableError",
    "UnimplementedError",
    "UnknownError",
]
