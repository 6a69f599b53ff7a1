"""Iterators over paginated List calls and server streams, and a request stream for uploads."""

from __future__ import annotations

from typing import IO, Any, Callable, Iterable, Iterator, Optional, Sequence, Union

from .events.v1 import event_pb2, events_service_pb2
from .registry.v1 import model_version_pb2, registry_service_pb2

__all__ = ["pages", "paginate", "EventStream", "subscribe", "upload_requests"]


def pages(method: Callable[..., Any], request: Any, **call_kwargs: Any) -> Iterator[Any]:
    """Yields every response page of a List call, following ``next_page_token``.

    ``request`` is not modified; ``call_kwargs`` (e.g. ``timeout=``) go to every call."""
    req = type(request)()
    req.CopyFrom(request)
    while True:
        response = method(req, **call_kwargs)
        yield response
        token = response.next_page_token
        if not token:
            return
        req.page_token = token


def paginate(method: Callable[..., Any], request: Any, *, field: Optional[str] = None, **call_kwargs: Any) -> Iterator[Any]:
    """Yields every resource of a List call across pages.

    ``field`` is the repeated field of the response to read; by default the one numbered 1, which
    every List response of the API uses for its resources (e.g. ``ListModelsResponse.models``)::

        for model in paginate(client.registry.ListModels, ListModelsRequest(page_size=100)):
            print(model.name)
    """
    for response in pages(method, request, **call_kwargs):
        name = field
        if name is None:
            first = response.DESCRIPTOR.fields_by_number.get(1)
            is_repeated = first is not None and getattr(first, "is_repeated", None)
            if is_repeated is None and first is not None:  # protobuf < 6.31 has only `label`
                is_repeated = first.label == first.LABEL_REPEATED
            if not is_repeated:
                raise TypeError(f"{response.DESCRIPTOR.full_name} has no repeated field 1: pass field=")
            name = first.name
        yield from getattr(response, name)


class EventStream:
    """An ``EventsService.Subscribe`` stream as an iterator of :class:`Event` messages.

    Heartbeats are consumed here: ``cursor`` always holds the position delivered so far (from the
    last event or heartbeat), so a stream that ends (e.g. RESOURCE_EXHAUSTED for a subscriber that
    fell behind, or UNAVAILABLE at a server shutdown) can be resumed with
    ``subscribe(..., after_cursor=stream.cursor)``. ``caught_up`` turns true once replay reached the
    live end of the log. :meth:`cancel` (or leaving a ``with`` block) ends the call."""

    def __init__(self, call: Any) -> None:
        self._call = call
        self.cursor: str = ""
        self.caught_up: bool = False
        self.heartbeats: int = 0

    def __iter__(self) -> "EventStream":
        return self

    def __next__(self) -> event_pb2.Event:
        for message in self._call:
            kind = message.WhichOneof("message")
            if kind == "event":
                self.cursor = message.event.cursor
                return message.event
            if kind == "heartbeat":
                self.heartbeats += 1
                if message.heartbeat.cursor:
                    self.cursor = message.heartbeat.cursor
                self.caught_up = self.caught_up or message.heartbeat.caught_up
        raise StopIteration

    def next_message(self) -> events_service_pb2.SubscribeResponse:
        """The next raw message, heartbeats included (cursor and caught_up are updated)."""
        message = next(self._call)
        kind = message.WhichOneof("message")
        if kind == "event":
            self.cursor = message.event.cursor
        elif kind == "heartbeat":
            self.heartbeats += 1
            self.cursor = message.heartbeat.cursor or self.cursor
            self.caught_up = self.caught_up or message.heartbeat.caught_up
        return message

    def wait_caught_up(self) -> None:
        """Reads heartbeats until the server says the stream is live (events read meanwhile are
        kept and returned first by iteration)."""
        buffered: list = []
        while not self.caught_up:
            message = self.next_message()
            if message.WhichOneof("message") == "event":
                buffered.append(message)
        if buffered:
            self._call = _Chain(buffered, self._call)

    def cancel(self) -> None:
        self._call.cancel()

    def __enter__(self) -> "EventStream":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.cancel()


