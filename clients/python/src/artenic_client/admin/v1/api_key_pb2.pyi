import datetime

from artenic_client.buf.validate import validate_pb2 as _validate_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ApiKeyScope(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    API_KEY_SCOPE_UNSPECIFIED: _ClassVar[ApiKeyScope]
    API_KEY_SCOPE_READ: _ClassVar[ApiKeyScope]
    API_KEY_SCOPE_WRITE: _ClassVar[ApiKeyScope]
    API_KEY_SCOPE_ADMIN: _ClassVar[ApiKeyScope]

class ApiKeyState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    API_KEY_STATE_UNSPECIFIED: _ClassVar[ApiKeyState]
    API_KEY_STATE_ACTIVE: _ClassVar[ApiKeyState]
    API_KEY_STATE_REVOKED: _ClassVar[ApiKeyState]
API_KEY_SCOPE_UNSPECIFIED: ApiKeyScope
API_KEY_SCOPE_READ: ApiKeyScope
API_KEY_SCOPE_WRITE: ApiKeyScope
API_KEY_SCOPE_ADMIN: ApiKeyScope
API_KEY_STATE_UNSPECIFIED: ApiKeyState
API_KEY_STATE_ACTIVE: ApiKeyState
API_KEY_STATE_REVOKED: ApiKeyState

class ApiKey(_message.Message):
    __slots__ = ("name", "display_name", "scopes", "key_prefix", "rate_limit", "expire_time", "state", "create_time", "update_time", "revoke_time", "last_use_time", "creator", "labels", "etag")
    class LabelsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    NAME_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    SCOPES_FIELD_NUMBER: _ClassVar[int]
    KEY_PREFIX_FIELD_NUMBER: _ClassVar[int]
    RATE_LIMIT_FIELD_NUMBER: _ClassVar[int]
    EXPIRE_TIME_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    REVOKE_TIME_FIELD_NUMBER: _ClassVar[int]
    LAST_USE_TIME_FIELD_NUMBER: _ClassVar[int]
    CREATOR_FIELD_NUMBER: _ClassVar[int]
    LABELS_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    name: str
    display_name: str
    scopes: _containers.RepeatedScalarFieldContainer[ApiKeyScope]
    key_prefix: str
    rate_limit: RateLimit
    expire_time: _timestamp_pb2.Timestamp
    state: ApiKeyState
    create_time: _timestamp_pb2.Timestamp
    update_time: _timestamp_pb2.Timestamp
    revoke_time: _timestamp_pb2.Timestamp
    last_use_time: _timestamp_pb2.Timestamp
    creator: str
    labels: _containers.ScalarMap[str, str]
    etag: str
    def __init__(self, name: _Optional[str] = ..., display_name: _Optional[str] = ..., scopes: _Optional[_Iterable[_Union[ApiKeyScope, str]]] = ..., key_prefix: _Optional[str] = ..., rate_limit: _Optional[_Union[RateLimit, _Mapping]] = ..., expire_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., state: _Optional[_Union[ApiKeyState, str]] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., revoke_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., last_use_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., creator: _Optional[str] = ..., labels: _Optional[_Mapping[str, str]] = ..., etag: _Optional[str] = ...) -> None: ...

class RateLimit(_message.Message):
    __slots__ = ("requests_per_second", "burst")
    REQUESTS_PER_SECOND_FIELD_NUMBER: _ClassVar[int]
    BURST_FIELD_NUMBER: _ClassVar[int]
    requests_per_second: float
    burst: int
    def __init__(self, requests_per_second: _Optional[float] = ..., burst: _Optional[int] = ...) -> None: ...
