import datetime

from artenic_client.abtest.v1 import promotion_pb2 as _promotion_pb2
from artenic_client.buf.validate import validate_pb2 as _validate_pb2
from google.protobuf import duration_pb2 as _duration_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class CanaryRolloutState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CANARY_ROLLOUT_STATE_UNSPECIFIED: _ClassVar[CanaryRolloutState]
    CANARY_ROLLOUT_STATE_PENDING: _ClassVar[CanaryRolloutState]
    CANARY_ROLLOUT_STATE_PROGRESSING: _ClassVar[CanaryRolloutState]
    CANARY_ROLLOUT_STATE_PAUSED: _ClassVar[CanaryRolloutState]
    CANARY_ROLLOUT_STATE_AWAITING_PROMOTION: _ClassVar[CanaryRolloutState]
    CANARY_ROLLOUT_STATE_PROMOTED: _ClassVar[CanaryRolloutState]
    CANARY_ROLLOUT_STATE_ROLLED_BACK: _ClassVar[CanaryRolloutState]
    CANARY_ROLLOUT_STATE_ABORTED: _ClassVar[CanaryRolloutState]

class CanaryDecisionAction(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CANARY_DECISION_ACTION_UNSPECIFIED: _ClassVar[CanaryDecisionAction]
    CANARY_DECISION_ACTION_START: _ClassVar[CanaryDecisionAction]
    CANARY_DECISION_ACTION_ADVANCE: _ClassVar[CanaryDecisionAction]
    CANARY_DECISION_ACTION_PROMOTE: _ClassVar[CanaryDecisionAction]
    CANARY_DECISION_ACTION_ROLL_BACK: _ClassVar[CanaryDecisionAction]
    CANARY_DECISION_ACTION_PAUSE: _ClassVar[CanaryDecisionAction]
    CANARY_DECISION_ACTION_RESUME: _ClassVar[CanaryDecisionAction]
    CANARY_DECISION_ACTION_ABORT: _ClassVar[CanaryDecisionAction]
    CANARY_DECISION_ACTION_AWAIT_PROMOTION: _ClassVar[CanaryDecisionAction]
CANARY_ROLLOUT_STATE_UNSPECIFIED: CanaryRolloutState
CANARY_ROLLOUT_STATE_PENDING: CanaryRolloutState
CANARY_ROLLOUT_STATE_PROGRESSING: CanaryRolloutState
CANARY_ROLLOUT_STATE_PAUSED: CanaryRolloutState
CANARY_ROLLOUT_STATE_AWAITING_PROMOTION: CanaryRolloutState
CANARY_ROLLOUT_STATE_PROMOTED: CanaryRolloutState
CANARY_ROLLOUT_STATE_ROLLED_BACK: CanaryRolloutState
CANARY_ROLLOUT_STATE_ABORTED: CanaryRolloutState
CANARY_DECISION_ACTION_UNSPECIFIED: CanaryDecisionAction
CANARY_DECISION_ACTION_START: CanaryDecisionAction
CANARY_DECISION_ACTION_ADVANCE: CanaryDecisionAction
CANARY_DECISION_ACTION_PROMOTE: CanaryDecisionAction
CANARY_DECISION_ACTION_ROLL_BACK: CanaryDecisionAction
CANARY_DECISION_ACTION_PAUSE: CanaryDecisionAction
CANARY_DECISION_ACTION_RESUME: CanaryDecisionAction
CANARY_DECISION_ACTION_ABORT: CanaryDecisionAction
CANARY_DECISION_ACTION_AWAIT_PROMOTION: CanaryDecisionAction

class CanaryRollout(_message.Message):
    __slots__ = ("name", "display_name", "description", "labels", "service", "candidate_model_version", "candidate_ensemble", "control", "steps", "thresholds", "manual_promotion", "state", "current_step_index", "current_traffic_percent", "step_start_time", "last_observation", "decisions", "promotion", "create_time", "update_time", "start_time", "end_time", "etag")
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
    SERVICE_FIELD_NUMBER: _ClassVar[int]
    CANDIDATE_MODEL_VERSION_FIELD_NUMBER: _ClassVar[int]
    CANDIDATE_ENSEMBLE_FIELD_NUMBER: _ClassVar[int]
    CONTROL_FIELD_NUMBER: _ClassVar[int]
    STEPS_FIELD_NUMBER: _ClassVar[int]
    THRESHOLDS_FIELD_NUMBER: _ClassVar[int]
    MANUAL_PROMOTION_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    CURRENT_STEP_INDEX_FIELD_NUMBER: _ClassVar[int]
    CURRENT_TRAFFIC_PERCENT_FIELD_NUMBER: _ClassVar[int]
    STEP_START_TIME_FIELD_NUMBER: _ClassVar[int]
    LAST_OBSERVATION_FIELD_NUMBER: _ClassVar[int]
    DECISIONS_FIELD_NUMBER: _ClassVar[int]
    PROMOTION_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    END_TIME_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    name: str
    display_name: str
    description: str
    labels: _containers.ScalarMap[str, str]
    service: str
    candidate_model_version: str
    candidate_ensemble: str
    control: str
    steps: _containers.RepeatedCompositeFieldContainer[CanaryStep]
    thresholds: CanaryThresholds
    manual_promotion: bool
    state: CanaryRolloutState
    current_step_index: int
    current_traffic_percent: int
    step_start_time: _timestamp_pb2.Timestamp
    last_observation: CanaryObservation
    decisions: _containers.RepeatedCompositeFieldContainer[CanaryDecision]
    promotion: _promotion_pb2.Promotion
    create_time: _timestamp_pb2.Timestamp
    update_time: _timestamp_pb2.Timestamp
    start_time: _timestamp_pb2.Timestamp
    end_time: _timestamp_pb2.Timestamp
    etag: str
    def __init__(self, name: _Optional[str] = ..., display_name: _Optional[str] = ..., description: _Optional[str] = ..., labels: _Optional[_Mapping[str, str]] = ..., service: _Optional[str] = ..., candidate_model_version: _Optional[str] = ..., candidate_ensemble: _Optional[str] = ..., control: _Optional[str] = ..., steps: _Optional[_Iterable[_Union[CanaryStep, _Mapping]]] = ..., thresholds: _Optional[_Union[CanaryThresholds, _Mapping]] = ..., manual_promotion: _Optional[bool] = ..., state: _Optional[_Union[CanaryRolloutState, str]] = ..., current_step_index: _Optional[int] = ..., current_traffic_percent: _Optional[int] = ..., step_start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., last_observation: _Optional[_Union[CanaryObservation, _Mapping]] = ..., decisions: _Optional[_Iterable[_Union[CanaryDecision, _Mapping]]] = ..., promotion: _Optional[_Union[_promotion_pb2.Promotion, _Mapping]] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., etag: _Optional[str] = ...) -> None: ...

class CanaryStep(_message.Message):
    __slots__ = ("traffic_percent", "evaluation_window", "min_requests")
    TRAFFIC_PERCENT_FIELD_NUMBER: _ClassVar[int]
    EVALUATION_WINDOW_FIELD_NUMBER: _ClassVar[int]
    MIN_REQUESTS_FIELD_NUMBER: _ClassVar[int]
    traffic_percent: int
    evaluation_window: _duration_pb2.Duration
    min_requests: int
    def __init__(self, traffic_percent: _Optional[int] = ..., evaluation_window: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., min_requests: _Optional[int] = ...) -> None: ...

class CanaryThresholds(_message.Message):
    __slots__ = ("max_error_rate_delta", "max_p99_latency_ratio", "max_drift_score")
    MAX_ERROR_RATE_DELTA_FIELD_NUMBER: _ClassVar[int]
    MAX_P99_LATENCY_RATIO_FIELD_NUMBER: _ClassVar[int]
    MAX_DRIFT_SCORE_FIELD_NUMBER: _ClassVar[int]
    max_error_rate_delta: float
    max_p99_latency_ratio: float
    max_drift_score: float
    def __init__(self, max_error_rate_delta: _Optional[float] = ..., max_p99_latency_ratio: _Optional[float] = ..., max_drift_score: _Optional[float] = ...) -> None: ...

class CanaryWindowMetrics(_message.Message):
    __slots__ = ("request_count", "error_rate", "latency_p50_ms", "latency_p99_ms", "drift_score")
    REQUEST_COUNT_FIELD_NUMBER: _ClassVar[int]
    ERROR_RATE_FIELD_NUMBER: _ClassVar[int]
    LATENCY_P50_MS_FIELD_NUMBER: _ClassVar[int]
    LATENCY_P99_MS_FIELD_NUMBER: _ClassVar[int]
    DRIFT_SCORE_FIELD_NUMBER: _ClassVar[int]
    request_count: int
    error_rate: float
    latency_p50_ms: float
    latency_p99_ms: float
    drift_score: float
    def __init__(self, request_count: _Optional[int] = ..., error_rate: _Optional[float] = ..., latency_p50_ms: _Optional[float] = ..., latency_p99_ms: _Optional[float] = ..., drift_score: _Optional[float] = ...) -> None: ...

class CanaryObservation(_message.Message):
    __slots__ = ("step_index", "candidate", "control", "breached_thresholds", "observe_time")
    STEP_INDEX_FIELD_NUMBER: _ClassVar[int]
    CANDIDATE_FIELD_NUMBER: _ClassVar[int]
    CONTROL_FIELD_NUMBER: _ClassVar[int]
    BREACHED_THRESHOLDS_FIELD_NUMBER: _ClassVar[int]
    OBSERVE_TIME_FIELD_NUMBER: _ClassVar[int]
    step_index: int
    candidate: CanaryWindowMetrics
    control: CanaryWindowMetrics
    breached_thresholds: _containers.RepeatedScalarFieldContainer[str]
    observe_time: _timestamp_pb2.Timestamp
    def __init__(self, step_index: _Optional[int] = ..., candidate: _Optional[_Union[CanaryWindowMetrics, _Mapping]] = ..., control: _Optional[_Union[CanaryWindowMetrics, _Mapping]] = ..., breached_thresholds: _Optional[_Iterable[str]] = ..., observe_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class CanaryDecision(_message.Message):
    __slots__ = ("step_index", "action", "reason", "observation", "traffic_percent", "actor", "decide_time")
    STEP_INDEX_FIELD_NUMBER: _ClassVar[int]
    ACTION_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    OBSERVATION_FIELD_NUMBER: _ClassVar[int]
    TRAFFIC_PERCENT_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    DECIDE_TIME_FIELD_NUMBER: _ClassVar[int]
    step_index: int
    action: CanaryDecisionAction
    reason: str
    observation: CanaryObservation
    traffic_percent: int
    actor: str
    decide_time: _timestamp_pb2.Timestamp
    def __init__(self, step_index: _Optional[int] = ..., action: _Optional[_Union[CanaryDecisionAction, str]] = ..., reason: _Optional[str] = ..., observation: _Optional[_Union[CanaryObservation, _Mapping]] = ..., traffic_percent: _Optional[int] = ..., actor: _Optional[str] = ..., decide_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...
