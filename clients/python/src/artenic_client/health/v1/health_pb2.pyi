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

class HealthStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    HEALTH_STATUS_UNSPECIFIED: _ClassVar[HealthStatus]
    HEALTH_STATUS_HEALTHY: _ClassVar[HealthStatus]
    HEALTH_STATUS_DEGRADED: _ClassVar[HealthStatus]
    HEALTH_STATUS_UNHEALTHY: _ClassVar[HealthStatus]
    HEALTH_STATUS_NO_DATA: _ClassVar[HealthStatus]

class HealthReasonCode(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    HEALTH_REASON_CODE_UNSPECIFIED: _ClassVar[HealthReasonCode]
    HEALTH_REASON_CODE_ERROR_RATE: _ClassVar[HealthReasonCode]
    HEALTH_REASON_CODE_LATENCY_P99: _ClassVar[HealthReasonCode]
    HEALTH_REASON_CODE_INPUT_DRIFT: _ClassVar[HealthReasonCode]
    HEALTH_REASON_CODE_OUTPUT_DRIFT: _ClassVar[HealthReasonCode]
    HEALTH_REASON_CODE_NOT_SERVING: _ClassVar[HealthReasonCode]
    HEALTH_REASON_CODE_INSUFFICIENT_DATA: _ClassVar[HealthReasonCode]
    HEALTH_REASON_CODE_NO_BASELINE: _ClassVar[HealthReasonCode]

class DriftMethod(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    DRIFT_METHOD_UNSPECIFIED: _ClassVar[DriftMethod]
    DRIFT_METHOD_PSI: _ClassVar[DriftMethod]
    DRIFT_METHOD_JENSEN_SHANNON: _ClassVar[DriftMethod]

class HealthBaselineSource(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    HEALTH_BASELINE_SOURCE_UNSPECIFIED: _ClassVar[HealthBaselineSource]
    HEALTH_BASELINE_SOURCE_CAPTURED: _ClassVar[HealthBaselineSource]
    HEALTH_BASELINE_SOURCE_UPLOADED: _ClassVar[HealthBaselineSource]
HEALTH_STATUS_UNSPECIFIED: HealthStatus
HEALTH_STATUS_HEALTHY: HealthStatus
HEALTH_STATUS_DEGRADED: HealthStatus
HEALTH_STATUS_UNHEALTHY: HealthStatus
HEALTH_STATUS_NO_DATA: HealthStatus
HEALTH_REASON_CODE_UNSPECIFIED: HealthReasonCode
HEALTH_REASON_CODE_ERROR_RATE: HealthReasonCode
HEALTH_REASON_CODE_LATENCY_P99: HealthReasonCode
HEALTH_REASON_CODE_INPUT_DRIFT: HealthReasonCode
HEALTH_REASON_CODE_OUTPUT_DRIFT: HealthReasonCode
HEALTH_REASON_CODE_NOT_SERVING: HealthReasonCode
HEALTH_REASON_CODE_INSUFFICIENT_DATA: HealthReasonCode
HEALTH_REASON_CODE_NO_BASELINE: HealthReasonCode
DRIFT_METHOD_UNSPECIFIED: DriftMethod
DRIFT_METHOD_PSI: DriftMethod
DRIFT_METHOD_JENSEN_SHANNON: DriftMethod
HEALTH_BASELINE_SOURCE_UNSPECIFIED: HealthBaselineSource
HEALTH_BASELINE_SOURCE_CAPTURED: HealthBaselineSource
HEALTH_BASELINE_SOURCE_UPLOADED: HealthBaselineSource

class Health(_message.Message):
    __slots__ = ("name", "status", "reasons", "window", "evaluate_time", "request_count", "error_count", "request_rate", "error_rate", "latency_p50_ms", "latency_p95_ms", "latency_p99_ms", "mean_confidence", "input_drift", "output_drift", "baseline", "model_versions")
    NAME_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    REASONS_FIELD_NUMBER: _ClassVar[int]
    WINDOW_FIELD_NUMBER: _ClassVar[int]
    EVALUATE_TIME_FIELD_NUMBER: _ClassVar[int]
    REQUEST_COUNT_FIELD_NUMBER: _ClassVar[int]
    ERROR_COUNT_FIELD_NUMBER: _ClassVar[int]
    REQUEST_RATE_FIELD_NUMBER: _ClassVar[int]
    ERROR_RATE_FIELD_NUMBER: _ClassVar[int]
    LATENCY_P50_MS_FIELD_NUMBER: _ClassVar[int]
    LATENCY_P95_MS_FIELD_NUMBER: _ClassVar[int]
    LATENCY_P99_MS_FIELD_NUMBER: _ClassVar[int]
    MEAN_CONFIDENCE_FIELD_NUMBER: _ClassVar[int]
    INPUT_DRIFT_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_DRIFT_FIELD_NUMBER: _ClassVar[int]
    BASELINE_FIELD_NUMBER: _ClassVar[int]
    MODEL_VERSIONS_FIELD_NUMBER: _ClassVar[int]
    name: str
    status: HealthStatus
    reasons: _containers.RepeatedCompositeFieldContainer[HealthReason]
    window: _duration_pb2.Duration
    evaluate_time: _timestamp_pb2.Timestamp
    request_count: int
    error_count: int
    request_rate: float
    error_rate: float
    latency_p50_ms: float
    latency_p95_ms: float
    latency_p99_ms: float
    mean_confidence: float
    input_drift: _containers.RepeatedCompositeFieldContainer[FeatureDrift]
    output_drift: _containers.RepeatedCompositeFieldContainer[FeatureDrift]
    baseline: str
    model_versions: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, name: _Optional[str] = ..., status: _Optional[_Union[HealthStatus, str]] = ..., reasons: _Optional[_Iterable[_Union[HealthReason, _Mapping]]] = ..., window: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., evaluate_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., request_count: _Optional[int] = ..., error_count: _Optional[int] = ..., request_rate: _Optional[float] = ..., error_rate: _Optional[float] = ..., latency_p50_ms: _Optional[float] = ..., latency_p95_ms: _Optional[float] = ..., latency_p99_ms: _Optional[float] = ..., mean_confidence: _Optional[float] = ..., input_drift: _Optional[_Iterable[_Union[FeatureDrift, _Mapping]]] = ..., output_drift: _Optional[_Iterable[_Union[FeatureDrift, _Mapping]]] = ..., baseline: _Optional[str] = ..., model_versions: _Optional[_Iterable[str]] = ...) -> None: ...

class HealthReason(_message.Message):
    __slots__ = ("code", "message", "metric", "observed", "threshold", "severity")
    CODE_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    METRIC_FIELD_NUMBER: _ClassVar[int]
    OBSERVED_FIELD_NUMBER: _ClassVar[int]
    THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    SEVERITY_FIELD_NUMBER: _ClassVar[int]
    code: HealthReasonCode
    message: str
    metric: str
    observed: float
    threshold: float
    severity: HealthStatus
    def __init__(self, code: _Optional[_Union[HealthReasonCode, str]] = ..., message: _Optional[str] = ..., metric: _Optional[str] = ..., observed: _Optional[float] = ..., threshold: _Optional[float] = ..., severity: _Optional[_Union[HealthStatus, str]] = ...) -> None: ...

class FeatureDrift(_message.Message):
    __slots__ = ("feature", "method", "score", "threshold", "drifted", "sample_count")
    FEATURE_FIELD_NUMBER: _ClassVar[int]
    METHOD_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    DRIFTED_FIELD_NUMBER: _ClassVar[int]
    SAMPLE_COUNT_FIELD_NUMBER: _ClassVar[int]
    feature: str
    method: DriftMethod
    score: float
    threshold: float
    drifted: bool
    sample_count: int
    def __init__(self, feature: _Optional[str] = ..., method: _Optional[_Union[DriftMethod, str]] = ..., score: _Optional[float] = ..., threshold: _Optional[float] = ..., drifted: _Optional[bool] = ..., sample_count: _Optional[int] = ...) -> None: ...

class HealthSnapshot(_message.Message):
    __slots__ = ("name", "health", "create_time")
    NAME_FIELD_NUMBER: _ClassVar[int]
    HEALTH_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    name: str
    health: Health
    create_time: _timestamp_pb2.Timestamp
    def __init__(self, name: _Optional[str] = ..., health: _Optional[_Union[Health, _Mapping]] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class HealthThresholds(_message.Message):
    __slots__ = ("name", "error_rate", "latency_p99_ms", "input_drift", "output_drift", "drift_method", "drift_bins", "min_samples", "window", "auto_capture_baseline", "update_time", "etag")
    NAME_FIELD_NUMBER: _ClassVar[int]
    ERROR_RATE_FIELD_NUMBER: _ClassVar[int]
    LATENCY_P99_MS_FIELD_NUMBER: _ClassVar[int]
    INPUT_DRIFT_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_DRIFT_FIELD_NUMBER: _ClassVar[int]
    DRIFT_METHOD_FIELD_NUMBER: _ClassVar[int]
    DRIFT_BINS_FIELD_NUMBER: _ClassVar[int]
    MIN_SAMPLES_FIELD_NUMBER: _ClassVar[int]
    WINDOW_FIELD_NUMBER: _ClassVar[int]
    AUTO_CAPTURE_BASELINE_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    name: str
    error_rate: ThresholdLevels
    latency_p99_ms: ThresholdLevels
    input_drift: ThresholdLevels
    output_drift: ThresholdLevels
    drift_method: DriftMethod
    drift_bins: int
    min_samples: int
    window: _duration_pb2.Duration
    auto_capture_baseline: bool
    update_time: _timestamp_pb2.Timestamp
    etag: str
    def __init__(self, name: _Optional[str] = ..., error_rate: _Optional[_Union[ThresholdLevels, _Mapping]] = ..., latency_p99_ms: _Optional[_Union[ThresholdLevels, _Mapping]] = ..., input_drift: _Optional[_Union[ThresholdLevels, _Mapping]] = ..., output_drift: _Optional[_Union[ThresholdLevels, _Mapping]] = ..., drift_method: _Optional[_Union[DriftMethod, str]] = ..., drift_bins: _Optional[int] = ..., min_samples: _Optional[int] = ..., window: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., auto_capture_baseline: _Optional[bool] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., etag: _Optional[str] = ...) -> None: ...

class ThresholdLevels(_message.Message):
    __slots__ = ("degraded", "unhealthy")
    DEGRADED_FIELD_NUMBER: _ClassVar[int]
    UNHEALTHY_FIELD_NUMBER: _ClassVar[int]
    degraded: float
    unhealthy: float
    def __init__(self, degraded: _Optional[float] = ..., unhealthy: _Optional[float] = ...) -> None: ...

class HealthBaseline(_message.Message):
    __slots__ = ("name", "source", "capture_start_time", "capture_end_time", "model_versions", "sample_count", "inputs", "outputs", "create_time")
    NAME_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    CAPTURE_START_TIME_FIELD_NUMBER: _ClassVar[int]
    CAPTURE_END_TIME_FIELD_NUMBER: _ClassVar[int]
    MODEL_VERSIONS_FIELD_NUMBER: _ClassVar[int]
    SAMPLE_COUNT_FIELD_NUMBER: _ClassVar[int]
    INPUTS_FIELD_NUMBER: _ClassVar[int]
    OUTPUTS_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    name: str
    source: HealthBaselineSource
    capture_start_time: _timestamp_pb2.Timestamp
    capture_end_time: _timestamp_pb2.Timestamp
    model_versions: _containers.RepeatedScalarFieldContainer[str]
    sample_count: int
    inputs: _containers.RepeatedCompositeFieldContainer[FeatureDistribution]
    outputs: _containers.RepeatedCompositeFieldContainer[FeatureDistribution]
    create_time: _timestamp_pb2.Timestamp
    def __init__(self, name: _Optional[str] = ..., source: _Optional[_Union[HealthBaselineSource, str]] = ..., capture_start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., capture_end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., model_versions: _Optional[_Iterable[str]] = ..., sample_count: _Optional[int] = ..., inputs: _Optional[_Iterable[_Union[FeatureDistribution, _Mapping]]] = ..., outputs: _Optional[_Iterable[_Union[FeatureDistribution, _Mapping]]] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class FeatureDistribution(_message.Message):
    __slots__ = ("feature", "histogram", "categories", "samples")
    FEATURE_FIELD_NUMBER: _ClassVar[int]
    HISTOGRAM_FIELD_NUMBER: _ClassVar[int]
    CATEGORIES_FIELD_NUMBER: _ClassVar[int]
    SAMPLES_FIELD_NUMBER: _ClassVar[int]
    feature: str
    histogram: Histogram
    categories: CategoryCounts
    samples: SampleValues
    def __init__(self, feature: _Optional[str] = ..., histogram: _Optional[_Union[Histogram, _Mapping]] = ..., categories: _Optional[_Union[CategoryCounts, _Mapping]] = ..., samples: _Optional[_Union[SampleValues, _Mapping]] = ...) -> None: ...

class Histogram(_message.Message):
    __slots__ = ("bin_edges", "counts")
    BIN_EDGES_FIELD_NUMBER: _ClassVar[int]
    COUNTS_FIELD_NUMBER: _ClassVar[int]
    bin_edges: _containers.RepeatedScalarFieldContainer[float]
    counts: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, bin_edges: _Optional[_Iterable[float]] = ..., counts: _Optional[_Iterable[int]] = ...) -> None: ...

class CategoryCounts(_message.Message):
    __slots__ = ("counts",)
    class CountsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: int
        def __init__(self, key: _Optional[str] = ..., value: _Optional[int] = ...) -> None: ...
    COUNTS_FIELD_NUMBER: _ClassVar[int]
    counts: _containers.ScalarMap[str, int]
    def __init__(self, counts: _Optional[_Mapping[str, int]] = ...) -> None: ...

class SampleValues(_message.Message):
    __slots__ = ("values",)
    VALUES_FIELD_NUMBER: _ClassVar[int]
    values: _containers.RepeatedScalarFieldContainer[float]
    def __init__(self, values: _Optional[_Iterable[float]] = ...) -> None: ...
