import datetime

from artenic_client.inference.v1 import infer_tensor_pb2 as _infer_tensor_pb2
from artenic_client.inference.v1 import service_pb2 as _service_pb2
from artenic_client.buf.validate import validate_pb2 as _validate_pb2
from google.protobuf import duration_pb2 as _duration_pb2
from google.protobuf import field_mask_pb2 as _field_mask_pb2
from google.rpc import status_pb2 as _status_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class DatasetFormat(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    DATASET_FORMAT_UNSPECIFIED: _ClassVar[DatasetFormat]
    DATASET_FORMAT_JSONL: _ClassVar[DatasetFormat]
    DATASET_FORMAT_CSV: _ClassVar[DatasetFormat]
DATASET_FORMAT_UNSPECIFIED: DatasetFormat
DATASET_FORMAT_JSONL: DatasetFormat
DATASET_FORMAT_CSV: DatasetFormat

class CreateServiceRequest(_message.Message):
    __slots__ = ("service_id", "service", "request_id")
    SERVICE_ID_FIELD_NUMBER: _ClassVar[int]
    SERVICE_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    service_id: str
    service: _service_pb2.Service
    request_id: str
    def __init__(self, service_id: _Optional[str] = ..., service: _Optional[_Union[_service_pb2.Service, _Mapping]] = ..., request_id: _Optional[str] = ...) -> None: ...

class CreateServiceResponse(_message.Message):
    __slots__ = ("service",)
    SERVICE_FIELD_NUMBER: _ClassVar[int]
    service: _service_pb2.Service
    def __init__(self, service: _Optional[_Union[_service_pb2.Service, _Mapping]] = ...) -> None: ...

class GetServiceRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class GetServiceResponse(_message.Message):
    __slots__ = ("service",)
    SERVICE_FIELD_NUMBER: _ClassVar[int]
    service: _service_pb2.Service
    def __init__(self, service: _Optional[_Union[_service_pb2.Service, _Mapping]] = ...) -> None: ...

class ListServicesRequest(_message.Message):
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

class ListServicesResponse(_message.Message):
    __slots__ = ("services", "next_page_token", "total_size")
    SERVICES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    TOTAL_SIZE_FIELD_NUMBER: _ClassVar[int]
    services: _containers.RepeatedCompositeFieldContainer[_service_pb2.Service]
    next_page_token: str
    total_size: int
    def __init__(self, services: _Optional[_Iterable[_Union[_service_pb2.Service, _Mapping]]] = ..., next_page_token: _Optional[str] = ..., total_size: _Optional[int] = ...) -> None: ...

class UpdateServiceRequest(_message.Message):
    __slots__ = ("service", "update_mask")
    SERVICE_FIELD_NUMBER: _ClassVar[int]
    UPDATE_MASK_FIELD_NUMBER: _ClassVar[int]
    service: _service_pb2.Service
    update_mask: _field_mask_pb2.FieldMask
    def __init__(self, service: _Optional[_Union[_service_pb2.Service, _Mapping]] = ..., update_mask: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ...) -> None: ...

class UpdateServiceResponse(_message.Message):
    __slots__ = ("service",)
    SERVICE_FIELD_NUMBER: _ClassVar[int]
    service: _service_pb2.Service
    def __init__(self, service: _Optional[_Union[_service_pb2.Service, _Mapping]] = ...) -> None: ...

class DeleteServiceRequest(_message.Message):
    __slots__ = ("name", "etag")
    NAME_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    name: str
    etag: str
    def __init__(self, name: _Optional[str] = ..., etag: _Optional[str] = ...) -> None: ...

class DeleteServiceResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class SetServiceTargetRequest(_message.Message):
    __slots__ = ("name", "target", "reason", "etag", "request_id")
    NAME_FIELD_NUMBER: _ClassVar[int]
    TARGET_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    name: str
    target: _service_pb2.ServiceTarget
    reason: str
    etag: str
    request_id: str
    def __init__(self, name: _Optional[str] = ..., target: _Optional[_Union[_service_pb2.ServiceTarget, _Mapping]] = ..., reason: _Optional[str] = ..., etag: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class SetServiceTargetResponse(_message.Message):
    __slots__ = ("service",)
    SERVICE_FIELD_NUMBER: _ClassVar[int]
    service: _service_pb2.Service
    def __init__(self, service: _Optional[_Union[_service_pb2.Service, _Mapping]] = ...) -> None: ...

class ListServiceTargetHistoryRequest(_message.Message):
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

class ListServiceTargetHistoryResponse(_message.Message):
    __slots__ = ("changes", "next_page_token", "total_size")
    CHANGES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    TOTAL_SIZE_FIELD_NUMBER: _ClassVar[int]
    changes: _containers.RepeatedCompositeFieldContainer[_service_pb2.ServiceTargetChange]
    next_page_token: str
    total_size: int
    def __init__(self, changes: _Optional[_Iterable[_Union[_service_pb2.ServiceTargetChange, _Mapping]]] = ..., next_page_token: _Optional[str] = ..., total_size: _Optional[int] = ...) -> None: ...

class PredictRequest(_message.Message):
    __slots__ = ("service", "inputs", "routing_key", "request_id", "output_names", "parameters")
    class ParametersEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    SERVICE_FIELD_NUMBER: _ClassVar[int]
    INPUTS_FIELD_NUMBER: _ClassVar[int]
    ROUTING_KEY_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_NAMES_FIELD_NUMBER: _ClassVar[int]
    PARAMETERS_FIELD_NUMBER: _ClassVar[int]
    service: str
    inputs: _containers.RepeatedCompositeFieldContainer[_infer_tensor_pb2.InferTensor]
    routing_key: str
    request_id: str
    output_names: _containers.RepeatedScalarFieldContainer[str]
    parameters: _containers.ScalarMap[str, str]
    def __init__(self, service: _Optional[str] = ..., inputs: _Optional[_Iterable[_Union[_infer_tensor_pb2.InferTensor, _Mapping]]] = ..., routing_key: _Optional[str] = ..., request_id: _Optional[str] = ..., output_names: _Optional[_Iterable[str]] = ..., parameters: _Optional[_Mapping[str, str]] = ...) -> None: ...

class PredictResponse(_message.Message):
    __slots__ = ("prediction_id", "service", "model_version", "outputs", "classifications", "latency", "ab_test", "variant", "canary_rollout", "ensemble_snapshot", "ensemble_members")
    PREDICTION_ID_FIELD_NUMBER: _ClassVar[int]
    SERVICE_FIELD_NUMBER: _ClassVar[int]
    MODEL_VERSION_FIELD_NUMBER: _ClassVar[int]
    OUTPUTS_FIELD_NUMBER: _ClassVar[int]
    CLASSIFICATIONS_FIELD_NUMBER: _ClassVar[int]
    LATENCY_FIELD_NUMBER: _ClassVar[int]
    AB_TEST_FIELD_NUMBER: _ClassVar[int]
    VARIANT_FIELD_NUMBER: _ClassVar[int]
    CANARY_ROLLOUT_FIELD_NUMBER: _ClassVar[int]
    ENSEMBLE_SNAPSHOT_FIELD_NUMBER: _ClassVar[int]
    ENSEMBLE_MEMBERS_FIELD_NUMBER: _ClassVar[int]
    prediction_id: str
    service: str
    model_version: str
    outputs: _containers.RepeatedCompositeFieldContainer[_infer_tensor_pb2.InferTensor]
    classifications: _containers.RepeatedCompositeFieldContainer[_infer_tensor_pb2.Classification]
    latency: _duration_pb2.Duration
    ab_test: str
    variant: str
    canary_rollout: str
    ensemble_snapshot: str
    ensemble_members: _containers.RepeatedCompositeFieldContainer[EnsembleMemberResult]
    def __init__(self, prediction_id: _Optional[str] = ..., service: _Optional[str] = ..., model_version: _Optional[str] = ..., outputs: _Optional[_Iterable[_Union[_infer_tensor_pb2.InferTensor, _Mapping]]] = ..., classifications: _Optional[_Iterable[_Union[_infer_tensor_pb2.Classification, _Mapping]]] = ..., latency: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., ab_test: _Optional[str] = ..., variant: _Optional[str] = ..., canary_rollout: _Optional[str] = ..., ensemble_snapshot: _Optional[str] = ..., ensemble_members: _Optional[_Iterable[_Union[EnsembleMemberResult, _Mapping]]] = ...) -> None: ...

class EnsembleMemberResult(_message.Message):
    __slots__ = ("model_version", "status", "latency", "weight")
    MODEL_VERSION_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    LATENCY_FIELD_NUMBER: _ClassVar[int]
    WEIGHT_FIELD_NUMBER: _ClassVar[int]
    model_version: str
    status: _status_pb2.Status
    latency: _duration_pb2.Duration
    weight: float
    def __init__(self, model_version: _Optional[str] = ..., status: _Optional[_Union[_status_pb2.Status, _Mapping]] = ..., latency: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., weight: _Optional[float] = ...) -> None: ...

class PredictRow(_message.Message):
    __slots__ = ("sequence", "inputs", "routing_key")
    SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    INPUTS_FIELD_NUMBER: _ClassVar[int]
    ROUTING_KEY_FIELD_NUMBER: _ClassVar[int]
    sequence: int
    inputs: _containers.RepeatedCompositeFieldContainer[_infer_tensor_pb2.InferTensor]
    routing_key: str
    def __init__(self, sequence: _Optional[int] = ..., inputs: _Optional[_Iterable[_Union[_infer_tensor_pb2.InferTensor, _Mapping]]] = ..., routing_key: _Optional[str] = ...) -> None: ...

class RowPrediction(_message.Message):
    __slots__ = ("index", "sequence", "status", "prediction_id", "model_version", "ensemble_snapshot", "ab_test", "variant", "canary_rollout", "outputs", "classification")
    INDEX_FIELD_NUMBER: _ClassVar[int]
    SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    PREDICTION_ID_FIELD_NUMBER: _ClassVar[int]
    MODEL_VERSION_FIELD_NUMBER: _ClassVar[int]
    ENSEMBLE_SNAPSHOT_FIELD_NUMBER: _ClassVar[int]
    AB_TEST_FIELD_NUMBER: _ClassVar[int]
    VARIANT_FIELD_NUMBER: _ClassVar[int]
    CANARY_ROLLOUT_FIELD_NUMBER: _ClassVar[int]
    OUTPUTS_FIELD_NUMBER: _ClassVar[int]
    CLASSIFICATION_FIELD_NUMBER: _ClassVar[int]
    index: int
    sequence: int
    status: _status_pb2.Status
    prediction_id: str
    model_version: str
    ensemble_snapshot: str
    ab_test: str
    variant: str
    canary_rollout: str
    outputs: _containers.RepeatedCompositeFieldContainer[_infer_tensor_pb2.InferTensor]
    classification: _infer_tensor_pb2.Classification
    def __init__(self, index: _Optional[int] = ..., sequence: _Optional[int] = ..., status: _Optional[_Union[_status_pb2.Status, _Mapping]] = ..., prediction_id: _Optional[str] = ..., model_version: _Optional[str] = ..., ensemble_snapshot: _Optional[str] = ..., ab_test: _Optional[str] = ..., variant: _Optional[str] = ..., canary_rollout: _Optional[str] = ..., outputs: _Optional[_Iterable[_Union[_infer_tensor_pb2.InferTensor, _Mapping]]] = ..., classification: _Optional[_Union[_infer_tensor_pb2.Classification, _Mapping]] = ...) -> None: ...

class PredictBatchRequest(_message.Message):
    __slots__ = ("service", "rows", "routing_key", "request_id", "output_names", "parameters")
    class ParametersEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    SERVICE_FIELD_NUMBER: _ClassVar[int]
    ROWS_FIELD_NUMBER: _ClassVar[int]
    ROUTING_KEY_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_NAMES_FIELD_NUMBER: _ClassVar[int]
    PARAMETERS_FIELD_NUMBER: _ClassVar[int]
    service: str
    rows: _containers.RepeatedCompositeFieldContainer[PredictRow]
    routing_key: str
    request_id: str
    output_names: _containers.RepeatedScalarFieldContainer[str]
    parameters: _containers.ScalarMap[str, str]
    def __init__(self, service: _Optional[str] = ..., rows: _Optional[_Iterable[_Union[PredictRow, _Mapping]]] = ..., routing_key: _Optional[str] = ..., request_id: _Optional[str] = ..., output_names: _Optional[_Iterable[str]] = ..., parameters: _Optional[_Mapping[str, str]] = ...) -> None: ...

class PredictBatchResponse(_message.Message):
    __slots__ = ("results", "latency", "failed_row_count")
    RESULTS_FIELD_NUMBER: _ClassVar[int]
    LATENCY_FIELD_NUMBER: _ClassVar[int]
    FAILED_ROW_COUNT_FIELD_NUMBER: _ClassVar[int]
    results: _containers.RepeatedCompositeFieldContainer[RowPrediction]
    latency: _duration_pb2.Duration
    failed_row_count: int
    def __init__(self, results: _Optional[_Iterable[_Union[RowPrediction, _Mapping]]] = ..., latency: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., failed_row_count: _Optional[int] = ...) -> None: ...

class StreamPredictRequest(_message.Message):
    __slots__ = ("service", "rows", "routing_key", "output_names", "parameters", "columns")
    class ParametersEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    SERVICE_FIELD_NUMBER: _ClassVar[int]
    ROWS_FIELD_NUMBER: _ClassVar[int]
    ROUTING_KEY_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_NAMES_FIELD_NUMBER: _ClassVar[int]
    PARAMETERS_FIELD_NUMBER: _ClassVar[int]
    COLUMNS_FIELD_NUMBER: _ClassVar[int]
    service: str
    rows: _containers.RepeatedCompositeFieldContainer[PredictRow]
    routing_key: str
    output_names: _containers.RepeatedScalarFieldContainer[str]
    parameters: _containers.ScalarMap[str, str]
    columns: PredictColumns
    def __init__(self, service: _Optional[str] = ..., rows: _Optional[_Iterable[_Union[PredictRow, _Mapping]]] = ..., routing_key: _Optional[str] = ..., output_names: _Optional[_Iterable[str]] = ..., parameters: _Optional[_Mapping[str, str]] = ..., columns: _Optional[_Union[PredictColumns, _Mapping]] = ...) -> None: ...

class PredictColumns(_message.Message):
    __slots__ = ("inputs",)
    INPUTS_FIELD_NUMBER: _ClassVar[int]
    inputs: _containers.RepeatedCompositeFieldContainer[_infer_tensor_pb2.InferTensor]
    def __init__(self, inputs: _Optional[_Iterable[_Union[_infer_tensor_pb2.InferTensor, _Mapping]]] = ...) -> None: ...

class StreamPredictResponse(_message.Message):
    __slots__ = ("results", "message_index", "latency", "columns")
    RESULTS_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_INDEX_FIELD_NUMBER: _ClassVar[int]
    LATENCY_FIELD_NUMBER: _ClassVar[int]
    COLUMNS_FIELD_NUMBER: _ClassVar[int]
    results: _containers.RepeatedCompositeFieldContainer[RowPrediction]
    message_index: int
    latency: _duration_pb2.Duration
    columns: ColumnPrediction
    def __init__(self, results: _Optional[_Iterable[_Union[RowPrediction, _Mapping]]] = ..., message_index: _Optional[int] = ..., latency: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., columns: _Optional[_Union[ColumnPrediction, _Mapping]] = ...) -> None: ...

class ColumnPrediction(_message.Message):
    __slots__ = ("prediction_id", "model_version", "outputs", "classifications", "first_index")
    PREDICTION_ID_FIELD_NUMBER: _ClassVar[int]
    MODEL_VERSION_FIELD_NUMBER: _ClassVar[int]
    OUTPUTS_FIELD_NUMBER: _ClassVar[int]
    CLASSIFICATIONS_FIELD_NUMBER: _ClassVar[int]
    FIRST_INDEX_FIELD_NUMBER: _ClassVar[int]
    prediction_id: str
    model_version: str
    outputs: _containers.RepeatedCompositeFieldContainer[_infer_tensor_pb2.InferTensor]
    classifications: _containers.RepeatedCompositeFieldContainer[_infer_tensor_pb2.Classification]
    first_index: int
    def __init__(self, prediction_id: _Optional[str] = ..., model_version: _Optional[str] = ..., outputs: _Optional[_Iterable[_Union[_infer_tensor_pb2.InferTensor, _Mapping]]] = ..., classifications: _Optional[_Iterable[_Union[_infer_tensor_pb2.Classification, _Mapping]]] = ..., first_index: _Optional[int] = ...) -> None: ...

class StreamPredictBatchRequest(_message.Message):
    __slots__ = ("service", "inline_rows", "dataset", "routing_key", "output_names", "parameters", "rows_per_message", "request_id")
    class ParametersEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    SERVICE_FIELD_NUMBER: _ClassVar[int]
    INLINE_ROWS_FIELD_NUMBER: _ClassVar[int]
    DATASET_FIELD_NUMBER: _ClassVar[int]
    ROUTING_KEY_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_NAMES_FIELD_NUMBER: _ClassVar[int]
    PARAMETERS_FIELD_NUMBER: _ClassVar[int]
    ROWS_PER_MESSAGE_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    service: str
    inline_rows: InlineRows
    dataset: Dataset
    routing_key: str
    output_names: _containers.RepeatedScalarFieldContainer[str]
    parameters: _containers.ScalarMap[str, str]
    rows_per_message: int
    request_id: str
    def __init__(self, service: _Optional[str] = ..., inline_rows: _Optional[_Union[InlineRows, _Mapping]] = ..., dataset: _Optional[_Union[Dataset, _Mapping]] = ..., routing_key: _Optional[str] = ..., output_names: _Optional[_Iterable[str]] = ..., parameters: _Optional[_Mapping[str, str]] = ..., rows_per_message: _Optional[int] = ..., request_id: _Optional[str] = ...) -> None: ...

class InlineRows(_message.Message):
    __slots__ = ("rows",)
    ROWS_FIELD_NUMBER: _ClassVar[int]
    rows: _containers.RepeatedCompositeFieldContainer[PredictRow]
    def __init__(self, rows: _Optional[_Iterable[_Union[PredictRow, _Mapping]]] = ...) -> None: ...

class Dataset(_message.Message):
    __slots__ = ("uri", "format")
    URI_FIELD_NUMBER: _ClassVar[int]
    FORMAT_FIELD_NUMBER: _ClassVar[int]
    uri: str
    format: DatasetFormat
    def __init__(self, uri: _Optional[str] = ..., format: _Optional[_Union[DatasetFormat, str]] = ...) -> None: ...

class StreamPredictBatchResponse(_message.Message):
    __slots__ = ("results", "summary")
    RESULTS_FIELD_NUMBER: _ClassVar[int]
    SUMMARY_FIELD_NUMBER: _ClassVar[int]
    results: _containers.RepeatedCompositeFieldContainer[RowPrediction]
    summary: StreamPredictBatchSummary
    def __init__(self, results: _Optional[_Iterable[_Union[RowPrediction, _Mapping]]] = ..., summary: _Optional[_Union[StreamPredictBatchSummary, _Mapping]] = ...) -> None: ...

class StreamPredictBatchSummary(_message.Message):
    __slots__ = ("row_count", "succeeded_row_count", "failed_row_count", "latency", "model_versions")
    ROW_COUNT_FIELD_NUMBER: _ClassVar[int]
    SUCCEEDED_ROW_COUNT_FIELD_NUMBER: _ClassVar[int]
    FAILED_ROW_COUNT_FIELD_NUMBER: _ClassVar[int]
    LATENCY_FIELD_NUMBER: _ClassVar[int]
    MODEL_VERSIONS_FIELD_NUMBER: _ClassVar[int]
    row_count: int
    succeeded_row_count: int
    failed_row_count: int
    latency: _duration_pb2.Duration
    model_versions: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, row_count: _Optional[int] = ..., succeeded_row_count: _Optional[int] = ..., failed_row_count: _Optional[int] = ..., latency: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., model_versions: _Optional[_Iterable[str]] = ...) -> None: ...

class ReportFeedbackRequest(_message.Message):
    __slots__ = ("prediction_id", "label", "value", "metrics", "request_id", "row")
    class MetricsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: float
        def __init__(self, key: _Optional[str] = ..., value: _Optional[float] = ...) -> None: ...
    PREDICTION_ID_FIELD_NUMBER: _ClassVar[int]
    LABEL_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    METRICS_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    ROW_FIELD_NUMBER: _ClassVar[int]
    prediction_id: str
    label: str
    value: float
    metrics: _containers.ScalarMap[str, float]
    request_id: str
    row: int
    def __init__(self, prediction_id: _Optional[str] = ..., label: _Optional[str] = ..., value: _Optional[float] = ..., metrics: _Optional[_Mapping[str, float]] = ..., request_id: _Optional[str] = ..., row: _Optional[int] = ...) -> None: ...

class ReportFeedbackResponse(_message.Message):
    __slots__ = ("prediction_id", "service", "model_version", "ensemble_snapshot", "ab_test", "variant", "canary_rollout")
    PREDICTION_ID_FIELD_NUMBER: _ClassVar[int]
    SERVICE_FIELD_NUMBER: _ClassVar[int]
    MODEL_VERSION_FIELD_NUMBER: _ClassVar[int]
    ENSEMBLE_SNAPSHOT_FIELD_NUMBER: _ClassVar[int]
    AB_TEST_FIELD_NUMBER: _ClassVar[int]
    VARIANT_FIELD_NUMBER: _ClassVar[int]
    CANARY_ROLLOUT_FIELD_NUMBER: _ClassVar[int]
    prediction_id: str
    service: str
    model_version: str
    ensemble_snapshot: str
    ab_test: str
    variant: str
    canary_rollout: str
    def __init__(self, prediction_id: _Optional[str] = ..., service: _Optional[str] = ..., model_version: _Optional[str] = ..., ensemble_snapshot: _Optional[str] = ..., ab_test: _Optional[str] = ..., variant: _Optional[str] = ..., canary_rollout: _Optional[str] = ...) -> None: ...
