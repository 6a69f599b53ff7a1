import datetime

from artenic_client.health.v1 import health_pb2 as _health_pb2
from artenic_client.buf.validate import validate_pb2 as _validate_pb2
from google.protobuf import duration_pb2 as _duration_pb2
from google.protobuf import field_mask_pb2 as _field_mask_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class GetHealthRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class GetHealthResponse(_message.Message):
    __slots__ = ("health",)
    HEALTH_FIELD_NUMBER: _ClassVar[int]
    health: _health_pb2.Health
    def __init__(self, health: _Optional[_Union[_health_pb2.Health, _Mapping]] = ...) -> None: ...

class ListHealthSnapshotsRequest(_message.Message):
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

class ListHealthSnapshotsResponse(_message.Message):
    __slots__ = ("health_snapshots", "next_page_token", "total_size")
    HEALTH_SNAPSHOTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    TOTAL_SIZE_FIELD_NUMBER: _ClassVar[int]
    health_snapshots: _containers.RepeatedCompositeFieldContainer[_health_pb2.HealthSnapshot]
    next_page_token: str
    total_size: int
    def __init__(self, health_snapshots: _Optional[_Iterable[_Union[_health_pb2.HealthSnapshot, _Mapping]]] = ..., next_page_token: _Optional[str] = ..., total_size: _Optional[int] = ...) -> None: ...

class GetHealthThresholdsRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class GetHealthThresholdsResponse(_message.Message):
    __slots__ = ("thresholds",)
    THRESHOLDS_FIELD_NUMBER: _ClassVar[int]
    thresholds: _health_pb2.HealthThresholds
    def __init__(self, thresholds: _Optional[_Union[_health_pb2.HealthThresholds, _Mapping]] = ...) -> None: ...

class UpdateHealthThresholdsRequest(_message.Message):
    __slots__ = ("thresholds", "update_mask")
    THRESHOLDS_FIELD_NUMBER: _ClassVar[int]
    UPDATE_MASK_FIELD_NUMBER: _ClassVar[int]
    thresholds: _health_pb2.HealthThresholds
    update_mask: _field_mask_pb2.FieldMask
    def __init__(self, thresholds: _Optional[_Union[_health_pb2.HealthThresholds, _Mapping]] = ..., update_mask: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ...) -> None: ...

class UpdateHealthThresholdsResponse(_message.Message):
    __slots__ = ("thresholds",)
    THRESHOLDS_FIELD_NUMBER: _ClassVar[int]
    thresholds: _health_pb2.HealthThresholds
    def __init__(self, thresholds: _Optional[_Union[_health_pb2.HealthThresholds, _Mapping]] = ...) -> None: ...

class CreateHealthBaselineRequest(_message.Message):
    __slots__ = ("parent", "capture", "upload", "request_id")
    PARENT_FIELD_NUMBER: _ClassVar[int]
    CAPTURE_FIELD_NUMBER: _ClassVar[int]
    UPLOAD_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    parent: str
    capture: BaselineCapture
    upload: BaselineUpload
    request_id: str
    def __init__(self, parent: _Optional[str] = ..., capture: _Optional[_Union[BaselineCapture, _Mapping]] = ..., upload: _Optional[_Union[BaselineUpload, _Mapping]] = ..., request_id: _Optional[str] = ...) -> None: ...

class BaselineCapture(_message.Message):
    __slots__ = ("lookback",)
    LOOKBACK_FIELD_NUMBER: _ClassVar[int]
    lookback: _duration_pb2.Duration
    def __init__(self, lookback: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ...) -> None: ...

class BaselineUpload(_message.Message):
    __slots__ = ("inputs", "outputs")
    INPUTS_FIELD_NUMBER: _ClassVar[int]
    OUTPUTS_FIELD_NUMBER: _ClassVar[int]
    inputs: _containers.RepeatedCompositeFieldContainer[_health_pb2.FeatureDistribution]
    outputs: _containers.RepeatedCompositeFieldContainer[_health_pb2.FeatureDistribution]
    def __init__(self, inputs: _Optional[_Iterable[_Union[_health_pb2.FeatureDistribution, _Mapping]]] = ..., outputs: _Optional[_Iterable[_Union[_health_pb2.FeatureDistribution, _Mapping]]] = ...) -> None: ...

class CreateHealthBaselineResponse(_message.Message):
    __slots__ = ("baseline",)
    BASELINE_FIELD_NUMBER: _ClassVar[int]
    baseline: _health_pb2.HealthBaseline
    def __init__(self, baseline: _Optional[_Union[_health_pb2.HealthBaseline, _Mapping]] = ...) -> None: ...

class GetHealthBaselineRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class GetHealthBaselineResponse(_message.Message):
    __slots__ = ("baseline",)
    BASELINE_FIELD_NUMBER: _ClassVar[int]
    baseline: _health_pb2.HealthBaseline
    def __init__(self, baseline: _Optional[_Union[_health_pb2.HealthBaseline, _Mapping]] = ...) -> None: ...

class DeleteHealthBaselineRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class DeleteHealthBaselineResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class WatchHealthRequest(_message.Message):
    __slots__ = ("name", "interval")
    NAME_FIELD_NUMBER: _ClassVar[int]
    INTERVAL_FIELD_NUMBER: _ClassVar[int]
    name: str
    interval: _duration_pb2.Duration
    def __init__(self, name: _Optional[str] = ..., interval: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ...) -> None: ...

class WatchHealthResponse(_message.Message):
    __slots__ = ("health", "status_changed")
    HEALTH_FIELD_NUMBER: _ClassVar[int]
    STATUS_CHANGED_FIELD_NUMBER: _ClassVar[int]
    health: _health_pb2.Health
    status_changed: bool
    def __init__(self, health: _Optional[_Union[_health_pb2.Health, _Mapping]] = ..., status_changed: _Optional[bool] = ...) -> None: ...
