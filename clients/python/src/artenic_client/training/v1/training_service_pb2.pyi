import datetime

from artenic_client.training.v1 import provider_pb2 as _provider_pb2
from artenic_client.training.v1 import training_job_pb2 as _training_job_pb2
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

class TrainingLogStream(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    TRAINING_LOG_STREAM_UNSPECIFIED: _ClassVar[TrainingLogStream]
    TRAINING_LOG_STREAM_STDOUT: _ClassVar[TrainingLogStream]
    TRAINING_LOG_STREAM_STDERR: _ClassVar[TrainingLogStream]
    TRAINING_LOG_STREAM_SYSTEM: _ClassVar[TrainingLogStream]
TRAINING_LOG_STREAM_UNSPECIFIED: TrainingLogStream
TRAINING_LOG_STREAM_STDOUT: TrainingLogStream
TRAINING_LOG_STREAM_STDERR: TrainingLogStream
TRAINING_LOG_STREAM_SYSTEM: TrainingLogStream

class CreateTrainingJobRequest(_message.Message):
    __slots__ = ("training_job_id", "training_job", "request_id")
    TRAINING_JOB_ID_FIELD_NUMBER: _ClassVar[int]
    TRAINING_JOB_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    training_job_id: str
    training_job: _training_job_pb2.TrainingJob
    request_id: str
    def __init__(self, training_job_id: _Optional[str] = ..., training_job: _Optional[_Union[_training_job_pb2.TrainingJob, _Mapping]] = ..., request_id: _Optional[str] = ...) -> None: ...

class CreateTrainingJobResponse(_message.Message):
    __slots__ = ("training_job", "warnings")
    TRAINING_JOB_FIELD_NUMBER: _ClassVar[int]
    WARNINGS_FIELD_NUMBER: _ClassVar[int]
    training_job: _training_job_pb2.TrainingJob
    warnings: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, training_job: _Optional[_Union[_training_job_pb2.TrainingJob, _Mapping]] = ..., warnings: _Optional[_Iterable[str]] = ...) -> None: ...

class GetTrainingJobRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class GetTrainingJobResponse(_message.Message):
    __slots__ = ("training_job",)
    TRAINING_JOB_FIELD_NUMBER: _ClassVar[int]
    training_job: _training_job_pb2.TrainingJob
    def __init__(self, training_job: _Optional[_Union[_training_job_pb2.TrainingJob, _Mapping]] = ...) -> None: ...

class ListTrainingJobsRequest(_message.Message):
    __slots__ = ("page_size", "page_token", "filter", "order_by")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    FILTER_FIELD_NUMBER: _ClassVar[int]
    ORDER_BY_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    filter: str
    order_by: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., filter: _Optional[str] = ..., order_by: _Optional[str] = ...) -> None: ...

class ListTrainingJobsResponse(_message.Message):
    __slots__ = ("training_jobs", "next_page_token", "total_size")
    TRAINING_JOBS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    TOTAL_SIZE_FIELD_NUMBER: _ClassVar[int]
    training_jobs: _containers.RepeatedCompositeFieldContainer[_training_job_pb2.TrainingJob]
    next_page_token: str
    total_size: int
    def __init__(self, training_jobs: _Optional[_Iterable[_Union[_training_job_pb2.TrainingJob, _Mapping]]] = ..., next_page_token: _Optional[str] = ..., total_size: _Optional[int] = ...) -> None: ...

