import datetime

from google.protobuf import struct_pb2 as _struct_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class SettingSource(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SETTING_SOURCE_UNSPECIFIED: _ClassVar[SettingSource]
    SETTING_SOURCE_DEFAULT: _ClassVar[SettingSource]
    SETTING_SOURCE_ENV: _ClassVar[SettingSource]
    SETTING_SOURCE_FILE: _ClassVar[SettingSource]
    SETTING_SOURCE_STORED: _ClassVar[SettingSource]

class SettingType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SETTING_TYPE_UNSPECIFIED: _ClassVar[SettingType]
    SETTING_TYPE_STRING: _ClassVar[SettingType]
    SETTING_TYPE_INTEGER: _ClassVar[SettingType]
    SETTING_TYPE_NUMBER: _ClassVar[SettingType]
    SETTING_TYPE_BOOLEAN: _ClassVar[SettingType]
    SETTING_TYPE_STRING_LIST: _ClassVar[SettingType]

class SettingsAuditAction(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SETTINGS_AUDIT_ACTION_UNSPECIFIED: _ClassVar[SettingsAuditAction]
    SETTINGS_AUDIT_ACTION_UPDATE: _ClassVar[SettingsAuditAction]
    SETTINGS_AUDIT_ACTION_RESET: _ClassVar[SettingsAuditAction]

class PluginState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PLUGIN_STATE_UNSPECIFIED: _ClassVar[PluginState]
    PLUGIN_STATE_LOADED: _ClassVar[PluginState]
    PLUGIN_STATE_FAILED: _ClassVar[PluginState]
SETTING_SOURCE_UNSPECIFIED: SettingSource
SETTING_SOURCE_DEFAULT: SettingSource
SETTING_SOURCE_ENV: SettingSource
SETTING_SOURCE_FILE: SettingSource
SETTING_SOURCE_STORED: SettingSource
SETTING_TYPE_UNSPECIFIED: SettingType
SETTING_TYPE_STRING: SettingType
SETTING_TYPE_INTEGER: SettingType
SETTING_TYPE_NUMBER: SettingType
SETTING_TYPE_BOOLEAN: SettingType
SETTING_TYPE_STRING_LIST: SettingType
SETTINGS_AUDIT_ACTION_UNSPECIFIED: SettingsAuditAction
SETTINGS_AUDIT_ACTION_UPDATE: SettingsAuditAction
SETTINGS_AUDIT_ACTION_RESET: SettingsAuditAction
PLUGIN_STATE_UNSPECIFIED: PluginState
PLUGIN_STATE_LOADED: PluginState
PLUGIN_STATE_FAILED: PluginState

class Setting(_message.Message):
    __slots__ = ("name", "value", "source", "secret", "restart_required", "restart_pending", "update_time", "updater", "etag")
    NAME_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    SECRET_FIELD_NUMBER: _ClassVar[int]
    RESTART_REQUIRED_FIELD_NUMBER: _ClassVar[int]
    RESTART_PENDING_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATER_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    name: str
    value: _struct_pb2.Value
    source: SettingSource
    secret: bool
    restart_required: bool
    restart_pending: bool
    update_time: _timestamp_pb2.Timestamp
    updater: str
    etag: str
    def __init__(self, name: _Optional[str] = ..., value: _Optional[_Union[_struct_pb2.Value, _Mapping]] = ..., source: _Optional[_Union[SettingSource, str]] = ..., secret: _Optional[bool] = ..., restart_required: _Optional[bool] = ..., restart_pending: _Optional[bool] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., updater: _Optional[str] = ..., etag: _Optional[str] = ...) -> None: ...

class SettingDefinition(_message.Message):
    __slots__ = ("key", "type", "description", "default_value", "choices", "minimum", "maximum", "secret", "restart_required", "env_var")
    KEY_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    DEFAULT_VALUE_FIELD_NUMBER: _ClassVar[int]
    CHOICES_FIELD_NUMBER: _ClassVar[int]
    MINIMUM_FIELD_NUMBER: _ClassVar[int]
    MAXIMUM_FIELD_NUMBER: _ClassVar[int]
    SECRET_FIELD_NUMBER: _ClassVar[int]
    RESTART_REQUIRED_FIELD_NUMBER: _ClassVar[int]
    ENV_VAR_FIELD_NUMBER: _ClassVar[int]
    key: str
    type: SettingType
    description: str
    default_value: _struct_pb2.Value
    choices: _containers.RepeatedScalarFieldContainer[str]
    minimum: float
    maximum: float
    secret: bool
    restart_required: bool
    env_var: str
    def __init__(self, key: _Optional[str] = ..., type: _Optional[_Union[SettingType, str]] = ..., description: _Optional[str] = ..., default_value: _Optional[_Union[_struct_pb2.Value, _Mapping]] = ..., choices: _Optional[_Iterable[str]] = ..., minimum: _Optional[float] = ..., maximum: _Optional[float] = ..., secret: _Optional[bool] = ..., restart_required: _Optional[bool] = ..., env_var: _Optional[str] = ...) -> None: ...

class SettingsSection(_message.Message):
    __slots__ = ("name", "description", "settings")
    NAME_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    SETTINGS_FIELD_NUMBER: _ClassVar[int]
    name: str
    description: str
    settings: _containers.RepeatedCompositeFieldContainer[SettingDefinition]
    def __init__(self, name: _Optional[str] = ..., description: _Optional[str] = ..., settings: _Optional[_Iterable[_Union[SettingDefinition, _Mapping]]] = ...) -> None: ...

class SettingsAuditEntry(_message.Message):
    __slots__ = ("setting", "action", "old_value", "new_value", "old_source", "new_source", "actor", "request_id", "create_time", "secret")
    SETTING_FIELD_NUMBER: _ClassVar[int]
    ACTION_FIELD_NUMBER: _ClassVar[int]
    OLD_VALUE_FIELD_NUMBER: _ClassVar[int]
    NEW_VALUE_FIELD_NUMBER: _ClassVar[int]
    OLD_SOURCE_FIELD_NUMBER: _ClassVar[int]
    NEW_SOURCE_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    SECRET_FIELD_NUMBER: _ClassVar[int]
    setting: str
    action: SettingsAuditAction
    old_value: _struct_pb2.Value
    new_value: _struct_pb2.Value
    old_source: SettingSource
    new_source: SettingSource
    actor: str
    request_id: str
    create_time: _timestamp_pb2.Timestamp
    secret: bool
    def __init__(self, setting: _Optional[str] = ..., action: _Optional[_Union[SettingsAuditAction, str]] = ..., old_value: _Optional[_Union[_struct_pb2.Value, _Mapping]] = ..., new_value: _Optional[_Union[_struct_pb2.Value, _Mapping]] = ..., old_source: _Optional[_Union[SettingSource, str]] = ..., new_source: _Optional[_Union[SettingSource, str]] = ..., actor: _Optional[str] = ..., request_id: _Optional[str] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., secret: _Optional[bool] = ...) -> None: ...

class Plugin(_message.Message):
    __slots__ = ("name", "package", "state", "error", "api_version", "providers", "ensemble_strategies", "load_millis")
    NAME_FIELD_NUMBER: _ClassVar[int]
    PACKAGE_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    API_VERSION_FIELD_NUMBER: _ClassVar[int]
    PROVIDERS_FIELD_NUMBER: _ClassVar[int]
    ENSEMBLE_STRATEGIES_FIELD_NUMBER: _ClassVar[int]
    LOAD_MILLIS_FIELD_NUMBER: _ClassVar[int]
    name: str
    package: str
    state: PluginState
    error: str
    api_version: int
    providers: _containers.RepeatedScalarFieldContainer[str]
    ensemble_strategies: _containers.RepeatedScalarFieldContainer[str]
    load_millis: int
    def __init__(self, name: _Optional[str] = ..., package: _Optional[str] = ..., state: _Optional[_Union[PluginState, str]] = ..., error: _Optional[str] = ..., api_version: _Optional[int] = ..., providers: _Optional[_Iterable[str]] = ..., ensemble_strategies: _Optional[_Iterable[str]] = ..., load_millis: _Optional[int] = ...) -> None: ...
