import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.type import date_pb2 as _date_pb2
from google.type import money_pb2 as _money_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ProviderKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PROVIDER_KIND_UNSPECIFIED: _ClassVar[ProviderKind]
    PROVIDER_KIND_LOCAL: _ClassVar[ProviderKind]
    PROVIDER_KIND_KUBERNETES: _ClassVar[ProviderKind]
    PROVIDER_KIND_CLOUD: _ClassVar[ProviderKind]
    PROVIDER_KIND_GPU_CLOUD: _ClassVar[ProviderKind]
    PROVIDER_KIND_FAKE: _ClassVar[ProviderKind]
    PROVIDER_KIND_PLUGIN: _ClassVar[ProviderKind]

class ProviderState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PROVIDER_STATE_UNSPECIFIED: _ClassVar[ProviderState]
    PROVIDER_STATE_UNCONFIGURED: _ClassVar[ProviderState]
    PROVIDER_STATE_CONFIGURED: _ClassVar[ProviderState]
    PROVIDER_STATE_CONNECTED: _ClassVar[ProviderState]
    PROVIDER_STATE_ERROR: _ClassVar[ProviderState]
    PROVIDER_STATE_DISABLED: _ClassVar[ProviderState]

class PriceSource(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PRICE_SOURCE_UNSPECIFIED: _ClassVar[PriceSource]
    PRICE_SOURCE_LIVE: _ClassVar[PriceSource]
    PRICE_SOURCE_CATALOG: _ClassVar[PriceSource]
PROVIDER_KIND_UNSPECIFIED: ProviderKind
PROVIDER_KIND_LOCAL: ProviderKind
PROVIDER_KIND_KUBERNETES: ProviderKind
PROVIDER_KIND_CLOUD: ProviderKind
PROVIDER_KIND_GPU_CLOUD: ProviderKind
PROVIDER_KIND_FAKE: ProviderKind
PROVIDER_KIND_PLUGIN: ProviderKind
PROVIDER_STATE_UNSPECIFIED: ProviderState
PROVIDER_STATE_UNCONFIGURED: ProviderState
PROVIDER_STATE_CONFIGURED: ProviderState
PROVIDER_STATE_CONNECTED: ProviderState
PROVIDER_STATE_ERROR: ProviderState
PROVIDER_STATE_DISABLED: ProviderState
PRICE_SOURCE_UNSPECIFIED: PriceSource
PRICE_SOURCE_LIVE: PriceSource
PRICE_SOURCE_CATALOG: PriceSource

class Provider(_message.Message):
    __slots__ = ("name", "display_name", "description", "website_uri", "kind", "capabilities", "state", "state_message", "last_check_time", "enabled", "credential_fields", "config_fields", "config", "update_time", "etag")
    class ConfigEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    NAME_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    WEBSITE_URI_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    CAPABILITIES_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    STATE_MESSAGE_FIELD_NUMBER: _ClassVar[int]
    LAST_CHECK_TIME_FIELD_NUMBER: _ClassVar[int]
    ENABLED_FIELD_NUMBER: _ClassVar[int]
    CREDENTIAL_FIELDS_FIELD_NUMBER: _ClassVar[int]
    CONFIG_FIELDS_FIELD_NUMBER: _ClassVar[int]
    CONFIG_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    name: str
    display_name: str
    description: str
    website_uri: str
    kind: ProviderKind
    capabilities: ProviderCapabilities
    state: ProviderState
    state_message: str
    last_check_time: _timestamp_pb2.Timestamp
    enabled: bool
    credential_fields: _containers.RepeatedCompositeFieldContainer[CredentialField]
    config_fields: _containers.RepeatedCompositeFieldContainer[ConfigField]
    config: _containers.ScalarMap[str, str]
    update_time: _timestamp_pb2.Timestamp
    etag: str
    def __init__(self, name: _Optional[str] = ..., display_name: _Optional[str] = ..., description: _Optional[str] = ..., website_uri: _Optional[str] = ..., kind: _Optional[_Union[ProviderKind, str]] = ..., capabilities: _Optional[_Union[ProviderCapabilities, _Mapping]] = ..., state: _Optional[_Union[ProviderState, str]] = ..., state_message: _Optional[str] = ..., last_check_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., enabled: _Optional[bool] = ..., credential_fields: _Optional[_Iterable[_Union[CredentialField, _Mapping]]] = ..., config_fields: _Optional[_Iterable[_Union[ConfigField, _Mapping]]] = ..., config: _Optional[_Mapping[str, str]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., etag: _Optional[str] = ...) -> None: ...

class ProviderCapabilities(_message.Message):
    __slots__ = ("spot", "gpu", "object_storage", "live_pricing", "regions", "default_region", "gpu_types")
    SPOT_FIELD_NUMBER: _ClassVar[int]
    GPU_FIELD_NUMBER: _ClassVar[int]
    OBJECT_STORAGE_FIELD_NUMBER: _ClassVar[int]
    LIVE_PRICING_FIELD_NUMBER: _ClassVar[int]
    REGIONS_FIELD_NUMBER: _ClassVar[int]
    DEFAULT_REGION_FIELD_NUMBER: _ClassVar[int]
    GPU_TYPES_FIELD_NUMBER: _ClassVar[int]
    spot: bool
    gpu: bool
    object_storage: bool
    live_pricing: bool
    regions: _containers.RepeatedScalarFieldContainer[str]
    default_region: str
    gpu_types: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, spot: _Optional[bool] = ..., gpu: _Optional[bool] = ..., object_storage: _Optional[bool] = ..., live_pricing: _Optional[bool] = ..., regions: _Optional[_Iterable[str]] = ..., default_region: _Optional[str] = ..., gpu_types: _Optional[_Iterable[str]] = ...) -> None: ...

class CredentialField(_message.Message):
    __slots__ = ("key", "display_name", "description", "required", "secret", "set")
    KEY_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    REQUIRED_FIELD_NUMBER: _ClassVar[int]
    SECRET_FIELD_NUMBER: _ClassVar[int]
    SET_FIELD_NUMBER: _ClassVar[int]
    key: str
    display_name: str
    description: str
    required: bool
    secret: bool
    set: bool
    def __init__(self, key: _Optional[str] = ..., display_name: _Optional[str] = ..., description: _Optional[str] = ..., required: _Optional[bool] = ..., secret: _Optional[bool] = ..., set: _Optional[bool] = ...) -> None: ...

class ConfigField(_message.Message):
    __slots__ = ("key", "display_name", "description", "required", "default_value")
    KEY_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    REQUIRED_FIELD_NUMBER: _ClassVar[int]
    DEFAULT_VALUE_FIELD_NUMBER: _ClassVar[int]
    key: str
    display_name: str
    description: str
    required: bool
    default_value: str
    def __init__(self, key: _Optional[str] = ..., display_name: _Optional[str] = ..., description: _Optional[str] = ..., required: _Optional[bool] = ..., default_value: _Optional[str] = ...) -> None: ...

class InstanceType(_message.Message):
    __slots__ = ("name", "provider", "region", "cpus", "memory_bytes", "gpu_type", "gpu_count", "gpu_memory_bytes", "disk_bytes", "architecture", "on_demand_price", "spot_price", "spot_available", "price_date", "price_source", "source_currency", "exchange_rate", "available")
    NAME_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_FIELD_NUMBER: _ClassVar[int]
    REGION_FIELD_NUMBER: _ClassVar[int]
    CPUS_FIELD_NUMBER: _ClassVar[int]
    MEMORY_BYTES_FIELD_NUMBER: _ClassVar[int]
    GPU_TYPE_FIELD_NUMBER: _ClassVar[int]
    GPU_COUNT_FIELD_NUMBER: _ClassVar[int]
    GPU_MEMORY_BYTES_FIELD_NUMBER: _ClassVar[int]
    DISK_BYTES_FIELD_NUMBER: _ClassVar[int]
    ARCHITECTURE_FIELD_NUMBER: _ClassVar[int]
    ON_DEMAND_PRICE_FIELD_NUMBER: _ClassVar[int]
    SPOT_PRICE_FIELD_NUMBER: _ClassVar[int]
    SPOT_AVAILABLE_FIELD_NUMBER: _ClassVar[int]
    PRICE_DATE_FIELD_NUMBER: _ClassVar[int]
    PRICE_SOURCE_FIELD_NUMBER: _ClassVar[int]
    SOURCE_CURRENCY_FIELD_NUMBER: _ClassVar[int]
    EXCHANGE_RATE_FIELD_NUMBER: _ClassVar[int]
    AVAILABLE_FIELD_NUMBER: _ClassVar[int]
    name: str
    provider: str
    region: str
    cpus: float
    memory_bytes: int
    gpu_type: str
    gpu_count: int
    gpu_memory_bytes: int
    disk_bytes: int
    architecture: str
    on_demand_price: _money_pb2.Money
    spot_price: _money_pb2.Money
    spot_available: bool
    price_date: _date_pb2.Date
    price_source: PriceSource
    source_currency: str
    exchange_rate: float
    available: bool
    def __init__(self, name: _Optional[str] = ..., provider: _Optional[str] = ..., region: _Optional[str] = ..., cpus: _Optional[float] = ..., memory_bytes: _Optional[int] = ..., gpu_type: _Optional[str] = ..., gpu_count: _Optional[int] = ..., gpu_memory_bytes: _Optional[int] = ..., disk_bytes: _Optional[int] = ..., architecture: _Optional[str] = ..., on_demand_price: _Optional[_Union[_money_pb2.Money, _Mapping]] = ..., spot_price: _Optional[_Union[_money_pb2.Money, _Mapping]] = ..., spot_available: _Optional[bool] = ..., price_date: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., price_source: _Optional[_Union[PriceSource, str]] = ..., source_currency: _Optional[str] = ..., exchange_rate: _Optional[float] = ..., available: _Optional[bool] = ...) -> None: ...
