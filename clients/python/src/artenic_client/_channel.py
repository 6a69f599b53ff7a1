"""The channel factory: a grpc channel that sends the API key and raises typed errors."""

from __future__ import annotations

import collections
from typing import Any, Callable, Iterator, Optional, Sequence, Tuple
from urllib.parse import urlsplit

import grpc

from .errors import from_rpc_error

__all__ = ["ArtenicInterceptor", "create_channel", "parse_target"]


class _CallDetails(
    collections.namedtuple("_CallDetails", ("method", "timeout", "metadata", "credentials", "wait_for_ready", "compression")),
    grpc.ClientCallDetails,
):
    pass


class _Converting:
    """Wraps what a continuation returns (a call, a future, a response iterator) so that a failed
    status surfaces as an ``ArtenicError``; everything else is delegated unchanged."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    # Future / unary outcome.
    def result(self, timeout: Optional[float] = None) -> Any:
        try:
            return self._inner.result(timeout) if timeout is not None else self._inner.result()
        except grpc.RpcError as e:
            raise from_rpc_error(e) from None

    def exception(self, timeout: Optional[float] = None) -> Optional[BaseException]:
        e = self._inner.exception(timeout) if timeout is not None else self._inner.exception()
        return from_rpc_error(e) if isinstance(e, grpc.RpcError) else e

    def add_done_callback(self, fn: Callable[[Any], None]) -> None:
        self._inner.add_done_callback(lambda _inner: fn(self))

    # Response stream.
    def __iter__(self) -> Iterator[Any]:
        return self

    def __next__(self) -> Any:
        try:
            return next(self._inner)
        except grpc.RpcError as e:
            raise from_rpc_error(e) from None


class ArtenicInterceptor(
    grpc.UnaryUnaryClientInterceptor,
    grpc.UnaryStreamClientInterceptor,
    grpc.StreamUnaryClientInterceptor,
    grpc.StreamStreamClientInterceptor,
):
    """Adds ``authorization: Bearer <api_key>`` to every call (unless the caller set its own) and
    turns failures into :class:`artenic_client.errors.ArtenicError` subclasses.

    ``api_key=None`` sends no key (health and reflection need none)."""

    def __init__(self, api_key: Optional[str]) -> None:
        if api_key is not None and (not api_key or any(c.isspace() for c in api_key)):
            raise ValueError("api_key must be a non-empty string without whitespace")
        self._auth: Tuple[Tuple[str, str], ...] = (("authorization", f"Bearer {api_key}"),) if api_key else ()

    def _details(self, details: grpc.ClientCallDetails) -> grpc.ClientCallDetails:
        metadata = list(details.metadata or ())
        if self._auth and not any(k.lower() == "authorization" for k, _ in metadata):
            metadata.extend(self._auth)
        return _CallDetails(
            details.method,
            details.timeout,
            metadata,
            details.credentials,
            getattr(details, "wait_for_ready", None),
            getattr(details, "compression", None),
        )

    def intercept_unary_unary(self, continuation, client_call_details, request):  # type: ignore[no-untyped-def]
        return _Converting(continuation(self._details(client_call_details), request))

    def intercept_unary_stream(self, continuation, client_call_details, request):  # type: ignore[no-untyped-def]
        return _Converting(continuation(self._details(client_call_details), request))

    def intercept_stream_unary(self, continuation, client_call_details, request_iterator):  # type: ignore[no-untyped-def]
        return _Converting(continuation(self._details(client_call_details), request_iterator))

    def intercept_stream_stream(self, continuation, client_call_details, request_iterator):  # type: ignore[no-untyped-def]
        return _Converting(continuation(self._details(client_call_details), request_iterator))


def parse_target(url: str, secure: bool = False) -> Tuple[str, bool]:
    """``http://host:port`` → (``host:port``, insecure); ``https://host`` → (``host:443``, TLS); a
    bare ``host:port`` keeps ``secure`` as given."""
    if "://" not in url:
        return url, secure
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise ValueError(f"unsupported URL scheme {parts.scheme!r}: use http:// or https://")
    if parts.path not in ("", "/"):
        raise ValueError(f"the URL must not have a path (gRPC serves at the root): {url!r}")
    if parts.scheme == "http" and secure:
        raise ValueError("secure=True needs an https:// URL")
    tls = parts.scheme == "https"
    host = parts.hostname or ""
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    return f"{host}:{parts.port or (443 if tls else 80)}", tls


# Raised limits match the server's ARTENIC_MAX_MESSAGE_BYTES default (16 MiB).
_DEFAULT_OPTIONS: Sequence[Tuple[str, Any]] = (
    ("grpc.max_receive_message_length", 16 * 1024 * 1024),
    ("grpc.max_send_message_length", 16 * 1024 * 1024),
)


def create_channel(
    url: str,
    api_key: Optional[str],
    *,
    secure: bool = False,
    root_certificates: Optional[bytes] = None,
    options: Sequence[Tuple[str, Any]] = (),
) -> grpc.Channel:
    """A grpc channel to ``url`` that authenticates with ``api_key`` and raises typed errors.

    ``url`` is ``http://host:port`` (plaintext HTTP/2), ``https://host[:port]`` (TLS, with
    ``root_certificates`` or the system roots), or ``host:port`` with ``secure`` choosing."""
    target, tls = parse_target(url, secure)
    merged = dict(_DEFAULT_OPTIONS)
    merged.update(dict(options))
    opts = list(merged.items())
    if tls:
        channel = grpc.secure_channel(target, grpc.ssl_channel_credentials(root_certificates), options=opts)
    else:
        channel = grpc.insecure_channel(target, options=opts)
    return grpc.intercept_channel(channel, ArtenicInterceptor(api_key))
