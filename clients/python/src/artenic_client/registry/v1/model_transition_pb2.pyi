import datetime

from artenic_client.registry.v1 import model_version_pb2 as _model_version_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ModelTransitionKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    MODEL_TRANSITION_KIND_UNSPECIFIED: _ClassVar[ModelTransitionKind]
    MODEL_TRANSITION_KIND_STAGE_CHANGE: _ClassVar[ModelTransitionKind]
    MODEL_TRANSITION_KIND_ALIAS_SET: _ClassVar[ModelTransitionKind]
    MODEL_TRANSITION_KIND_ALIAS_REMOVED: _ClassVar[ModelTransitionKind]
MODEL_TRANSITION_KIND_UNSPECIFIED: ModelTransitionKind
MODEL_TRANSITION_KIND_STAGE_CHANGE: ModelTransitionKind
MODEL_TRANSITION_KIND_ALIAS_SET: ModelTransitionKind
MODEL_TRANSITION_KIND_ALIAS_REMOVED: ModelTransitionKind

class ModelTransition(_message.Message):
    __slots__ = ("name", "kind", "model_version", "from_stage", "to_stage", "alias", "previous_model_version", "actor", "reason", "create_time")
    NAME_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    MODEL_VERSION_FIELD_NUMBER: _ClassVar[int]
    FROM_STAGE_FIELD_NUMBER: _ClassVar[int]
    TO_STAGE_FIELD_NUMBER: _ClassVar[int]
    ALIAS_FIELD_NUMBER: _ClassVar[int]
    PREVIOUS_MODEL_VERSION_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    name: str
    kind: ModelTransitionKind
    model_version: str
    from_stage: _model_version_pb2.ModelVersionStage
    to_stage: _model_version_pb2.ModelVersionStage
    alias: str
    previous_model_version: str
    actor: str
    reason: str
    create_time: _timestamp_pb2.Timestamp
    def __init__(self, name: _Optional[str] = ..., kind: _Optional[_Union[ModelTransitionKind, str]] = ..., model_version: _Optional[str] = ..., from_stage: _Optional[_Union[_model_version_pb2.ModelVersionStage, str]] = ..., to_stage: _Optional[_Union[_model_version_pb2.ModelVersionStage, str]] = ..., alias: _Optional[str] = ..., previous_model_version: _Optional[str] = ..., actor: _Optional[str] = ..., reason: _Optional[str] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...
