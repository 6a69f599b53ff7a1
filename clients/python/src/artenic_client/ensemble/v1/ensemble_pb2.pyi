import datetime

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

class EnsembleTask(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ENSEMBLE_TASK_UNSPECIFIED: _ClassVar[EnsembleTask]
    ENSEMBLE_TASK_CLASSIFICATION: _ClassVar[EnsembleTask]
    ENSEMBLE_TASK_REGRESSION: _ClassVar[EnsembleTask]

class EnsembleStrategy(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ENSEMBLE_STRATEGY_UNSPECIFIED: _ClassVar[EnsembleStrategy]
    ENSEMBLE_STRATEGY_WEIGHTED_AVERAGE: _ClassVar[EnsembleStrategy]
    ENSEMBLE_STRATEGY_DYNAMIC_WEIGHTING: _ClassVar[EnsembleStrategy]
    ENSEMBLE_STRATEGY_MAJORITY_VOTE: _ClassVar[EnsembleStrategy]
    ENSEMBLE_STRATEGY_STACKING: _ClassVar[EnsembleStrategy]
    ENSEMBLE_STRATEGY_META_LEARNER: _ClassVar[EnsembleStrategy]
    ENSEMBLE_STRATEGY_PLUGIN: _ClassVar[EnsembleStrategy]

class FallbackMode(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    FALLBACK_MODE_UNSPECIFIED: _ClassVar[FallbackMode]
    FALLBACK_MODE_NONE: _ClassVar[FallbackMode]
    FALLBACK_MODE_AVAILABLE_MEMBERS: _ClassVar[FallbackMode]
    FALLBACK_MODE_BEST_MEMBER: _ClassVar[FallbackMode]
    FALLBACK_MODE_MODEL_VERSION: _ClassVar[FallbackMode]

class EnsembleChangeKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ENSEMBLE_CHANGE_KIND_UNSPECIFIED: _ClassVar[EnsembleChangeKind]
    ENSEMBLE_CHANGE_KIND_CREATE: _ClassVar[EnsembleChangeKind]
    ENSEMBLE_CHANGE_KIND_UPDATE: _ClassVar[EnsembleChangeKind]
    ENSEMBLE_CHANGE_KIND_ADD_MEMBER: _ClassVar[EnsembleChangeKind]
    ENSEMBLE_CHANGE_KIND_REMOVE_MEMBER: _ClassVar[EnsembleChangeKind]
    ENSEMBLE_CHANGE_KIND_RESTORE: _ClassVar[EnsembleChangeKind]
    ENSEMBLE_CHANGE_KIND_PRUNE: _ClassVar[EnsembleChangeKind]
    ENSEMBLE_CHANGE_KIND_AUTO_PRUNE: _ClassVar[EnsembleChangeKind]
    ENSEMBLE_CHANGE_KIND_AUTO_EVOLVE: _ClassVar[EnsembleChangeKind]
    ENSEMBLE_CHANGE_KIND_TRAINING: _ClassVar[EnsembleChangeKind]
ENSEMBLE_TASK_UNSPECIFIED: EnsembleTask
ENSEMBLE_TASK_CLASSIFICATION: EnsembleTask
ENSEMBLE_TASK_REGRESSION: EnsembleTask
ENSEMBLE_STRATEGY_UNSPECIFIED: EnsembleStrategy
ENSEMBLE_STRATEGY_WEIGHTED_AVERAGE: EnsembleStrategy
ENSEMBLE_STRATEGY_DYNAMIC_WEIGHTING: EnsembleStrategy
ENSEMBLE_STRATEGY_MAJORITY_VOTE: EnsembleStrategy
ENSEMBLE_STRATEGY_STACKING: EnsembleStrategy
ENSEMBLE_STRATEGY_META_LEARNER: EnsembleStrategy
ENSEMBLE_STRATEGY_PLUGIN: EnsembleStrategy
FALLBACK_MODE_UNSPECIFIED: FallbackMode
FALLBACK_MODE_NONE: FallbackMode
FALLBACK_MODE_AVAILABLE_MEMBERS: FallbackMode
FALLBACK_MODE_BEST_MEMBER: FallbackMode
FALLBACK_MODE_MODEL_VERSION: FallbackMode
ENSEMBLE_CHANGE_KIND_UNSPECIFIED: EnsembleChangeKind
ENSEMBLE_CHANGE_KIND_CREATE: EnsembleChangeKind
ENSEMBLE_CHANGE_KIND_UPDATE: EnsembleChangeKind
ENSEMBLE_CHANGE_KIND_ADD_MEMBER: EnsembleChangeKind
ENSEMBLE_CHANGE_KIND_REMOVE_MEMBER: EnsembleChangeKind
ENSEMBLE_CHANGE_KIND_RESTORE: EnsembleChangeKind
ENSEMBLE_CHANGE_KIND_PRUNE: EnsembleChangeKind
ENSEMBLE_CHANGE_KIND_AUTO_PRUNE: EnsembleChangeKind
ENSEMBLE_CHANGE_KIND_AUTO_EVOLVE: EnsembleChangeKind
ENSEMBLE_CHANGE_KIND_TRAINING: EnsembleChangeKind

class Ensemble(_message.Message):
    __slots__ = ("name", "display_name", "description", "labels", "task", "members", "strategy", "strategy_config", "member_timeout", "quorum", "fallback", "auto_prune", "auto_evolve", "learned_state", "version", "current_snapshot", "create_time", "update_time", "etag")
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
    TASK_FIELD_NUMBER: _ClassVar[int]
    MEMBERS_FIELD_NUMBER: _ClassVar[int]
    STRATEGY_FIELD_NUMBER: _ClassVar[int]
    STRATEGY_CONFIG_FIELD_NUMBER: _ClassVar[int]
    MEMBER_TIMEOUT_FIELD_NUMBER: _ClassVar[int]
    QUORUM_FIELD_NUMBER: _ClassVar[int]
    FALLBACK_FIELD_NUMBER: _ClassVar[int]
    AUTO_PRUNE_FIELD_NUMBER: _ClassVar[int]
    AUTO_EVOLVE_FIELD_NUMBER: _ClassVar[int]
    LEARNED_STATE_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    CURRENT_SNAPSHOT_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    name: str
    display_name: str
    description: str
    labels: _containers.ScalarMap[str, str]
    task: EnsembleTask
    members: _containers.RepeatedCompositeFieldContainer[Member]
    strategy: EnsembleStrategy
    strategy_config: StrategyConfig
    member_timeout: _duration_pb2.Duration
    quorum: int
    fallback: FallbackPolicy
    auto_prune: AutoPrunePolicy
    auto_evolve: AutoEvolvePolicy
    learned_state: LearnedState
    version: int
    current_snapshot: str
    create_time: _timestamp_pb2.Timestamp
    update_time: _timestamp_pb2.Timestamp
    etag: str
    def __init__(self, name: _Optional[str] = ..., display_name: _Optional[str] = ..., description: _Optional[str] = ..., labels: _Optional[_Mapping[str, str]] = ..., task: _Optional[_Union[EnsembleTask, str]] = ..., members: _Optional[_Iterable[_Union[Member, _Mapping]]] = ..., strategy: _Optional[_Union[EnsembleStrategy, str]] = ..., strategy_config: _Optional[_Union[StrategyConfig, _Mapping]] = ..., member_timeout: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., quorum: _Optional[int] = ..., fallback: _Optional[_Union[FallbackPolicy, _Mapping]] = ..., auto_prune: _Optional[_Union[AutoPrunePolicy, _Mapping]] = ..., auto_evolve: _Optional[_Union[AutoEvolvePolicy, _Mapping]] = ..., learned_state: _Optional[_Union[LearnedState, _Mapping]] = ..., version: _Optional[int] = ..., current_snapshot: _Optional[str] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., etag: _Optional[str] = ...) -> None: ...

class Member(_message.Message):
    __slots__ = ("model_version", "weight", "effective_weight", "observation_count", "running_accuracy", "running_absolute_error", "failure_count", "last_error", "last_error_time")
    MODEL_VERSION_FIELD_NUMBER: _ClassVar[int]
    WEIGHT_FIELD_NUMBER: _ClassVar[int]
    EFFECTIVE_WEIGHT_FIELD_NUMBER: _ClassVar[int]
    OBSERVATION_COUNT_FIELD_NUMBER: _ClassVar[int]
    RUNNING_ACCURACY_FIELD_NUMBER: _ClassVar[int]
    RUNNING_ABSOLUTE_ERROR_FIELD_NUMBER: _ClassVar[int]
    FAILURE_COUNT_FIELD_NUMBER: _ClassVar[int]
    LAST_ERROR_FIELD_NUMBER: _ClassVar[int]
    LAST_ERROR_TIME_FIELD_NUMBER: _ClassVar[int]
    model_version: str
    weight: float
    effective_weight: float
    observation_count: int
    running_accuracy: float
    running_absolute_error: float
    failure_count: int
    last_error: str
    last_error_time: _timestamp_pb2.Timestamp
    def __init__(self, model_version: _Optional[str] = ..., weight: _Optional[float] = ..., effective_weight: _Optional[float] = ..., observation_count: _Optional[int] = ..., running_accuracy: _Optional[float] = ..., running_absolute_error: _Optional[float] = ..., failure_count: _Optional[int] = ..., last_error: _Optional[str] = ..., last_error_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class StrategyConfig(_message.Message):
    __slots__ = ("dynamic_weighting", "majority_vote", "stacking", "meta_learner", "plugin")
    DYNAMIC_WEIGHTING_FIELD_NUMBER: _ClassVar[int]
    MAJORITY_VOTE_FIELD_NUMBER: _ClassVar[int]
    STACKING_FIELD_NUMBER: _ClassVar[int]
    META_LEARNER_FIELD_NUMBER: _ClassVar[int]
    PLUGIN_FIELD_NUMBER: _ClassVar[int]
    dynamic_weighting: DynamicWeightingConfig
    majority_vote: MajorityVoteConfig
    stacking: StackingConfig
    meta_learner: MetaLearnerConfig
    plugin: PluginStrategyConfig
    def __init__(self, dynamic_weighting: _Optional[_Union[DynamicWeightingConfig, _Mapping]] = ..., majority_vote: _Optional[_Union[MajorityVoteConfig, _Mapping]] = ..., stacking: _Optional[_Union[StackingConfig, _Mapping]] = ..., meta_learner: _Optional[_Union[MetaLearnerConfig, _Mapping]] = ..., plugin: _Optional[_Union[PluginStrategyConfig, _Mapping]] = ...) -> None: ...

class DynamicWeightingConfig(_message.Message):
    __slots__ = ("decay", "weight_floor", "lookback")
    DECAY_FIELD_NUMBER: _ClassVar[int]
    WEIGHT_FLOOR_FIELD_NUMBER: _ClassVar[int]
    LOOKBACK_FIELD_NUMBER: _ClassVar[int]
    decay: float
    weight_floor: float
    lookback: int
    def __init__(self, decay: _Optional[float] = ..., weight_floor: _Optional[float] = ..., lookback: _Optional[int] = ...) -> None: ...

class MajorityVoteConfig(_message.Message):
    __slots__ = ("weighted",)
    WEIGHTED_FIELD_NUMBER: _ClassVar[int]
    weighted: bool
    def __init__(self, weighted: _Optional[bool] = ...) -> None: ...

class StackingConfig(_message.Message):
    __slots__ = ("min_observations", "refit_interval", "l2_regularization", "non_negative", "max_fit_observations")
    MIN_OBSERVATIONS_FIELD_NUMBER: _ClassVar[int]
    REFIT_INTERVAL_FIELD_NUMBER: _ClassVar[int]
    L2_REGULARIZATION_FIELD_NUMBER: _ClassVar[int]
    NON_NEGATIVE_FIELD_NUMBER: _ClassVar[int]
    MAX_FIT_OBSERVATIONS_FIELD_NUMBER: _ClassVar[int]
    min_observations: int
    refit_interval: int
    l2_regularization: float
    non_negative: bool
    max_fit_observations: int
    def __init__(self, min_observations: _Optional[int] = ..., refit_interval: _Optional[int] = ..., l2_regularization: _Optional[float] = ..., non_negative: _Optional[bool] = ..., max_fit_observations: _Optional[int] = ...) -> None: ...

class MetaLearnerConfig(_message.Message):
    __slots__ = ("meta_model_version",)
    META_MODEL_VERSION_FIELD_NUMBER: _ClassVar[int]
    meta_model_version: str
    def __init__(self, meta_model_version: _Optional[str] = ...) -> None: ...

class PluginStrategyConfig(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class FallbackPolicy(_message.Message):
    __slots__ = ("mode", "model_version")
    MODE_FIELD_NUMBER: _ClassVar[int]
    MODEL_VERSION_FIELD_NUMBER: _ClassVar[int]
    mode: FallbackMode
    model_version: str
    def __init__(self, mode: _Optional[_Union[FallbackMode, str]] = ..., model_version: _Optional[str] = ...) -> None: ...

class AutoPrunePolicy(_message.Message):
    __slots__ = ("enabled", "weight_threshold", "min_members", "min_observations")
    ENABLED_FIELD_NUMBER: _ClassVar[int]
    WEIGHT_THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    MIN_MEMBERS_FIELD_NUMBER: _ClassVar[int]
    MIN_OBSERVATIONS_FIELD_NUMBER: _ClassVar[int]
    enabled: bool
    weight_threshold: float
    min_members: int
    min_observations: int
    def __init__(self, enabled: _Optional[bool] = ..., weight_threshold: _Optional[float] = ..., min_members: _Optional[int] = ..., min_observations: _Optional[int] = ...) -> None: ...

class AutoEvolvePolicy(_message.Message):
    __slots__ = ("enabled", "rules")
    ENABLED_FIELD_NUMBER: _ClassVar[int]
    RULES_FIELD_NUMBER: _ClassVar[int]
    enabled: bool
    rules: _containers.RepeatedCompositeFieldContainer[EvolutionRule]
    def __init__(self, enabled: _Optional[bool] = ..., rules: _Optional[_Iterable[_Union[EvolutionRule, _Mapping]]] = ...) -> None: ...

class EvolutionRule(_message.Message):
    __slots__ = ("from_strategy", "to_strategy", "min_members", "min_observations")
    FROM_STRATEGY_FIELD_NUMBER: _ClassVar[int]
    TO_STRATEGY_FIELD_NUMBER: _ClassVar[int]
    MIN_MEMBERS_FIELD_NUMBER: _ClassVar[int]
    MIN_OBSERVATIONS_FIELD_NUMBER: _ClassVar[int]
    from_strategy: EnsembleStrategy
    to_strategy: EnsembleStrategy
    min_members: int
    min_observations: int
    def __init__(self, from_strategy: _Optional[_Union[EnsembleStrategy, str]] = ..., to_strategy: _Optional[_Union[EnsembleStrategy, str]] = ..., min_members: _Optional[int] = ..., min_observations: _Optional[int] = ...) -> None: ...

class LearnedState(_message.Message):
    __slots__ = ("observation_count", "observations_since_strategy_change", "intercept", "fit_time", "update_time")
    OBSERVATION_COUNT_FIELD_NUMBER: _ClassVar[int]
    OBSERVATIONS_SINCE_STRATEGY_CHANGE_FIELD_NUMBER: _ClassVar[int]
    INTERCEPT_FIELD_NUMBER: _ClassVar[int]
    FIT_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    observation_count: int
    observations_since_strategy_change: int
    intercept: float
    fit_time: _timestamp_pb2.Timestamp
    update_time: _timestamp_pb2.Timestamp
    def __init__(self, observation_count: _Optional[int] = ..., observations_since_strategy_change: _Optional[int] = ..., intercept: _Optional[float] = ..., fit_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class EnsembleSnapshot(_message.Message):
    __slots__ = ("name", "version", "ensemble", "change_kind", "reason", "actor", "create_time")
    NAME_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    ENSEMBLE_FIELD_NUMBER: _ClassVar[int]
    CHANGE_KIND_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    name: str
    version: int
    ensemble: Ensemble
    change_kind: EnsembleChangeKind
    reason: str
    actor: str
    create_time: _timestamp_pb2.Timestamp
    def __init__(self, name: _Optional[str] = ..., version: _Optional[int] = ..., ensemble: _Optional[_Union[Ensemble, _Mapping]] = ..., change_kind: _Optional[_Union[EnsembleChangeKind, str]] = ..., reason: _Optional[str] = ..., actor: _Optional[str] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...
