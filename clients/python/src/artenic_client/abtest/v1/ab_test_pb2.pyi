import datetime

from artenic_client.abtest.v1 import promotion_pb2 as _promotion_pb2
from artenic_client.buf.validate import validate_pb2 as _validate_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ABTestState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    AB_TEST_STATE_UNSPECIFIED: _ClassVar[ABTestState]
    AB_TEST_STATE_RUNNING: _ClassVar[ABTestState]
    AB_TEST_STATE_PAUSED: _ClassVar[ABTestState]
    AB_TEST_STATE_CONCLUDED: _ClassVar[ABTestState]

class MetricKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    METRIC_KIND_UNSPECIFIED: _ClassVar[MetricKind]
    METRIC_KIND_MEAN: _ClassVar[MetricKind]
    METRIC_KIND_RATE: _ClassVar[MetricKind]

class MetricGoal(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    METRIC_GOAL_UNSPECIFIED: _ClassVar[MetricGoal]
    METRIC_GOAL_MAXIMIZE: _ClassVar[MetricGoal]
    METRIC_GOAL_MINIMIZE: _ClassVar[MetricGoal]

class StatisticalTest(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    STATISTICAL_TEST_UNSPECIFIED: _ClassVar[StatisticalTest]
    STATISTICAL_TEST_WELCH_T_TEST: _ClassVar[StatisticalTest]
    STATISTICAL_TEST_TWO_PROPORTION_Z_TEST: _ClassVar[StatisticalTest]

class ComparisonVerdict(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    COMPARISON_VERDICT_UNSPECIFIED: _ClassVar[ComparisonVerdict]
    COMPARISON_VERDICT_BETTER: _ClassVar[ComparisonVerdict]
    COMPARISON_VERDICT_WORSE: _ClassVar[ComparisonVerdict]
    COMPARISON_VERDICT_INCONCLUSIVE: _ClassVar[ComparisonVerdict]
AB_TEST_STATE_UNSPECIFIED: ABTestState
AB_TEST_STATE_RUNNING: ABTestState
AB_TEST_STATE_PAUSED: ABTestState
AB_TEST_STATE_CONCLUDED: ABTestState
METRIC_KIND_UNSPECIFIED: MetricKind
METRIC_KIND_MEAN: MetricKind
METRIC_KIND_RATE: MetricKind
METRIC_GOAL_UNSPECIFIED: MetricGoal
METRIC_GOAL_MAXIMIZE: MetricGoal
METRIC_GOAL_MINIMIZE: MetricGoal
STATISTICAL_TEST_UNSPECIFIED: StatisticalTest
STATISTICAL_TEST_WELCH_T_TEST: StatisticalTest
STATISTICAL_TEST_TWO_PROPORTION_Z_TEST: StatisticalTest
COMPARISON_VERDICT_UNSPECIFIED: ComparisonVerdict
COMPARISON_VERDICT_BETTER: ComparisonVerdict
COMPARISON_VERDICT_WORSE: ComparisonVerdict
COMPARISON_VERDICT_INCONCLUSIVE: ComparisonVerdict

class ABTest(_message.Message):
    __slots__ = ("name", "display_name", "description", "labels", "service", "variants", "primary_metric", "min_samples_per_variant", "confidence_level", "sticky", "state", "winner_variant_id", "conclusion_reason", "promotion", "create_time", "update_time", "start_time", "end_time", "etag")
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
    VARIANTS_FIELD_NUMBER: _ClassVar[int]
    PRIMARY_METRIC_FIELD_NUMBER: _ClassVar[int]
    MIN_SAMPLES_PER_VARIANT_FIELD_NUMBER: _ClassVar[int]
    CONFIDENCE_LEVEL_FIELD_NUMBER: _ClassVar[int]
    STICKY_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    WINNER_VARIANT_ID_FIELD_NUMBER: _ClassVar[int]
    CONCLUSION_REASON_FIELD_NUMBER: _ClassVar[int]
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
    variants: _containers.RepeatedCompositeFieldContainer[Variant]
    primary_metric: PrimaryMetric
    min_samples_per_variant: int
    confidence_level: float
    sticky: bool
    state: ABTestState
    winner_variant_id: str
    conclusion_reason: str
    promotion: _promotion_pb2.Promotion
    create_time: _timestamp_pb2.Timestamp
    update_time: _timestamp_pb2.Timestamp
    start_time: _timestamp_pb2.Timestamp
    end_time: _timestamp_pb2.Timestamp
    etag: str
    def __init__(self, name: _Optional[str] = ..., display_name: _Optional[str] = ..., description: _Optional[str] = ..., labels: _Optional[_Mapping[str, str]] = ..., service: _Optional[str] = ..., variants: _Optional[_Iterable[_Union[Variant, _Mapping]]] = ..., primary_metric: _Optional[_Union[PrimaryMetric, _Mapping]] = ..., min_samples_per_variant: _Optional[int] = ..., confidence_level: _Optional[float] = ..., sticky: _Optional[bool] = ..., state: _Optional[_Union[ABTestState, str]] = ..., winner_variant_id: _Optional[str] = ..., conclusion_reason: _Optional[str] = ..., promotion: _Optional[_Union[_promotion_pb2.Promotion, _Mapping]] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., etag: _Optional[str] = ...) -> None: ...

class Variant(_message.Message):
    __slots__ = ("variant_id", "display_name", "model_version", "ensemble", "weight", "control", "shadow", "mirror_percent")
    VARIANT_ID_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    MODEL_VERSION_FIELD_NUMBER: _ClassVar[int]
    ENSEMBLE_FIELD_NUMBER: _ClassVar[int]
    WEIGHT_FIELD_NUMBER: _ClassVar[int]
    CONTROL_FIELD_NUMBER: _ClassVar[int]
    SHADOW_FIELD_NUMBER: _ClassVar[int]
    MIRROR_PERCENT_FIELD_NUMBER: _ClassVar[int]
    variant_id: str
    display_name: str
    model_version: str
    ensemble: str
    weight: int
    control: bool
    shadow: bool
    mirror_percent: int
    def __init__(self, variant_id: _Optional[str] = ..., display_name: _Optional[str] = ..., model_version: _Optional[str] = ..., ensemble: _Optional[str] = ..., weight: _Optional[int] = ..., control: _Optional[bool] = ..., shadow: _Optional[bool] = ..., mirror_percent: _Optional[int] = ...) -> None: ...

class PrimaryMetric(_message.Message):
    __slots__ = ("name", "kind", "goal")
    NAME_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    GOAL_FIELD_NUMBER: _ClassVar[int]
    name: str
    kind: MetricKind
    goal: MetricGoal
    def __init__(self, name: _Optional[str] = ..., kind: _Optional[_Union[MetricKind, str]] = ..., goal: _Optional[_Union[MetricGoal, str]] = ...) -> None: ...

class ABTestResults(_message.Message):
    __slots__ = ("ab_test", "state", "primary_metric", "confidence_level", "min_samples_per_variant", "variants", "enough_samples", "variants_lacking_samples", "not_enough_samples_message", "recommended_winner_variant_id", "recommendation_reason", "compute_time")
    AB_TEST_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    PRIMARY_METRIC_FIELD_NUMBER: _ClassVar[int]
    CONFIDENCE_LEVEL_FIELD_NUMBER: _ClassVar[int]
    MIN_SAMPLES_PER_VARIANT_FIELD_NUMBER: _ClassVar[int]
    VARIANTS_FIELD_NUMBER: _ClassVar[int]
    ENOUGH_SAMPLES_FIELD_NUMBER: _ClassVar[int]
    VARIANTS_LACKING_SAMPLES_FIELD_NUMBER: _ClassVar[int]
    NOT_ENOUGH_SAMPLES_MESSAGE_FIELD_NUMBER: _ClassVar[int]
    RECOMMENDED_WINNER_VARIANT_ID_FIELD_NUMBER: _ClassVar[int]
    RECOMMENDATION_REASON_FIELD_NUMBER: _ClassVar[int]
    COMPUTE_TIME_FIELD_NUMBER: _ClassVar[int]
    ab_test: str
    state: ABTestState
    primary_metric: PrimaryMetric
    confidence_level: float
    min_samples_per_variant: int
    variants: _containers.RepeatedCompositeFieldContainer[VariantResult]
    enough_samples: bool
    variants_lacking_samples: _containers.RepeatedScalarFieldContainer[str]
    not_enough_samples_message: str
    recommended_winner_variant_id: str
    recommendation_reason: str
    compute_time: _timestamp_pb2.Timestamp
    def __init__(self, ab_test: _Optional[str] = ..., state: _Optional[_Union[ABTestState, str]] = ..., primary_metric: _Optional[_Union[PrimaryMetric, _Mapping]] = ..., confidence_level: _Optional[float] = ..., min_samples_per_variant: _Optional[int] = ..., variants: _Optional[_Iterable[_Union[VariantResult, _Mapping]]] = ..., enough_samples: _Optional[bool] = ..., variants_lacking_samples: _Optional[_Iterable[str]] = ..., not_enough_samples_message: _Optional[str] = ..., recommended_winner_variant_id: _Optional[str] = ..., recommendation_reason: _Optional[str] = ..., compute_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class VariantResult(_message.Message):
    __slots__ = ("variant_id", "control", "shadow", "sample_count", "feedback_count", "observation_count", "mean", "std_dev", "min", "max", "error_rate", "latency_p50_ms", "latency_p95_ms", "latency_p99_ms", "traffic_share", "comparison")
    VARIANT_ID_FIELD_NUMBER: _ClassVar[int]
    CONTROL_FIELD_NUMBER: _ClassVar[int]
    SHADOW_FIELD_NUMBER: _ClassVar[int]
    SAMPLE_COUNT_FIELD_NUMBER: _ClassVar[int]
    FEEDBACK_COUNT_FIELD_NUMBER: _ClassVar[int]
    OBSERVATION_COUNT_FIELD_NUMBER: _ClassVar[int]
    MEAN_FIELD_NUMBER: _ClassVar[int]
    STD_DEV_FIELD_NUMBER: _ClassVar[int]
    MIN_FIELD_NUMBER: _ClassVar[int]
    MAX_FIELD_NUMBER: _ClassVar[int]
    ERROR_RATE_FIELD_NUMBER: _ClassVar[int]
    LATENCY_P50_MS_FIELD_NUMBER: _ClassVar[int]
    LATENCY_P95_MS_FIELD_NUMBER: _ClassVar[int]
    LATENCY_P99_MS_FIELD_NUMBER: _ClassVar[int]
    TRAFFIC_SHARE_FIELD_NUMBER: _ClassVar[int]
    COMPARISON_FIELD_NUMBER: _ClassVar[int]
    variant_id: str
    control: bool
    shadow: bool
    sample_count: int
    feedback_count: int
    observation_count: int
    mean: float
    std_dev: float
    min: float
    max: float
    error_rate: float
    latency_p50_ms: float
    latency_p95_ms: float
    latency_p99_ms: float
    traffic_share: float
    comparison: ControlComparison
    def __init__(self, variant_id: _Optional[str] = ..., control: _Optional[bool] = ..., shadow: _Optional[bool] = ..., sample_count: _Optional[int] = ..., feedback_count: _Optional[int] = ..., observation_count: _Optional[int] = ..., mean: _Optional[float] = ..., std_dev: _Optional[float] = ..., min: _Optional[float] = ..., max: _Optional[float] = ..., error_rate: _Optional[float] = ..., latency_p50_ms: _Optional[float] = ..., latency_p95_ms: _Optional[float] = ..., latency_p99_ms: _Optional[float] = ..., traffic_share: _Optional[float] = ..., comparison: _Optional[_Union[ControlComparison, _Mapping]] = ...) -> None: ...

class ControlComparison(_message.Message):
    __slots__ = ("difference", "difference_ci_low", "difference_ci_high", "lift", "lift_ci_low", "lift_ci_high", "p_value", "statistic", "degrees_of_freedom", "test", "significant", "verdict")
    DIFFERENCE_FIELD_NUMBER: _ClassVar[int]
    DIFFERENCE_CI_LOW_FIELD_NUMBER: _ClassVar[int]
    DIFFERENCE_CI_HIGH_FIELD_NUMBER: _ClassVar[int]
    LIFT_FIELD_NUMBER: _ClassVar[int]
    LIFT_CI_LOW_FIELD_NUMBER: _ClassVar[int]
    LIFT_CI_HIGH_FIELD_NUMBER: _ClassVar[int]
    P_VALUE_FIELD_NUMBER: _ClassVar[int]
    STATISTIC_FIELD_NUMBER: _ClassVar[int]
    DEGREES_OF_FREEDOM_FIELD_NUMBER: _ClassVar[int]
    TEST_FIELD_NUMBER: _ClassVar[int]
    SIGNIFICANT_FIELD_NUMBER: _ClassVar[int]
    VERDICT_FIELD_NUMBER: _ClassVar[int]
    difference: float
    difference_ci_low: float
    difference_ci_high: float
    lift: float
    lift_ci_low: float
    lift_ci_high: float
    p_value: float
    statistic: float
    degrees_of_freedom: float
    test: StatisticalTest
    significant: bool
    verdict: ComparisonVerdict
    def __init__(self, difference: _Optional[float] = ..., difference_ci_low: _Optional[float] = ..., difference_ci_high: _Optional[float] = ..., lift: _Optional[float] = ..., lift_ci_low: _Optional[float] = ..., lift_ci_high: _Optional[float] = ..., p_value: _Optional[float] = ..., statistic: _Optional[float] = ..., degrees_of_freedom: _Optional[float] = ..., test: _Optional[_Union[StatisticalTest, str]] = ..., significant: _Optional[bool] = ..., verdict: _Optional[_Union[ComparisonVerdict, str]] = ...) -> None: ...