class CancelTrainingJobRequest(_message.Message):
    __slots__ = ("name", "etag", "reason")
    NAME_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    name: str
    etag: str
    reason: str
    def __init__(self, name: _Optional[str] = ..., etag: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class CancelTrainingJobResponse(_message.Message):
    __slots__ = ("training_job",)
    TRAINING_JOB_FIELD_NUMBER: _ClassVar[int]
    training_job: _training_job_pb2.TrainingJob
    def __init__(self, training_job: _Optional[_Union[_training_job_pb2.TrainingJob, _Mapping]] = ...) -> None: ...

class DeleteTrainingJobRequest(_message.Message):
    __slots__ = ("name", "etag")
    NAME_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    name: str
    etag: str
    def __init__(self, name: _Optional[str] = ..., etag: _Optional[str] = ...) -> None: ...

class DeleteTrainingJobResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class WatchTrainingJobRequest(_message.Message):
    __slots__ = ("name", "exclude_logs", "exclude_metrics", "log_tail_lines")
    NAME_FIELD_NUMBER: _ClassVar[int]
    EXCLUDE_LOGS_FIELD_NUMBER: _ClassVar[int]
    EXCLUDE_METRICS_FIELD_NUMBER: _ClassVar[int]
    LOG_TAIL_LINES_FIELD_NUMBER: _ClassVar[int]
    name: str
    exclude_logs: bool
    exclude_metrics: bool
    log_tail_lines: int
    def __init__(self, name: _Optional[str] = ..., exclude_logs: _Optional[bool] = ..., exclude_metrics: _Optional[bool] = ..., log_tail_lines: _Optional[int] = ...) -> None: ...

class WatchTrainingJobResponse(_message.Message):
    __slots__ = ("training_job", "metric_report", "log_lines", "heartbeat")
    TRAINING_JOB_FIELD_NUMBER: _ClassVar[int]
    METRIC_REPORT_FIELD_NUMBER: _ClassVar[int]
    LOG_LINES_FIELD_NUMBER: _ClassVar[int]
    HEARTBEAT_FIELD_NUMBER: _ClassVar[int]
    training_job: _training_job_pb2.TrainingJob
    metric_report: TrainingMetricReport
    log_lines: TrainingLogLines
    heartbeat: WatchHeartbeat
    def __init__(self, training_job: _Optional[_Union[_training_job_pb2.TrainingJob, _Mapping]] = ..., metric_report: _Optional[_Union[TrainingMetricReport, _Mapping]] = ..., log_lines: _Optional[_Union[TrainingLogLines, _Mapping]] = ..., heartbeat: _Optional[_Union[WatchHeartbeat, _Mapping]] = ...) -> None: ...

class ReportTrainingMetricsRequest(_message.Message):
    __slots__ = ("name", "step", "metrics", "time")
    class MetricsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: float
        def __init__(self, key: _Optional[str] = ..., value: _Optional[float] = ...) -> None: ...
    NAME_FIELD_NUMBER: _ClassVar[int]
    STEP_FIELD_NUMBER: _ClassVar[int]
    METRICS_FIELD_NUMBER: _ClassVar[int]
    TIME_FIELD_NUMBER: _ClassVar[int]
    name: str
    step: int
    metrics: _containers.ScalarMap[str, float]
    time: _timestamp_pb2.Timestamp
    def __init__(self, name: _Optional[str] = ..., step: _Optional[int] = ..., metrics: _Optional[_Mapping[str, float]] = ..., time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ReportTrainingMetricsResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ReportTrainingCheckpointRequest(_message.Message):
    __slots__ = ("name", "uri", "step", "metrics")
    class MetricsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: float
        def __init__(self, key: _Optional[str] = ..., value: _Optional[float] = ...) -> None: ...
    NAME_FIELD_NUMBER: _ClassVar[int]
    URI_FIELD_NUMBER: _ClassVar[int]
    STEP_FIELD_NUMBER: _ClassVar[int]
    METRICS_FIELD_NUMBER: _ClassVar[int]
    name: str
    uri: str
    step: int
    metrics: _containers.ScalarMap[str, float]
    def __init__(self, name: _Optional[str] = ..., uri: _Optional[str] = ..., step: _Optional[int] = ..., metrics: _Optional[_Mapping[str, float]] = ...) -> None: ...

class ReportTrainingCheckpointResponse(_message.Message):
    __slots__ = ("checkpoint",)
    CHECKPOINT_FIELD_NUMBER: _ClassVar[int]
    checkpoint: _training_job_pb2.Checkpoint
    def __init__(self, checkpoint: _Optional[_Union[_training_job_pb2.Checkpoint, _Mapping]] = ...) -> None: ...

class AppendTrainingLogsRequest(_message.Message):
    __slots__ = ("name", "lines", "request_id")
    NAME_FIELD_NUMBER: _ClassVar[int]
    LINES_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    name: str
    lines: _containers.RepeatedCompositeFieldContainer[TrainingLogLine]
    request_id: str
    def __init__(self, name: _Optional[str] = ..., lines: _Optional[_Iterable[_Union[TrainingLogLine, _Mapping]]] = ..., request_id: _Optional[str] = ...) -> None: ...

class AppendTrainingLogsResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ListTrainingJobLogsRequest(_message.Message):
    __slots__ = ("parent", "page_size", "page_token", "filter", "order_by")
    PARENT_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    FILTER_FIELD_NUMBER: _ClassVar[int]
    ORDER_BY_FIELD_NUMBER: _ClassVar[int]
    parent: str
    page_size: int
    page_token: str
    filter: str
    order_by: str
    def __init__(self, parent: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., filter: _Optional[str] = ..., order_by: _Optional[str] = ...) -> None: ...

class ListTrainingJobLogsResponse(_message.Message):
    __slots__ = ("lines", "next_page_token", "total_size")
    LINES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    TOTAL_SIZE_FIELD_NUMBER: _ClassVar[int]
    lines: _containers.RepeatedCompositeFieldContainer[TrainingLogLine]
    next_page_token: str
    total_size: int
    def __init__(self, lines: _Optional[_Iterable[_Union[TrainingLogLine, _Mapping]]] = ..., next_page_token: _Optional[str] = ..., total_size: _Optional[int] = ...) -> None: ...

class ListProvidersRequest(_message.Message):
    __slots__ = ("page_size", "page_token", "filter", "order_by")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    FILTER_FIELD_NUMBER: _ClassVar[int]
    ORDER_BY_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    filter: str
    order_by: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., filter: _Optional[str] = ..., order_by: _Optional[str] = ...) -> None: ...

class ListProvidersResponse(_message.Message):
    __slots__ = ("providers", "next_page_token", "total_size")
    PROVIDERS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    TOTAL_SIZE_FIELD_NUMBER: _ClassVar[int]
    providers: _containers.RepeatedCompositeFieldContainer[_provider_pb2.Provider]
    next_page_token: str
    total_size: int
    def __init__(self, providers: _Optional[_Iterable[_Union[_provider_pb2.Provider, _Mapping]]] = ..., next_page_token: _Optional[str] = ..., total_size: _Optional[int] = ...) -> None: ...

class GetProviderRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class GetProviderResponse(_message.Message):
    __slots__ = ("provider",)
    PROVIDER_FIELD_NUMBER: _ClassVar[int]
    provider: _provider_pb2.Provider
    def __init__(self, provider: _Optional[_Union[_provider_pb2.Provider, _Mapping]] = ...) -> None: ...

class ConfigureProviderRequest(_message.Message):
    __slots__ = ("name", "credentials", "config", "etag", "test_connection")
    class CredentialsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    class ConfigEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    NAME_FIELD_NUMBER: _ClassVar[int]
    CREDENTIALS_FIELD_NUMBER: _ClassVar[int]
    CONFIG_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    TEST_CONNECTION_FIELD_NUMBER: _ClassVar[int]
    name: str
    credentials: _containers.ScalarMap[str, str]
    config: _containers.ScalarMap[str, str]
    etag: str
    test_connection: bool
    def __init__(self, name: _Optional[str] = ..., credentials: _Optional[_Mapping[str, str]] = ..., config: _Optional[_Mapping[str, str]] = ..., etag: _Optional[str] = ..., test_connection: _Optional[bool] = ...) -> None: ...

class ConfigureProviderResponse(_message.Message):
    __slots__ = ("provider",)
    PROVIDER_FIELD_NUMBER: _ClassVar[int]
    provider: _provider_pb2.Provider
    def __init__(self, provider: _Optional[_Union[_provider_pb2.Provider, _Mapping]] = ...) -> None: ...

class ClearProviderCredentialsRequest(_message.Message):
    __slots__ = ("name", "etag")
    NAME_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    name: str
    etag: str
    def __init__(self, name: _Optional[str] = ..., etag: _Optional[str] = ...) -> None: ...

class ClearProviderCredentialsResponse(_message.Message):
    __slots__ = ("provider",)
    PROVIDER_FIELD_NUMBER: _ClassVar[int]
    provider: _provider_pb2.Provider
    def __init__(self, provider: _Optional[_Union[_provider_pb2.Provider, _Mapping]] = ...) -> None: ...

class TestProviderConnectionRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class TestProviderConnectionResponse(_message.Message):
    __slots__ = ("success", "message", "latency", "checks", "provider")
    SUCCESS_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    LATENCY_FIELD_NUMBER: _ClassVar[int]
    CHECKS_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_FIELD_NUMBER: _ClassVar[int]
    success: bool
    message: str
    latency: _duration_pb2.Duration
    checks: _containers.RepeatedCompositeFieldContainer[ConnectionCheck]
    provider: _provider_pb2.Provider
    def __init__(self, success: _Optional[bool] = ..., message: _Optional[str] = ..., latency: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., checks: _Optional[_Iterable[_Union[ConnectionCheck, _Mapping]]] = ..., provider: _Optional[_Union[_provider_pb2.Provider, _Mapping]] = ...) -> None: ...

class EnableProviderRequest(_message.Message):
    __slots__ = ("name", "etag", "skip_connection_test")
    NAME_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    SKIP_CONNECTION_TEST_FIELD_NUMBER: _ClassVar[int]
    name: str
    etag: str
    skip_connection_test: bool
    def __init__(self, name: _Optional[str] = ..., etag: _Optional[str] = ..., skip_connection_test: _Optional[bool] = ...) -> None: ...

class EnableProviderResponse(_message.Message):
    __slots__ = ("provider",)
    PROVIDER_FIELD_NUMBER: _ClassVar[int]
    provider: _provider_pb2.Provider
    def __init__(self, provider: _Optional[_Union[_provider_pb2.Provider, _Mapping]] = ...) -> None: ...

class DisableProviderRequest(_message.Message):
    __slots__ = ("name", "etag")
    NAME_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    name: str
    etag: str
    def __init__(self, name: _Optional[str] = ..., etag: _Optional[str] = ...) -> None: ...

class DisableProviderResponse(_message.Message):
    __slots__ = ("provider",)
    PROVIDER_FIELD_NUMBER: _ClassVar[int]
    provider: _provider_pb2.Provider
    def __init__(self, provider: _Optional[_Union[_provider_pb2.Provider, _Mapping]] = ...) -> None: ...

class ListInstanceTypesRequest(_message.Message):
    __slots__ = ("provider", "region", "page_size", "page_token", "filter", "order_by")
    PROVIDER_FIELD_NUMBER: _ClassVar[int]
    REGION_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    FILTER_FIELD_NUMBER: _ClassVar[int]
    ORDER_BY_FIELD_NUMBER: _ClassVar[int]
    provider: str
    region: str
    page_size: int
    page_token: str
    filter: str
    order_by: str
    def __init__(self, provider: _Optional[str] = ..., region: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., filter: _Optional[str] = ..., order_by: _Optional[str] = ...) -> None: ...

class ListInstanceTypesResponse(_message.Message):
    __slots__ = ("instance_types", "next_page_token", "total_size")
    INSTANCE_TYPES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    TOTAL_SIZE_FIELD_NUMBER: _ClassVar[int]
    instance_types: _containers.RepeatedCompositeFieldContainer[_provider_pb2.InstanceType]
    next_page_token: str
    total_size: int
    def __init__(self, instance_types: _Optional[_Iterable[_Union[_provider_pb2.InstanceType, _Mapping]]] = ..., next_page_token: _Optional[str] = ..., total_size: _Optional[int] = ...) -> None: ...

class EstimateCostRequest(_message.Message):
    __slots__ = ("spec", "expected_duration", "service", "max_options")
    SPEC_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_DURATION_FIELD_NUMBER: _ClassVar[int]
    SERVICE_FIELD_NUMBER: _ClassVar[int]
    MAX_OPTIONS_FIELD_NUMBER: _ClassVar[int]
    spec: _training_job_pb2.TrainingJobSpec
    expected_duration: _duration_pb2.Duration
    service: str
    max_options: int
    def __init__(self, spec: _Optional[_Union[_training_job_pb2.TrainingJobSpec, _Mapping]] = ..., expected_duration: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., service: _Optional[str] = ..., max_options: _Optional[int] = ...) -> None: ...

class EstimateCostResponse(_message.Message):
    __slots__ = ("selected", "options")
    SELECTED_FIELD_NUMBER: _ClassVar[int]
    OPTIONS_FIELD_NUMBER: _ClassVar[int]
    selected: PlacementOption
    options: _containers.RepeatedCompositeFieldContainer[PlacementOption]
    def __init__(self, selected: _Optional[_Union[PlacementOption, _Mapping]] = ..., options: _Optional[_Iterable[_Union[PlacementOption, _Mapping]]] = ...) -> None: ...

class RecommendPlacementsRequest(_message.Message):
    __slots__ = ("spec", "expected_duration", "strategy", "include_disabled_providers", "max_recommendations", "service")
    SPEC_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_DURATION_FIELD_NUMBER: _ClassVar[int]
    STRATEGY_FIELD_NUMBER: _ClassVar[int]
    INCLUDE_DISABLED_PROVIDERS_FIELD_NUMBER: _ClassVar[int]
    MAX_RECOMMENDATIONS_FIELD_NUMBER: _ClassVar[int]
    SERVICE_FIELD_NUMBER: _ClassVar[int]
    spec: _training_job_pb2.TrainingJobSpec
    expected_duration: _duration_pb2.Duration
    strategy: _training_job_pb2.PlacementStrategy
    include_disabled_providers: bool
    max_recommendations: int
    service: str
    def __init__(self, spec: _Optional[_Union[_training_job_pb2.TrainingJobSpec, _Mapping]] = ..., expected_duration: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., strategy: _Optional[_Union[_training_job_pb2.PlacementStrategy, str]] = ..., include_disabled_providers: _Optional[bool] = ..., max_recommendations: _Optional[int] = ..., service: _Optional[str] = ...) -> None: ...

class RecommendPlacementsResponse(_message.Message):
    __slots__ = ("recommendations", "cheapest", "fastest")
    RECOMMENDATIONS_FIELD_NUMBER: _ClassVar[int]
    CHEAPEST_FIELD_NUMBER: _ClassVar[int]
    FASTEST_FIELD_NUMBER: _ClassVar[int]
    recommendations: _containers.RepeatedCompositeFieldContainer[PlacementOption]
    cheapest: PlacementOption
    fastest: PlacementOption
    def __init__(self, recommendations: _Optional[_Iterable[_Union[PlacementOption, _Mapping]]] = ..., cheapest: _Optional[_Union[PlacementOption, _Mapping]] = ..., fastest: _Optional[_Union[PlacementOption, _Mapping]] = ...) -> None: ...

class TrainingMetricReport(_message.Message):
    __slots__ = ("step", "metrics", "time")
    class MetricsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: float
        def __init__(self, key: _Optional[str] = ..., value: _Optional[float] = ...) -> None: ...
    STEP_FIELD_NUMBER: _ClassVar[int]
    METRICS_FIELD_NUMBER: _ClassVar[int]
    TIME_FIELD_NUMBER: _ClassVar[int]
    step: int
    metrics: _containers.ScalarMap[str, float]
    time: _timestamp_pb2.Timestamp
    def __init__(self, step: _Optional[int] = ..., metrics: _Optional[_Mapping[str, float]] = ..., time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class TrainingLogLines(_message.Message):
    __slots__ = ("lines",)
    LINES_FIELD_NUMBER: _ClassVar[int]
    lines: _containers.RepeatedCompositeFieldContainer[TrainingLogLine]
    def __init__(self, lines: _Optional[_Iterable[_Union[TrainingLogLine, _Mapping]]] = ...) -> None: ...

class WatchHeartbeat(_message.Message):
    __slots__ = ("time",)
    TIME_FIELD_NUMBER: _ClassVar[int]
    time: _timestamp_pb2.Timestamp
    def __init__(self, time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class TrainingLogLine(_message.Message):
    __slots__ = ("sequence", "time", "stream", "text")
    SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    TIME_FIELD_NUMBER: _ClassVar[int]
    STREAM_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    sequence: int
    time: _timestamp_pb2.Timestamp
    stream: TrainingLogStream
    text: str
    def __init__(self, sequence: _Optional[int] = ..., time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., stream: _Optional[_Union[TrainingLogStream, str]] = ..., text: _Optional[str] = ...) -> None: ...

class ConnectionCheck(_message.Message):
    __slots__ = ("name", "success", "message")
    NAME_FIELD_NUMBER: _ClassVar[int]
    SUCCESS_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    name: str
    success: bool
    message: str
    def __init__(self, name: _Optional[str] = ..., success: _Optional[bool] = ..., message: _Optional[str] = ...) -> None: ...

class PlacementOption(_message.Message):
    __slots__ = ("instance_type", "spot", "hourly_price", "expected_duration", "estimated_cost", "reservation", "speed_score", "within_max_cost", "blocking_budgets", "notes")
    INSTANCE_TYPE_FIELD_NUMBER: _ClassVar[int]
    SPOT_FIELD_NUMBER: _ClassVar[int]
    HOURLY_PRICE_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_DURATION_FIELD_NUMBER: _ClassVar[int]
    ESTIMATED_COST_FIELD_NUMBER: _ClassVar[int]
    RESERVATION_FIELD_NUMBER: _ClassVar[int]
    SPEED_SCORE_FIELD_NUMBER: _ClassVar[int]
    WITHIN_MAX_COST_FIELD_NUMBER: _ClassVar[int]
    BLOCKING_BUDGETS_FIELD_NUMBER: _ClassVar[int]
    NOTES_FIELD_NUMBER: _ClassVar[int]
    instance_type: _provider_pb2.InstanceType
    spot: bool
    hourly_price: _money_pb2.Money
    expected_duration: _duration_pb2.Duration
    estimated_cost: _money_pb2.Money
    reservation: _money_pb2.Money
    speed_score: float
    within_max_cost: bool
    blocking_budgets: _containers.RepeatedScalarFieldContainer[str]
    notes: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, instance_type: _Optional[_Union[_provider_pb2.InstanceType, _Mapping]] = ..., spot: _Optional[bool] = ..., hourly_price: _Optional[_Union[_money_pb2.Money, _Mapping]] = ..., expected_duration: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., estimated_cost: _Optional[_Union[_money_pb2.Money, _Mapping]] = ..., reservation: _Optional[_Union[_money_pb2.Money, _Mapping]] = ..., speed_score: _Optional[float] = ..., within_max_cost: _Optional[bool] = ..., blocking_budgets: _Optional[_Iterable[str]] = ..., notes: _Optional[_Iterable[str]] = ...) -> None: ...
