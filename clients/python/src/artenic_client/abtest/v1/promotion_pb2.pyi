import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class PromotionAction(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PROMOTION_ACTION_UNSPECIFIED: _ClassVar[PromotionAction]
    PROMOTION_ACTION_ALIAS_MOVED: _ClassVar[PromotionAction]
    PROMOTION_ACTION_STAGE_TRANSITIONED: _ClassVar[PromotionAction]
    PROMOTION_ACTION_SERVICE_REPOINTED: _ClassVar[PromotionAction]
PROMOTION_ACTION_UNSPECIFIED: PromotionAction
PROMOTION_ACTION_ALIAS_MOVED: PromotionAction
PROMOTION_ACTION_STAGE_TRANSITIONED: PromotionAction
PROMOTION_ACTION_SERVICE_REPOINTED: PromotionAction

class Promotion(_message.Message):
    __slots__ = ("target", "previous_target", "action", "alias", "promote_time")
    TARGET_FIELD_NUMBER: _ClassVar[int]
    PREVIOUS_TARGET_FIELD_NUMBER: _ClassVar[int]
    ACTION_FIELD_NUMBER: _ClassVar[int]
    ALIAS_FIELD_NUMBER: _ClassVar[int]
    PROMOTE_TIME_FIELD_NUMBER: _ClassVar[int]
    target: str
    previous_target: str
    action: PromotionAction
    alias: str
    promote_time: _timestamp_pb2.Timestamp
    def __init__(self, target: _Optional[str] = ..., previous_target: _Optional[str] = ..., action: _Optional[_Union[PromotionAction, str]] = ..., alias: _Optional[str] = ..., promote_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...
