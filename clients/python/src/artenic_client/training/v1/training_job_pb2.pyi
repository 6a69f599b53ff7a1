import datetime

from artenic_client.training.v1 import machine_spec_pb2 as _machine_spec_pb2
from artenic_client.buf.validate import validate_pb2 as _validate_pb2
from google.protobuf import duration_pb2 as _duration_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.type import money_pb2 as _money_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class TrainingJobState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    TRAINING_JOB_STATE_UNSPECIFIED: _ClassVar[TrainingJobState]
    TRAINING_JOB_STATE_QUEUED: _ClassVar[TrainingJobState]
    TRAINING_JOB_STATE_PROVISIONING: _ClassVar[TrainingJobState]
    TRAINING_JOB_STATE_RUNNING: _ClassVar[TrainingJobState]
    TRAINING_JOB_STATE_SUCCEEDED: _ClassVar[TrainingJobState]
    TRAINING_JOB_STATE_FAILED: _ClassVar[TrainingJobState]
    TRAINING_JOB_STATE_CANCELLED: _ClassVar[TrainingJobState]
    TRAINING_JOB_STATE_PREEMPTED: _ClassVar[TrainingJobState]

class PlacementStrategy(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PLACEMENT_STRATEGY_UNSPECIFIED: _ClassVar[PlacementStrategy]
    PLACEMENT_STRATEGY_CHEAPEST: _ClassVar[PlacementStrategy]
    PLACEMENT_STRATEGY_FASTEST: _ClassVar[PlacementStrategy]

class FailoverMode(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    FAILOVER_MODE_UNSPECIFIED: _ClassVar[FailoverMode]
    FAILOVER_MODE_SAME_PLACEMENT: _ClassVar[FailoverMode]
    FAILOVER_MODE_NEXT_REGION: _ClassVar[FailoverMode]
    FAILOVER_MODE_NEXT_PROVIDER: _ClassVar[FailoverMode]
    FAILOVER_MODE_ANYWHERE: _ClassVar[FailoverMode]
TRAINING_JOB_STATE_UNSPECIFIED: TrainingJobState
TRAINING_JOB_STATE_QUEUED: TrainingJobState
TRAINING_JOB_STATE_PROVISIONING: TrainingJobState
TRAINING_JOB_STATE_RUNNING: TrainingJobState
TRAINING_JOB_STATE_SUCCEEDED: TrainingJobState
TRAINING_JOB_STATE_FAILED: TrainingJobState
TRAINING_JOB_STATE_CANCELLED: TrainingJobState
TRAINING_JOB_STATE_PREEMPTED: TrainingJobState
PLACEMENT_STRATEGY_UNSPECIFIED: PlacementStrategy
PLACEMENT_STRATEGY_CHEAPEST: PlacementStrategy
PLACEMENT_STRATEGY_FASTEST: PlacementStrategy
FAILOVER_MODE_UNSPECIFIED: FailoverMode
FAILOVER_MODE_SAME_PLACEMENT: FailoverMode
FAILOVER_MODE_NEXT_REGION: FailoverMode
FAILOVER_MODE_NEXT_PROVIDER: FailoverMode
FAILOVER_MODE_ANYWHERE: FailoverMode

class TrainingJob(_message.Message):
    __slots__ = ("name", "display_name", "description", "labels", "service", "spec", "creator", "state", "state_message", "exit_code", "attempt", "retry_of", "retried_by", "original_job", "provider_job", "estimated_cost", "actual_cost", "metrics", "metrics_step", "last_checkpoint", "artifacts_uri", "output_model_version", "create_time", "start_time", "end_time", "update_time", "etag")
    class LabelsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    class MetricsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: float
        def __init__(self, key: _Optional[str] = ..., value: _Optional[float] = ...) -> None: ...
    NAME_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    LABELS_FIELD_NUMBER: _ClassVar[int]
    SERVICE_FIELD_NUMBER: _ClassVar[int]
    SPEC_FIELD_NUMBER: _ClassVar[int]
    CREATOR_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    STATE_MESSAGE_FIELD_NUMBER: _ClassVar[int]
    EXIT_CODE_FIELD_NUMBER: _ClassVar[int]
    ATTEMPT_FIELD_NUMBER: _ClassVar[int]
    RETRY_OF_FIELD_NUMBER: _ClassVar[int]
    RETRIED_BY_FIELD_NUMBER: _ClassVar[int]
    ORIGINAL_JOB_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_JOB_FIELD_NUMBER: _ClassVar[int]
    ESTIMATED_COST_FIELD_NUMBER: _ClassVar[int]
    ACTUAL_COST_FIELD_NUMBER: _ClassVar[int]
    METRICS_FIELD_NUMBER: _ClassVar[int]
    METRICS_STEP_FIELD_NUMBER: _ClassVar[int]
    LAST_CHECKPOINT_FIELD_NUMBER: _ClassVar[int]
    ARTIFACTS_URI_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_MODEL_VERSION_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    END_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    name: str
    display_name: str
    description: str
    labels: _containers.ScalarMap[str, str]
    service: str
    spec: TrainingJobSpec
    creator: str
    state: TrainingJobState
    state_message: str
    exit_code: int
    attempt: int
    retry_of: str
    retried_by: str
    original_job: str
    provider_job: ProviderJob
    estimated_cost: _money_pb2.Money
    actual_cost: _money_pb2.Money
    metrics: _containers.ScalarMap[str, float]
    metrics_step: int
    last_checkpoint: Checkpoint
    artifacts_uri: str
    output_model_version: str
    create_time: _timestamp_pb2.Timestamp
    start_time: _timestamp_pb2.Timestamp
    end_time: _timestamp_pb2.Timestamp
    update_time: _timestamp_pb2.Timestamp
    etag: str
    def __init__(self, name: _Optional[str] = ..., display_name: _Optional[str] = ..., description: _Optional[str] = ..., labels: _Optional[_Mapping[str, str]] = ..., service: _Optional[str] = ..., spec: _Optional[_Union[TrainingJobSpec, _Mapping]] = ..., creator: _Optional[str] = ..., state: _Optional[_Union[TrainingJobState, str]] = ..., state_message: _Optional[str] = ..., exit_code: _Optional[int] = ..., attempt: _Optional[int] = ..., retry_of: _Optional[str] = ..., retried_by: _Optional[str] = ..., original_job: _Optional[str] = ..., provider_job: _Optional[_Union[ProviderJob, _Mapping]] = ..., estimated_cost: _Optional[_Union[_money_pb2.Money, _Mapping]] = ..., actual_cost: _Optional[_Union[_money_pb2.Money, _Mapping]] = ..., metrics: _Optional[_Mapping[str, float]] = ..., metrics_step: _Optional[int] = ..., last_checkpoint: _Optional[_Union[Checkpoint, _Mapping]] = ..., artifacts_uri: _Optional[str] = ..., output_model_version: _Optional[str] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., etag: _Optional[str] = ...) -> None: ...

class TrainingJobSpec(_message.Message):
    __slots__ = ("image", "command", "args", "code", "env", "secret_env", "hyperparameters", "resources", "placement", "spot", "preemption_policy", "max_runtime", "max_cost", "output")
    class EnvEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    class SecretEnvEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    class HyperparametersEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    IMAGE_FIELD_NUMBER: _ClassVar[int]
    COMMAND_FIELD_NUMBER: _ClassVar[int]
    ARGS_FIELD_NUMBER: _ClassVar[int]
    CODE_FIELD_NUMBER: _ClassVar[int]
    ENV_FIELD_NUMBER: _ClassVar[int]
    SECRET_ENV_FIELD_NUMBER: _ClassVar[int]
    HYPERPARAMETERS_FIELD_NUMBER: _ClassVar[int]
    RESOURCES_FIELD_NUMBER: _ClassVar[int]
    PLACEMENT_FIELD_NUMBER: _ClassVar[int]
    SPOT_FIELD_NUMBER: _ClassVar[int]
    PREEMPTION_POLICY_FIELD_NUMBER: _ClassVar[int]
    MAX_RUNTIME_FIELD_NUMBER: _ClassVar[int]
    MAX_COST_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_FIELD_NUMBER: _ClassVar[int]
    image: str
    command: _containers.RepeatedScalarFieldContainer[str]
    args: _containers.RepeatedScalarFieldContainer[str]
    code: CodeSource
    env: _containers.ScalarMap[str, str]
    secret_env: _containers.ScalarMap[str, str]
    hyperparameters: _containers.ScalarMap[str, str]
    resources: _machine_spec_pb2.MachineSpec
    placement: Placement
    spot: bool
    preemption_policy: PreemptionPolicy
    max_runtime: _duration_pb2.Duration
    max_cost: _money_pb2.Money
    output: TrainingOutput
    def __init__(self, image: _Optional[str] = ..., command: _Optional[_Iterable[str]] = ..., args: _Optional[_Iterable[str]] = ..., code: _Optional[_Union[CodeSource, _Mapping]] = ..., env: _Optional[_Mapping[str, str]] = ..., secret_env: _Optional[_Mapping[str, str]] = ..., hyperparameters: _Optional[_Mapping[str, str]] = ..., resources: _Optional[_Union[_machine_spec_pb2.MachineSpec, _Mapping]] = ..., placement: _Optional[_Union[Placement, _Mapping]] = ..., spot: _Optional[bool] = ..., preemption_policy: _Optional[_Union[PreemptionPolicy, _Mapping]] = ..., max_runtime: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., max_cost: _Optional[_Union[_money_pb2.Money, _Mapping]] = ..., output: _Optional[_Union[TrainingOutput, _Mapping]] = ...) -> None: ...

class CodeSource(_message.Message):
    __slots__ = ("artifact", "local_path", "uri", "sha256", "working_dir")
    ARTIFACT_FIELD_NUMBER: _ClassVar[int]
    LOCAL_PATH_FIELD_NUMBER: _ClassVar[int]
    URI_FIELD_NUMBER: _ClassVar[int]
    SHA256_FIELD_NUMBER: _ClassVar[int]
    WORKING_DIR_FIELD_NUMBER: _ClassVar[int]
    artifact: str
    local_path: str
    uri: str
    sha256: str
    working_dir: str
    def __init__(self, artifact: _Optional[str] = ..., local_path: _Optional[str] = ..., uri: _Optional[str] = ..., sha256: _Optional[str] = ..., working_dir: _Optional[str] = ...) -> None: ...

class Placement(_message.Message):
    __slots__ = ("provider", "region", "instance_type", "strategy", "allowed_providers", "allowed_regions")
    PROVIDER_FIELD_NUMBER: _ClassVar[int]
    REGION_FIELD_NUMBER: _ClassVar[int]
    INSTANCE_TYPE_FIELD_NUMBER: _ClassVar[int]
    STRATEGY_FIELD_NUMBER: _ClassVar[int]
    ALLOWED_PROVIDERS_FIELD_NUMBER: _ClassVar[int]
    ALLOWED_REGIONS_FIELD_NUMBER: _ClassVar[int]
    provider: str
    region: str
    instance_type: str
    strategy: PlacementStrategy
    allowed_providers: _containers.RepeatedScalarFieldContainer[str]
    allowed_regions: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, provider: _Optional[str] = ..., region: _Optional[str] = ..., instance_type: _Optional[str] = ..., strategy: _Optional[_Union[PlacementStrategy, str]] = ..., allowed_providers: _Optional[_Iterable[str]] = ..., allowed_regions: _Optional[_Iterable[str]] = ...) -> None: ...

class PreemptionPolicy(_message.Message):
    __slots__ = ("max_retries", "failover_mode", "fall_back_to_on_demand", "ignore_checkpoints")
    MAX_RETRIES_FIELD_NUMBER: _ClassVar[int]
    FAILOVER_MODE_FIELD_NUMBER: _ClassVar[int]
    FALL_BACK_TO_ON_DEMAND_FIELD_NUMBER: _ClassVar[int]
    IGNORE_CHECKPOINTS_FIELD_NUMBER: _ClassVar[int]
    max_retries: int
    failover_mode: FailoverMode
    fall_back_to_on_demand: bool
    ignore_checkpoints: bool
    def __init__(self, max_retries: _Optional[int] = ..., failover_mode: _Optional[_Union[FailoverMode, str]] = ..., fall_back_to_on_demand: _Optional[bool] = ..., ignore_checkpoints: _Optional[bool] = ...) -> None: ...

class TrainingOutput(_message.Message):
    __slots__ = ("model", "model_path", "model_version_labels", "model_version_description")
    class ModelVersionLabelsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    MODEL_FIELD_NUMBER: _ClassVar[int]
    MODEL_PATH_FIELD_NUMBER: _ClassVar[int]
    MODEL_VERSION_LABELS_FIELD_NUMBER: _ClassVar[int]
    MODEL_VERSION_DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    model: str
    model_path: str
    model_version_labels: _containers.ScalarMap[str, str]
    model_version_description: str
    def __init__(self, model: _Optional[str] = ..., model_path: _Optional[str] = ..., model_version_labels: _Optional[_Mapping[str, str]] = ..., model_version_description: _Optional[str] = ...) -> None: ...

class ProviderJob(_message.Message):
    __slots__ = ("provider", "region", "instance_type", "spot", "handle", "provider_state", "hourly_price", "submit_time", "last_poll_time", "release_time")
    PROVIDER_FIELD_NUMBER: _ClassVar[int]
    REGION_FIELD_NUMBER: _ClassVar[int]
    INSTANCE_TYPE_FIELD_NUMBER: _ClassVar[int]
    SPOT_FIELD_NUMBER: _ClassVar[int]
    HANDLE_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_STATE_FIELD_NUMBER: _ClassVar[int]
    HOURLY_PRICE_FIELD_NUMBER: _ClassVar[int]
    SUBMIT_TIME_FIELD_NUMBER: _ClassVar[int]
    LAST_POLL_TIME_FIELD_NUMBER: _ClassVar[int]
    RELEASE_TIME_FIELD_NUMBER: _ClassVar[int]
    provider: str
    region: str
    instance_type: str
    spot: bool
    handle: str
    provider_state: str
    hourly_price: _money_pb2.Money
    submit_time: _timestamp_pb2.Timestamp
    last_poll_time: _timestamp_pb2.Timestamp
    release_time: _timestamp_pb2.Timestamp
    def __init__(self, provider: _Optional[str] = ..., region: _Optional[str] = ..., instance_type: _Optional[str] = ..., spot: _Optional[bool] = ..., handle: _Optional[str] = ..., provider_state: _Optional[str] = ..., hourly_price: _Optional[_Union[_money_pb2.Money, _Mapping]] = ..., submit_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., last_poll_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., release_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class Checkpoint(_message.Message):
    __slots__ = ("uri", "step", "metrics", "create_time")
    class MetricsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: float
        def __init__(self, key: _Optional[str] = ..., value: _Optional[float] = ...) -> None: ...
    URI_FIELD_NUMBER: _ClassVar[int]
    STEP_FIELD_NUMBER: _ClassVar[int]
    METRICS_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    uri: str
    step: int
    metrics: _containers.ScalarMap[str, float]
    create_time: _timestamp_pb2.Timestamp
    def __init__(self, uri: _Optional[str] = ..., step: _Optional[int] = ..., metrics: _Optional[_Mapping[str, float]] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...
