import datetime

from google.protobuf import struct_pb2 as _struct_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class EventTopic(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    EVENT_TOPIC_UNSPECIFIED: _ClassVar[EventTopic]
    EVENT_TOPIC_REGISTRY: _ClassVar[EventTopic]
    EVENT_TOPIC_INFERENCE: _ClassVar[EventTopic]
    EVENT_TOPIC_ABTEST: _ClassVar[EventTopic]
    EVENT_TOPIC_ENSEMBLE: _ClassVar[EventTopic]
    EVENT_TOPIC_HEALTH: _ClassVar[EventTopic]
    EVENT_TOPIC_TRAINING: _ClassVar[EventTopic]
    EVENT_TOPIC_BUDGET: _ClassVar[EventTopic]
    EVENT_TOPIC_KEYS: _ClassVar[EventTopic]
    EVENT_TOPIC_SETTINGS: _ClassVar[EventTopic]
EVENT_TOPIC_UNSPECIFIED: EventTopic
EVENT_TOPIC_REGISTRY: EventTopic
EVENT_TOPIC_INFERENCE: EventTopic
EVENT_TOPIC_ABTEST: EventTopic
EVENT_TOPIC_ENSEMBLE: EventTopic
EVENT_TOPIC_HEALTH: EventTopic
EVENT_TOPIC_TRAINING: EventTopic
EVENT_TOPIC_BUDGET: EventTopic
EVENT_TOPIC_KEYS: EventTopic
EVENT_TOPIC_SETTINGS: EventTopic

class Event(_message.Message):
    __slots__ = ("cursor", "topic", "type", "resource", "actor", "create_time", "data", "request_id")
    CURSOR_FIELD_NUMBER: _ClassVar[int]
    TOPIC_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    RESOURCE_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    DATA_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    cursor: str
    topic: EventTopic
    type: str
    resource: str
    actor: str
    create_time: _timestamp_pb2.Timestamp
    data: _struct_pb2.Struct
    request_id: str
    def __init__(self, cursor: _Optional[str] = ..., topic: _Optional[_Union[EventTopic, str]] = ..., type: _Optional[str] = ..., resource: _Optional[str] = ..., actor: _Optional[str] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., data: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., request_id: _Optional[str] = ...) -> None: ...
