from artenic_client.buf.validate import validate_pb2 as _validate_pb2
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Optional as _Optional

DESCRIPTOR: _descriptor.FileDescriptor

class PageToken(_message.Message):
    __slots__ = ("cursor", "query_hash")
    CURSOR_FIELD_NUMBER: _ClassVar[int]
    QUERY_HASH_FIELD_NUMBER: _ClassVar[int]
    cursor: str
    query_hash: str
    def __init__(self, cursor: _Optional[str] = ..., query_hash: _Optional[str] = ...) -> None: ...
