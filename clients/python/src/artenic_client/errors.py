"""Typed errors built from the gRPC status and its rich details.

The server answers every failure with a gRPC status code, a message and, in the
``grpc-status-details-bin`` trailer, a ``google.rpc.Status`` whose details say more: always a
``google.rpc.ErrorInfo`` (a stable ``reason`` such as ``MODEL_NOT_FOUND`` or ``API_KEY_MISSING``,
the domain ``artenic.ai`` and metadata), a ``google.rpc.BadRequest`` naming each offending field
for bad input, ``RetryInfo`` when a retry may succeed later, ``PreconditionFailure`` and
``QuotaFailure`` where they apply.

:func:`from_rpc_error` turns a :class:`grpc.RpcError` into the :class:`ArtenicError` subclass of its
code. Clients made by :func:`artenic_client.connect` raise these directly. Every ``ArtenicError`` is
still a :class:`grpc.RpcError` with ``code()``, ``details()`` and ``trailing_metadata()``, so code
written against plain grpcio keeps working.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Sequence, Tuple, Type

import grpc
from google.protobuf import any_pb2
from google.protobuf import message as _pb_message
from google.rpc import error_details_pb2, status_pb2

__all__ = [
    "ArtenicError",
    "CancelledError",
    "UnknownError",
    "InvalidArgumentError",
    "DeadlineExceededError",
    "NotFoundError",
    "AlreadyExistsError",
    "PermissionDeniedError",
    "ResourceExhaustedError",
    "FailedPreconditionError",
    "AbortedError",
    "OutOfRangeError",
    "UnimplementedError",
    "InternalError",
    "UnavailableError",
    "DataLossError",
    "UnauthenticatedError",
    "FieldViolation",
    "from_rpc_error",
    "STATUS_DETAILS_KEY",
]

#: The trailer that carries the serialized ``google.rpc.Status``.
STATUS_DETAILS_KEY = "grpc-status-details-bin"

# The detail messages this module unpacks; any other type stays a google.protobuf.Any.
_DETAIL_TYPES: Tuple[Type[_pb_message.Message], ...] = (
    error_details_pb2.ErrorInfo,
    error_details_pb2.BadRequest,
    error_details_pb2.RetryInfo,
    error_details_pb2.PreconditionFailure,
    error_details_pb2.QuotaFailure,
    error_details_pb2.ResourceInfo,
    error_details_pb2.RequestInfo,
    error_details_pb2.DebugInfo,
    error_details_pb2.Help,
    error_details_pb2.LocalizedMessage,
)


@dataclass(frozen=True)
class FieldViolation:
    """One offending request field from ``google.rpc.BadRequest``, e.g. ``model_id``."""

    field: str
    description: str
    reason: str = ""


class ArtenicError(grpc.RpcError, grpc.Call):
    """A failed call: the gRPC status with its ``ErrorInfo``, ``BadRequest`` and other details.

    Attributes:
        status_code: the :class:`grpc.StatusCode` (also returned by ``code()``).
        message: the status message (also returned by ``details()``).
        reason: ``ErrorInfo.reason``, a stable machine-readable cause (``""`` when absent).
        domain: ``ErrorInfo.domain`` (``"artenic.ai"`` for errors of the server itself).
        metadata: ``ErrorInfo.metadata``, e.g. ``{"name": "models/iris"}``.
        field_violations: the fields ``BadRequest`` names, in order.
        retry_delay: seconds from ``RetryInfo``, or ``None``.
        error_details: every detail message, unpacked when its type is known.
    """

    #: The status code this class stands for (``None`` on the base class).
    grpc_code: Optional[grpc.StatusCode] = None

    def __init__(
        self,
        status_code: grpc.StatusCode,
        message: str,
        *,
        error_details: Sequence[_pb_message.Message] = (),
        trailing_metadata: Any = None,
        initial_metadata: Any = None,
        cause: Optional[BaseException] = None,
    ) -> None:
        super().__init__(f"{status_code.name}: {message}" if message else status_code.name)
        self.status_code = status_code
        self.message = message
        self.error_details: List[_pb_message.Message] = list(error_details)
        self._trailing_metadata = trailing_metadata
        self._initial_metadata = initial_metadata
        self.cause = cause
        info = self.detail(error_details_pb2.ErrorInfo)
        self.reason: str = info.reason if info else ""
        self.domain: str = info.domain if info else ""
        self.metadata: Dict[str, str] = dict(info.metadata) if info else {}
        self.field_violations: List[FieldViolation] = [
            FieldViolation(v.field, v.description, v.reason)
            for d in self.error_details
            if isinstance(d, error_details_pb2.BadRequest)
            for v in d.field_violations
        ]
        retry = self.detail(error_details_pb2.RetryInfo)
        self.retry_delay: Optional[float] = (
            retry.retry_delay.seconds + retry.retry_delay.nanos / 1e9 if retry and retry.HasField("retry_delay") else None
        )

    def detail(self, message_type: Type[Any]) -> Any:
        """The first detail of ``message_type`` (e.g. ``error_details_pb2.QuotaFailure``), or ``None``."""
        for d in self.error_details:
            if isinstance(d, message_type):
                return d
        return None

    @property
    def fields(self) -> List[str]:
        """The names of the offending fields (``BadRequest``), e.g. ``["model_id"]``."""
        return [v.field for v in self.field_violations]

    # grpc.Call / grpc.RpcError compatibility.
    def code(self) -> grpc.StatusCode:
        return self.status_code

    def details(self) -> str:
        return self.message

    def trailing_metadata(self) -> Any:
        return self._trailing_metadata

    def initial_metadata(self) -> Any:
        return self._initial_metadata

    def is_active(self) -> bool:
        return False

    def time_remaining(self) -> Optional[float]:
        return None

    def cancel(self) -> bool:
        return False

    def add_callback(self, callback: Any) -> bool:
        return False

    def __repr__(self) -> str:
        extra = f", reason={self.reason!r}" if self.reason else ""
        if self.field_violations:
            extra += f", fields={self.fields!r}"
        return f"{type(self).__name__}({self.status_code.name}, {self.message!r}{extra})"


class CancelledError(ArtenicError):
    grpc_code = grpc.StatusCode.CANCELLED


class UnknownError(ArtenicError):
    grpc_code = grpc.StatusCode.UNKNOWN


class InvalidArgumentError(ArtenicError):
    """Bad input; ``field_violations`` names the fields."""

    grpc_code = grpc.StatusCode.INVALID_ARGUMENT


class DeadlineExceededError(ArtenicError):
    grpc_code = grpc.StatusCode.DEADLINE_EXCEEDED


class NotFoundError(ArtenicError):
    grpc_code = grpc.StatusCode.NOT_FOUND


class AlreadyExistsError(ArtenicError):
    grpc_code = grpc.StatusCode.ALREADY_EXISTS


class PermissionDeniedError(ArtenicError):
    """The key is valid but lacks the scope the method needs."""

    grpc_code = grpc.StatusCode.PERMISSION_DENIED


class ResourceExhaustedError(ArtenicError):
    """Rate limit, budget or a subscriber that fell behind; see ``reason`` and ``retry_delay``."""

    grpc_code = grpc.StatusCode.RESOURCE_EXHAUSTED


class FailedPreconditionError(ArtenicError):
    grpc_code = grpc.StatusCode.FAILED_PRECONDITION


class AbortedError(ArtenicError):
    """A concurrent change or etag mismatch: read again and retry."""

    grpc_code = grpc.StatusCode.ABORTED


class OutOfRangeError(ArtenicError):
    grpc_code = grpc.StatusCode.OUT_OF_RANGE


class UnimplementedError(ArtenicError):
    grpc_code = grpc.StatusCode.UNIMPLEMENTED


class InternalError(ArtenicError):
    grpc_code = grpc.StatusCode.INTERNAL


class UnavailableError(ArtenicError):
    grpc_code = grpc.StatusCode.UNAVAILABLE


class DataLossError(ArtenicError):
    grpc_code = grpc.StatusCode.DATA_LOSS


class UnauthenticatedError(ArtenicError):
    """No key, or a key that is unknown, revoked or expired (``reason`` says which)."""

    grpc_code = grpc.StatusCode.UNAUTHENTICATED


_BY_CODE: Dict[grpc.StatusCode, Type[ArtenicError]] = {
    cls.grpc_code: cls for cls in ArtenicError.__subclasses__() if cls.grpc_code is not None
}


def _unpack(details: Sequence[any_pb2.Any]) -> List[_pb_message.Message]:
    out: List[_pb_message.Message] = []
    for packed in details:
        for message_type in _DETAIL_TYPES:
            if packed.Is(message_type.DESCRIPTOR):
                value = message_type()
                packed.Unpack(value)
                out.append(value)
                break
        else:
            out.append(packed)
    return out


def _status_from_metadata(trailing_metadata: Any) -> Optional[status_pb2.Status]:
    for key, value in trailing_metadata or ():
        if key == STATUS_DETAILS_KEY and isinstance(value, bytes):
            status = status_pb2.Status()
            try:
                status.ParseFromString(value)
            except _pb_message.DecodeError:
                return None
            return status
    return None


def from_rpc_error(error: grpc.RpcError) -> ArtenicError:
    """The typed error for a failed gRPC call (an ``ArtenicError`` is returned unchanged)."""
    if isinstance(error, ArtenicError):
        return error
    code_fn = getattr(error, "code", None)
    code = code_fn() if callable(code_fn) else None
    if not isinstance(code, grpc.StatusCode):
        code = grpc.StatusCode.UNKNOWN
    details_fn = getattr(error, "details", None)
    text = details_fn() if callable(details_fn) else str(error)
    trailing_fn = getattr(error, "trailing_metadata", None)
    trailing = trailing_fn() if callable(trailing_fn) else None
    initial_fn = getattr(error, "initial_metadata", None)
    try:
        initial = initial_fn() if callable(initial_fn) else None
    except Exception:  # an inactive call may not have initial metadata
        initial = None
    status = _status_from_metadata(trailing)
    error_details = _unpack(status.details) if status else []
    cls = _BY_CODE.get(code, ArtenicError)
    return cls(code, text or "", error_details=error_details, trailing_metadata=trailing, initial_metadata=initial, cause=error)
