import datetime

from artenic_client.buf.validate import validate_pb2 as _validate_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.type import interval_pb2 as _interval_pb2
from google.type import money_pb2 as _money_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class BudgetScopeKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    BUDGET_SCOPE_KIND_UNSPECIFIED: _ClassVar[BudgetScopeKind]
    BUDGET_SCOPE_KIND_GLOBAL: _ClassVar[BudgetScopeKind]
    BUDGET_SCOPE_KIND_SERVICE: _ClassVar[BudgetScopeKind]
    BUDGET_SCOPE_KIND_PROVIDER: _ClassVar[BudgetScopeKind]
    BUDGET_SCOPE_KIND_API_KEY: _ClassVar[BudgetScopeKind]

class BudgetPeriod(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    BUDGET_PERIOD_UNSPECIFIED: _ClassVar[BudgetPeriod]
    BUDGET_PERIOD_DAILY: _ClassVar[BudgetPeriod]
    BUDGET_PERIOD_WEEKLY: _ClassVar[BudgetPeriod]
    BUDGET_PERIOD_MONTHLY: _ClassVar[BudgetPeriod]

class BudgetEnforcement(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    BUDGET_ENFORCEMENT_UNSPECIFIED: _ClassVar[BudgetEnforcement]
    BUDGET_ENFORCEMENT_BLOCK: _ClassVar[BudgetEnforcement]
    BUDGET_ENFORCEMENT_WARN: _ClassVar[BudgetEnforcement]

class SpendingEntryState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SPENDING_ENTRY_STATE_UNSPECIFIED: _ClassVar[SpendingEntryState]
    SPENDING_ENTRY_STATE_RESERVED: _ClassVar[SpendingEntryState]
    SPENDING_ENTRY_STATE_SETTLED: _ClassVar[SpendingEntryState]
BUDGET_SCOPE_KIND_UNSPECIFIED: BudgetScopeKind
BUDGET_SCOPE_KIND_GLOBAL: BudgetScopeKind
BUDGET_SCOPE_KIND_SERVICE: BudgetScopeKind
BUDGET_SCOPE_KIND_PROVIDER: BudgetScopeKind
BUDGET_SCOPE_KIND_API_KEY: BudgetScopeKind
BUDGET_PERIOD_UNSPECIFIED: BudgetPeriod
BUDGET_PERIOD_DAILY: BudgetPeriod
BUDGET_PERIOD_WEEKLY: BudgetPeriod
BUDGET_PERIOD_MONTHLY: BudgetPeriod
BUDGET_ENFORCEMENT_UNSPECIFIED: BudgetEnforcement
BUDGET_ENFORCEMENT_BLOCK: BudgetEnforcement
BUDGET_ENFORCEMENT_WARN: BudgetEnforcement
SPENDING_ENTRY_STATE_UNSPECIFIED: SpendingEntryState
SPENDING_ENTRY_STATE_RESERVED: SpendingEntryState
SPENDING_ENTRY_STATE_SETTLED: SpendingEntryState

class Budget(_message.Message):
    __slots__ = ("name", "display_name", "description", "labels", "scope", "period", "rolling", "time_zone", "amount", "enforcement", "alert_thresholds", "enabled", "current_period", "spent", "reserved", "remaining", "percent_used", "create_time", "update_time", "etag")
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
    SCOPE_FIELD_NUMBER: _ClassVar[int]
    PERIOD_FIELD_NUMBER: _ClassVar[int]
    ROLLING_FIELD_NUMBER: _ClassVar[int]
    TIME_ZONE_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    ENFORCEMENT_FIELD_NUMBER: _ClassVar[int]
    ALERT_THRESHOLDS_FIELD_NUMBER: _ClassVar[int]
    ENABLED_FIELD_NUMBER: _ClassVar[int]
    CURRENT_PERIOD_FIELD_NUMBER: _ClassVar[int]
    SPENT_FIELD_NUMBER: _ClassVar[int]
    RESERVED_FIELD_NUMBER: _ClassVar[int]
    REMAINING_FIELD_NUMBER: _ClassVar[int]
    PERCENT_USED_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    name: str
    display_name: str
    description: str
    labels: _containers.ScalarMap[str, str]
    scope: BudgetScope
    period: BudgetPeriod
    rolling: bool
    time_zone: str
    amount: _money_pb2.Money
    enforcement: BudgetEnforcement
    alert_thresholds: _containers.RepeatedScalarFieldContainer[float]
    enabled: bool
    current_period: _interval_pb2.Interval
    spent: _money_pb2.Money
    reserved: _money_pb2.Money
    remaining: _money_pb2.Money
    percent_used: float
    create_time: _timestamp_pb2.Timestamp
    update_time: _timestamp_pb2.Timestamp
    etag: str
    def __init__(self, name: _Optional[str] = ..., display_name: _Optional[str] = ..., description: _Optional[str] = ..., labels: _Optional[_Mapping[str, str]] = ..., scope: _Optional[_Union[BudgetScope, _Mapping]] = ..., period: _Optional[_Union[BudgetPeriod, str]] = ..., rolling: _Optional[bool] = ..., time_zone: _Optional[str] = ..., amount: _Optional[_Union[_money_pb2.Money, _Mapping]] = ..., enforcement: _Optional[_Union[BudgetEnforcement, str]] = ..., alert_thresholds: _Optional[_Iterable[float]] = ..., enabled: _Optional[bool] = ..., current_period: _Optional[_Union[_interval_pb2.Interval, _Mapping]] = ..., spent: _Optional[_Union[_money_pb2.Money, _Mapping]] = ..., reserved: _Optional[_Union[_money_pb2.Money, _Mapping]] = ..., remaining: _Optional[_Union[_money_pb2.Money, _Mapping]] = ..., percent_used: _Optional[float] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., etag: _Optional[str] = ...) -> None: ...

class BudgetScope(_message.Message):
    __slots__ = ("kind", "target")
    KIND_FIELD_NUMBER: _ClassVar[int]
    TARGET_FIELD_NUMBER: _ClassVar[int]
    kind: BudgetScopeKind
    target: str
    def __init__(self, kind: _Optional[_Union[BudgetScopeKind, str]] = ..., target: _Optional[str] = ...) -> None: ...

class BudgetAlert(_message.Message):
    __slots__ = ("name", "threshold_percent", "percent_used", "amount", "spent", "reserved", "period", "training_job", "create_time")
    NAME_FIELD_NUMBER: _ClassVar[int]
    THRESHOLD_PERCENT_FIELD_NUMBER: _ClassVar[int]
    PERCENT_USED_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    SPENT_FIELD_NUMBER: _ClassVar[int]
    RESERVED_FIELD_NUMBER: _ClassVar[int]
    PERIOD_FIELD_NUMBER: _ClassVar[int]
    TRAINING_JOB_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    name: str
    threshold_percent: float
    percent_used: float
    amount: _money_pb2.Money
    spent: _money_pb2.Money
    reserved: _money_pb2.Money
    period: _interval_pb2.Interval
    training_job: str
    create_time: _timestamp_pb2.Timestamp
    def __init__(self, name: _Optional[str] = ..., threshold_percent: _Optional[float] = ..., percent_used: _Optional[float] = ..., amount: _Optional[_Union[_money_pb2.Money, _Mapping]] = ..., spent: _Optional[_Union[_money_pb2.Money, _Mapping]] = ..., reserved: _Optional[_Union[_money_pb2.Money, _Mapping]] = ..., period: _Optional[_Union[_interval_pb2.Interval, _Mapping]] = ..., training_job: _Optional[str] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class SpendingSummary(_message.Message):
    __slots__ = ("budget", "period", "amount", "spent", "reserved", "remaining", "percent_used", "by_provider", "entries", "total_entry_count")
    BUDGET_FIELD_NUMBER: _ClassVar[int]
    PERIOD_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    SPENT_FIELD_NUMBER: _ClassVar[int]
    RESERVED_FIELD_NUMBER: _ClassVar[int]
    REMAINING_FIELD_NUMBER: _ClassVar[int]
    PERCENT_USED_FIELD_NUMBER: _ClassVar[int]
    BY_PROVIDER_FIELD_NUMBER: _ClassVar[int]
    ENTRIES_FIELD_NUMBER: _ClassVar[int]
    TOTAL_ENTRY_COUNT_FIELD_NUMBER: _ClassVar[int]
    budget: str
    period: _interval_pb2.Interval
    amount: _money_pb2.Money
    spent: _money_pb2.Money
    reserved: _money_pb2.Money
    remaining: _money_pb2.Money
    percent_used: float
    by_provider: _containers.RepeatedCompositeFieldContainer[ProviderSpending]
    entries: _containers.RepeatedCompositeFieldContainer[SpendingEntry]
    total_entry_count: int
    def __init__(self, budget: _Optional[str] = ..., period: _Optional[_Union[_interval_pb2.Interval, _Mapping]] = ..., amount: _Optional[_Union[_money_pb2.Money, _Mapping]] = ..., spent: _Optional[_Union[_money_pb2.Money, _Mapping]] = ..., reserved: _Optional[_Union[_money_pb2.Money, _Mapping]] = ..., remaining: _Optional[_Union[_money_pb2.Money, _Mapping]] = ..., percent_used: _Optional[float] = ..., by_provider: _Optional[_Iterable[_Union[ProviderSpending, _Mapping]]] = ..., entries: _Optional[_Iterable[_Union[SpendingEntry, _Mapping]]] = ..., total_entry_count: _Optional[int] = ...) -> None: ...

class ProviderSpending(_message.Message):
    __slots__ = ("provider", "spent", "reserved", "job_count")
    PROVIDER_FIELD_NUMBER: _ClassVar[int]
    SPENT_FIELD_NUMBER: _ClassVar[int]
    RESERVED_FIELD_NUMBER: _ClassVar[int]
    JOB_COUNT_FIELD_NUMBER: _ClassVar[int]
    provider: str
    spent: _money_pb2.Money
    reserved: _money_pb2.Money
    job_count: int
    def __init__(self, provider: _Optional[str] = ..., spent: _Optional[_Union[_money_pb2.Money, _Mapping]] = ..., reserved: _Optional[_Union[_money_pb2.Money, _Mapping]] = ..., job_count: _Optional[int] = ...) -> None: ...

class SpendingEntry(_message.Message):
    __slots__ = ("training_job", "provider", "service", "creator", "state", "amount", "reservation", "create_time", "settle_time")
    TRAINING_JOB_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_FIELD_NUMBER: _ClassVar[int]
    SERVICE_FIELD_NUMBER: _ClassVar[int]
    CREATOR_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    RESERVATION_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    SETTLE_TIME_FIELD_NUMBER: _ClassVar[int]
    training_job: str
    provider: str
    service: str
    creator: str
    state: SpendingEntryState
    amount: _money_pb2.Money
    reservation: _money_pb2.Money
    create_time: _timestamp_pb2.Timestamp
    settle_time: _timestamp_pb2.Timestamp
    def __init__(self, training_job: _Optional[str] = ..., provider: _Optional[str] = ..., service: _Optional[str] = ..., creator: _Optional[str] = ..., state: _Optional[_Union[SpendingEntryState, str]] = ..., amount: _Optional[_Union[_money_pb2.Money, _Mapping]] = ..., reservation: _Optional[_Union[_money_pb2.Money, _Mapping]] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., settle_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...
