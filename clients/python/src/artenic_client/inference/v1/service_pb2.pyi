import datetime

from artenic_client.type.v1 import tensor_pb2 as _tensor_pb2
from artenic_client.buf.validate import validate_pb2 as _validate_pb2
from google.protobuf import duration_pb2 as _duration_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ServiceState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SERVICE_STATE_UNSPECIFIED: _ClassVar[ServiceState]
    SERVICE_STATE_LOADING: _ClassVar[ServiceState]
    SERVICE_STATE_SERVING: _ClassVar[ServiceState]
    SERVICE_STATE_FAILED: _ClassVar[ServiceState]

class ServiceTargetChangeCause(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SERVICE_TARGET_CHANGE_CAUSE_UNSPECIFIED: _ClassVar[ServiceTargetChangeCause]
    SERVICE_TARGET_CHANGE_CAUSE_CREATED: _ClassVar[ServiceTargetChangeCause]
    SERVICE_TARGET_CHANGE_CAUSE_TARGET_SET: _ClassVar[ServiceTargetChangeCause]
    SERVICE_TARGET_CHANGE_CAUSE_ALIAS_MOVED: _ClassVar[ServiceTargetChangeCause]
    SERVICE_TARGET_CHANGE_CAUSE_STAGE_TRANSITIONED: _ClassVar[ServiceTargetChangeCause]
    SERVICE_TARGET_CHANGE_CAUSE_ENSEMBLE_CHANGED: _ClassVar[ServiceTargetChangeCause]
    SERVICE_TARGET_CHANGE_CAUSE_AB_TEST: _ClassVar[ServiceTargetChangeCause]
    SERVICE_TARGET_CHANGE_CAUSE_CANARY_ROLLOUT: _ClassVar[ServiceTargetChangeCause]
SERVICE_STATE_UNSPECIFIED: ServiceState
SERVICE_STATE_LOADING: ServiceState
SERVICE_STATE_SERVING: ServiceState
SERVICE_STATE_FAILED: ServiceState
SERVICE_TARGET_CHANGE_CAUSE_UNSPECIFIED: ServiceTargetChangeCause
SERVICE_TARGET_CHANGE_CAUSE_CREATED: ServiceTargetChangeCause
SERVICE_TARGET_CHANGE_CAUSE_TARGET_SET: ServiceTargetChangeCause
SERVICE_TARGET_CHANGE_CAUSE_ALIAS_MOVED: ServiceTargetChangeCause
SERVICE_TARGET_CHANGE_CAUSE_STAGE_TRANSITIONED: ServiceTargetChangeCause
SERVICE_TARGET_CHANGE_CAUSE_ENSEMBLE_CHANGED: ServiceTargetChangeCause
SERVICE_TARGET_CHANGE_CAUSE_AB_TEST: ServiceTargetChangeCause
SERVICE_TARGET_CHANGE_CAUSE_CANARY_ROLLOUT: ServiceTargetChangeCause

class Service(_message.Message):
    __slots__ = ("name", "display_name", "description", "labels", "target", "resolved_model_version", "resolved_ensemble_snapshot", "signature", "active_ab_test", "active_canary_rollout", "state", "state_message", "batching", "session", "create_time", "update_time", "target_update_time", "etag")
    class LabelsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    NAME_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    LABELS_FIELD_NUMBER: _ClassVar[int]
    TARGET_FIELD_NUMBER: _ClassVar[int]
    RESOLVED_MODEL_VERSION_FIELD_NUMBER: _ClassVar[int]
    RESOLVED_ENSEMBLE_SNAPSHOT_FIELD_NUMBER: _ClassVar[int]
    SIGNATURE_FIELD_NUMBER: _ClassVar[int]
    ACTIVE_AB_TEST_FIELD_NUMBER: _ClassVar[int]
    ACTIVE_CANARY_ROLLOUT_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    STATE_MESSAGE_FIELD_NUMBER: _ClassVar[int]
    BATCHING_FIELD_NUMBER: _ClassVar[int]
    SESSION_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    TARGET_UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    name: str
    display_name: str
    description: str
    labels: _containers.ScalarMap[str, str]
    target: ServiceTarget
    resolved_model_version: str
    resolved_ensemble_snapshot: str
    signature: _tensor_pb2.ModelSignature
    active_ab_test: str
    active_canary_rollout: str
    state: ServiceState
    state_message: str
    batching: BatchingConfig
    session: SessionConfig
    create_time: _timestamp_pb2.Timestamp
    update_time: _timestamp_pb2.Timestamp
    target_update_time: _timestamp_pb2.Timestamp
    etag: str
    def __init__(self, name: _Optional[str] = ..., display_name: _Optional[str] = ..., description: _Optional[str] = ..., labels: _Optional[_Mapping[str, str]] = ..., target: _Optional[_Union[ServiceTarget, _Mapping]] = ..., resolved_model_version: _Optional[str] = ..., resolved_ensemble_snapshot: _Optional[str] = ..., signature: _Optional[_Union[_tensor_pb2.ModelSignature, _Mapping]] = ..., active_ab_test: _Optional[str] = ..., active_canary_rollout: _Optional[str] = ..., state: _Optional[_Union[ServiceState, str]] = ..., state_message: _Optional[str] = ..., batching: _Optional[_Union[BatchingConfig, _Mapping]] = ..., session: _Optional[_Union[SessionConfig, _Mapping]] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., target_update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., etag: _Optional[str] = ...) -> None: ...

class ServiceTarget(_message.Message):
    __slots__ = ("model_version", "model_alias", "model_stage", "ensemble")
    MODEL_VERSION_FIELD_NUMBER: _ClassVar[int]
    MODEL_ALIAS_FIELD_NUMBER: _ClassVar[int]
    MODEL_STAGE_FIELD_NUMBER: _ClassVar[int]
    ENSEMBLE_FIELD_NUMBER: _ClassVar[int]
    model_version: str
    model_alias: ModelAliasTarget
    model_stage: ModelStageTarget
    ensemble: str
    def __init__(self, model_version: _Optional[str] = ..., model_alias: _Optional[_Union[ModelAliasTarget, _Mapping]] = ..., model_stage: _Optional[_Union[ModelStageTarget, _Mapping]] = ..., ensemble: _Optional[str] = ...) -> None: ...

class ModelAliasTarget(_message.Message):
    __slots__ = ("model", "alias")
    MODEL_FIELD_NUMBER: _ClassVar[int]
    ALIAS_FIELD_NUMBER: _ClassVar[int]
    model: str
    alias: str
    def __init__(self, model: _Optional[str] = ..., alias: _Optional[str] = ...) -> None: ...

class ModelStageTarget(_message.Message):
    __slots__ = ("model",)
    MODEL_FIELD_NUMBER: _ClassVar[int]
    model: str
    def __init__(self, model: _Optional[str] = ...) -> None: ...

class BatchingConfig(_message.Message):
    __slots__ = ("enabled", "max_batch_size", "max_wait")
    ENABLED_FIELD_NUMBER: _ClassVar[int]
    MAX_BATCH_SIZE_FIELD_NUMBER: _ClassVar[int]
    MAX_WAIT_FIELD_NUMBER: _ClassVar[int]
    enabled: bool
    max_batch_size: int
    max_wait: _duration_pb2.Duration
    def __init__(self, enabled: _Optional[bool] = ..., max_batch_size: _Optional[int] = ..., max_wait: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ...) -> None: ...

class SessionConfig(_message.Message):
    __slots__ = ("intra_op_threads", "inter_op_threads")
    INTRA_OP_THREADS_FIELD_NUMBER: _ClassVar[int]
    INTER_OP_THREADS_FIELD_NUMBER: _ClassVar[int]
    intra_op_threads: int
    inter_op_threads: int
    def __init__(self, intra_op_threads: _Optional[int] = ..., inter_op_threads: _Optional[int] = ...) -> None: ...

class ServiceTargetChange(_message.Message):
    __slots__ = ("target", "resolved_model_version", "previous_resolved_model_version", "resolved_ensemble_snapshot", "cause", "ab_test", "canary_rollout", "actor", "reason", "change_time")
    TARGET_FIELD_NUMBER: _ClassVar[int]
    RESOLVED_MODEL_VERSION_FIELD_NUMBER: _ClassVar[int]
    PREVIOUS_RESOLVED_MODEL_VERSION_FIELD_NUMBER: _ClassVar[int]
    RESOLVED_ENSEMBLE_SNAPSHOT_FIELD_NUMBER: _ClassVar[int]
    CAUSE_FIELD_NUMBER: _ClassVar[int]
    AB_TEST_FIELD_NUMBER: _ClassVar[int]
    CANARY_ROLLOUT_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    CHANGE_TIME_FIELD_NUMBER: _ClassVar[int]
    target: ServiceTarget
    resolved_model_version: str
    previous_resolved_model_version: str
    resolved_ensemble_snapshot: str
    cause: ServiceTargetChangeCause
    ab_test: str
    canary_rollout: str
    actor: str
    reason: str
    change_time: _timestamp_pb2.Timestamp
    def __init__(self, target: _Optional[_Union[ServiceTarget, _Mapping]] = ..., resolved_model_version: _Optional[str] = ..., previous_resolved_model_version: _Optional[str] = ..., resolved_ensemble_snapshot: _Optional[str] = ..., cause: _Optional[_Union[ServiceTargetChangeCause, str]] = ..., ab_test: _Optional[str] = ..., canary_rollout: _Optional[str] = ..., actor: _Optional[str] = ..., reason: _Optional[str] = ..., change_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...