class _Chain:
    def __init__(self, first: list, rest: Any) -> None:
        self._first = iter(first)
        self._rest = rest

    def __iter__(self) -> "_Chain":
        return self

    def __next__(self) -> Any:
        for item in self._first:
            return item
        return next(self._rest)

    def cancel(self) -> None:
        self._rest.cancel()


def subscribe(
    client: Any,
    topics: Sequence[int] = (),
    *,
    resources: Sequence[str] = (),
    types: Sequence[str] = (),
    after_cursor: str = "",
    from_beginning: bool = False,
    heartbeat_interval: Optional[float] = None,
    timeout: Optional[float] = None,
    metadata: Any = None,
) -> EventStream:
    """Subscribes to the event log: live by default, from the beginning, or after a cursor.

    ``topics`` are ``EventTopic`` values (e.g. ``event_pb2.EVENT_TOPIC_REGISTRY``); ``resources``
    and ``types`` filter on resource names (``models/iris``, ``models/iris/*``) and event types
    (``registry.model.created``, ``registry.*``). ``client`` is an :class:`ArtenicClient` or an
    ``EventsServiceStub``."""
    stub = getattr(client, "events", client)
    request = events_service_pb2.SubscribeRequest(
        topics=list(topics),
        filter=events_service_pb2.EventFilter(resources=list(resources), types=list(types)),
        after_cursor=after_cursor,
        from_beginning=from_beginning,
    )
    if heartbeat_interval is not None:
        request.heartbeat_interval.FromNanoseconds(int(heartbeat_interval * 1e9))
    return EventStream(stub.Subscribe(request, timeout=timeout, metadata=metadata))


Source = Union[bytes, bytearray, memoryview, IO[bytes], Iterable[bytes]]


def upload_requests(
    parent: str,
    source: Source,
    *,
    format: int = model_version_pb2.ARTIFACT_FORMAT_ONNX,
    model_version: Optional[model_version_pb2.ModelVersion] = None,
    expected_sha256: str = "",
    expected_size_bytes: int = 0,
    request_id: str = "",
    chunk_size: int = 256 * 1024,
    on_progress: Optional[Callable[[int], None]] = None,
) -> Iterator[registry_service_pb2.UploadModelVersionRequest]:
    """The request stream of ``RegistryService.UploadModelVersion``: the metadata message first,
    then the artifact in chunks of at most ``chunk_size`` bytes (the server accepts up to 4 MiB)::

        with open("model.onnx", "rb") as f:
            client.registry.UploadModelVersion(upload_requests("models/iris", f))

    ``source`` is bytes, a binary file object or an iterable of byte strings. ``on_progress``
    receives the number of bytes sent so far after each chunk."""
    if not 0 < chunk_size <= 4 * 1024 * 1024:
        raise ValueError("chunk_size must be between 1 byte and 4 MiB")
    metadata = registry_service_pb2.UploadModelVersionMetadata(
        parent=parent,
        format=format,
        expected_sha256=expected_sha256,
        expected_size_bytes=expected_size_bytes,
        request_id=request_id,
    )
    if model_version is not None:
        metadata.model_version.CopyFrom(model_version)
    yield registry_service_pb2.UploadModelVersionRequest(metadata=metadata)
    sent = 0
    for chunk in _chunks(source, chunk_size):
        sent += len(chunk)
        yield registry_service_pb2.UploadModelVersionRequest(chunk=chunk)
        if on_progress is not None:
            on_progress(sent)


def _chunks(source: Source, size: int) -> Iterator[bytes]:
    if isinstance(source, (bytes, bytearray, memoryview)):
        view = memoryview(source)
        for i in range(0, len(view), size):
            yield bytes(view[i : i + size])
        return
    read = getattr(source, "read", None)
    if callable(read):
        while True:
            block = read(size)
            if not block:
                return
            yield block
        return
    for block in source:
        for i in range(0, len(block), size):
            yield bytes(block[i : i + size])
