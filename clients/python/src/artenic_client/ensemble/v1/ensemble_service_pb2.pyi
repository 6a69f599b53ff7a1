import datetime

from artenic_client.ensemble.v1 import ensemble_pb2 as _ensemble_pb2
from artenic_client.buf.validate import validate_pb2 as _validate_pb2
from google.protobuf import duration_pb2 as _duration_pb2
from google.protobuf import field_mask_pb2 as _field_mask_pb2
from google.type import money_pb2 as _money_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class CreateEnsembleRequest(_message.Message):
    __slots__ = ("ensemble_id", "ensemble", "request_id")
    ENSEMBLE_ID_FIELD_NUMBER: _ClassVar[int]
    ENSEMBLE_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    ensemble_id: str
    ensemble: _ensemble_pb2.Ensemble
    request_id: str
    def __init__(self, ensemble_id: _Optional[str] = ..., ensemble: _Optional[_Union[_ensemble_pb2.Ensemble, _Mapping]] = ..., request_id: _Optional[str] = ...) -> None: ...

class CreateEnsembleResponse(_message.Message):
    __slots__ = ("ensemble",)
    ENSEMBLE_FIELD_NUMBER: _ClassVar[int]
    ensemble: _ensemble_pb2.Ensemble
    def __init__(self, ensemble: _Optional[_Union[_ensemble_pb2.Ensemble, _Mapping]] = ...) -> None: ...

class GetEnsembleRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class GetEnsembleResponse(_message.Message):
    __slots__ = ("ensemble",)
    ENSEMBLE_FIELD_NUMBER: _ClassVar[int]
    ensemble: _ensemble_pb2.Ensemble
    def __init__(self, ensemble: _Optional[_Union[_ensemble_pb2.Ensemble, _Mapping]] = ...) -> None: ...

class ListEnsemblesRequest(_message.Message):
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

class ListEnsemblesResponse(_message.Message):
    __slots__ = ("ensembles", "next_page_token", "total_size")
    ENSEMBLES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    TOTAL_SIZE_FIELD_NUMBER: _ClassVar[int]
    ensembles: _containers.RepeatedCompositeFieldContainer[_ensemble_pb2.Ensemble]
    next_page_token: str
    total_size: int
    def __init__(self, ensembles: _Optional[_Iterable[_Union[_ensemble_pb2.Ensemble, _Mapping]]] = ..., next_page_token: _Optional[str] = ..., total_size: _Optional[int] = ...) -> None: ...

class UpdateEnsembleRequest(_message.Message):
    __slots__ = ("ensemble", "update_mask", "reason")
    ENSEMBLE_FIELD_NUMBER: _ClassVar[int]
    UPDATE_MASK_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    ensemble: _ensemble_pb2.Ensemble
    update_mask: _field_mask_pb2.FieldMask
    reason: str
    def __init__(self, ensemble: _Optional[_Union[_ensemble_pb2.Ensemble, _Mapping]] = ..., update_mask: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ..., reason: _Optional[str] = ...) -> None: ...

class UpdateEnsembleResponse(_message.Message):
    __slots__ = ("ensemble",)
    ENSEMBLE_FIELD_NUMBER: _ClassVar[int]
    ensemble: _ensemble_pb2.Ensemble
    def __init__(self, ensemble: _Optional[_Union[_ensemble_pb2.Ensemble, _Mapping]] = ...) -> None: ...

class DeleteEnsembleRequest(_message.Message):
    __slots__ = ("name", "etag")
    NAME_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    name: str
    etag: str
    def __init__(self, name: _Optional[str] = ..., etag: _Optional[str] = ...) -> None: ...

class DeleteEnsembleResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class AddEnsembleMemberRequest(_message.Message):
    __slots__ = ("name", "member", "reason", "etag")
    NAME_FIELD_NUMBER: _ClassVar[int]
    MEMBER_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    name: str
    member: _ensemble_pb2.Member
    reason: str
    etag: str
    def __init__(self, name: _Optional[str] = ..., member: _Optional[_Union[_ensemble_pb2.Member, _Mapping]] = ..., reason: _Optional[str] = ..., etag: _Optional[str] = ...) -> None: ...

class AddEnsembleMemberResponse(_message.Message):
    __slots__ = ("ensemble",)
    ENSEMBLE_FIELD_NUMBER: _ClassVar[int]
    ensemble: _ensemble_pb2.Ensemble
    def __init__(self, ensemble: _Optional[_Union[_ensemble_pb2.Ensemble, _Mapping]] = ...) -> None: ...

class RemoveEnsembleMemberRequest(_message.Message):
    __slots__ = ("name", "model_version", "reason", "etag")
    NAME_FIELD_NUMBER: _ClassVar[int]
    MODEL_VERSION_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    name: str
    model_version: str
    reason: str
    etag: str
    def __init__(self, name: _Optional[str] = ..., model_version: _Optional[str] = ..., reason: _Optional[str] = ..., etag: _Optional[str] = ...) -> None: ...

class RemoveEnsembleMemberResponse(_message.Message):
    __slots__ = ("ensemble",)
    ENSEMBLE_FIELD_NUMBER: _ClassVar[int]
    ensemble: _ensemble_pb2.Ensemble
    def __init__(self, ensemble: _Optional[_Union[_ensemble_pb2.Ensemble, _Mapping]] = ...) -> None: ...

class ListEnsembleSnapshotsRequest(_message.Message):
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

class ListEnsembleSnapshotsResponse(_message.Message):
    __slots__ = ("snapshots", "next_page_token", "total_size")
    SNAPSHOTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    TOTAL_SIZE_FIELD_NUMBER: _ClassVar[int]
    snapshots: _containers.RepeatedCompositeFieldContainer[_ensemble_pb2.EnsembleSnapshot]
    next_page_token: str
    total_size: int
    def __init__(self, snapshots: _Optional[_Iterable[_Union[_ensemble_pb2.EnsembleSnapshot, _Mapping]]] = ..., next_page_token: _Optional[str] = ..., total_size: _Optional[int] = ...) -> None: ...

class GetEnsembleSnapshotRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class GetEnsembleSnapshotResponse(_message.Message):
    __slots__ = ("snapshot",)
    SNAPSHOT_FIELD_NUMBER: _ClassVar[int]
    snapshot: _ensemble_pb2.EnsembleSnapshot
    def __init__(self, snapshot: _Optional[_Union[_ensemble_pb2.EnsembleSnapshot, _Mapping]] = ...) -> None: ...

class RestoreEnsembleSnapshotRequest(_message.Message):
    __slots__ = ("name", "reason", "etag")
    NAME_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    name: str
    reason: str
    etag: str
    def __init__(self, name: _Optional[str] = ..., reason: _Optional[str] = ..., etag: _Optional[str] = ...) -> None: ...

class RestoreEnsembleSnapshotResponse(_message.Message):
    __slots__ = ("ensemble",)
    ENSEMBLE_FIELD_NUMBER: _ClassVar[int]
    ensemble: _ensemble_pb2.Ensemble
    def __init__(self, ensemble: _Optional[_Union[_ensemble_pb2.Ensemble, _Mapping]] = ...) -> None: ...

class PruneEnsembleMembersRequest(_message.Message):
    __slots__ = ("name", "dry_run", "weight_threshold", "min_members", "reason", "etag")
    NAME_FIELD_NUMBER: _ClassVar[int]
    DRY_RUN_FIELD_NUMBER: _ClassVar[int]
    WEIGHT_THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    MIN_MEMBERS_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    name: str
    dry_run: bool
    weight_threshold: float
    min_members: int
    reason: str
    etag: str
    def __init__(self, name: _Optional[str] = ..., dry_run: _Optional[bool] = ..., weight_threshold: _Optional[float] = ..., min_members: _Optional[int] = ..., reason: _Optional[str] = ..., etag: _Optional[str] = ...) -> None: ...

class PruneEnsembleMembersResponse(_message.Message):
    __slots__ = ("ensemble", "pruned_members")
    ENSEMBLE_FIELD_NUMBER: _ClassVar[int]
    PRUNED_MEMBERS_FIELD_NUMBER: _ClassVar[int]
    ensemble: _ensemble_pb2.Ensemble
    pruned_members: _containers.RepeatedCompositeFieldContainer[PrunedMember]
    def __init__(self, ensemble: _Optional[_Union[_ensemble_pb2.Ensemble, _Mapping]] = ..., pruned_members: _Optional[_Iterable[_Union[PrunedMember, _Mapping]]] = ...) -> None: ...

class PrunedMember(_message.Message):
    __slots__ = ("member", "reason")
    MEMBER_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    member: _ensemble_pb2.Member
    reason: str
    def __init__(self, member: _Optional[_Union[_ensemble_pb2.Member, _Mapping]] = ..., reason: _Optional[str] = ...) -> None: ...

class TrainEnsembleMembersRequest(_message.Message):
    __slots__ = ("name", "template", "model_versions", "replace_members", "request_id")
    NAME_FIELD_NUMBER: _ClassVar[int]
    TEMPLATE_FIELD_NUMBER: _ClassVar[int]
    MODEL_VERSIONS_FIELD_NUMBER: _ClassVar[int]
    REPLACE_MEMBERS_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    name: str
    template: TrainingTemplate
    model_versions: _containers.RepeatedScalarFieldContainer[str]
    replace_members: bool
    request_id: str
    def __init__(self, name: _Optional[str] = ..., template: _Optional[_Union[TrainingTemplate, _Mapping]] = ..., model_versions: _Optional[_Iterable[str]] = ..., replace_members: _Optional[bool] = ..., request_id: _Optional[str] = ...) -> None: ...

class TrainEnsembleMembersResponse(_message.Message):
    __slots__ = ("training_group", "jobs")
    TRAINING_GROUP_FIELD_NUMBER: _ClassVar[int]
    JOBS_FIELD_NUMBER: _ClassVar[int]
    training_group: str
    jobs: _containers.RepeatedCompositeFieldContainer[MemberTrainingJob]
    def __init__(self, training_group: _Optional[str] = ..., jobs: _Optional[_Iterable[_Union[MemberTrainingJob, _Mapping]]] = ...) -> None: ...

class MemberTrainingJob(_message.Message):
    __slots__ = ("model_version", "training_job")
    MODEL_VERSION_FIELD_NUMBER: _ClassVar[int]
    TRAINING_JOB_FIELD_NUMBER: _ClassVar[int]
    model_version: str
    training_job: str
    def __init__(self, model_version: _Optional[str] = ..., training_job: _Optional[str] = ...) -> None: ...

class TrainingTemplate(_message.Message):
    __slots__ = ("image", "command", "args", "env", "hyperparameters", "provider", "region", "instance_type", "cpu", "memory_mib", "gpu_type", "gpu_count", "spot", "max_runtime", "max_cost_per_job", "labels")
    class EnvEntry(_message.Message):
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
    class LabelsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    IMAGE_FIELD_NUMBER: _ClassVar[int]
    COMMAND_FIELD_NUMBER: _ClassVar[int]
    ARGS_FIELD_NUMBER: _ClassVar[int]
    ENV_FIELD_NUMBER: _ClassVar[int]
    HYPERPARAMETERS_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_FIELD_NUMBER: _ClassVar[int]
    REGION_FIELD_NUMBER: _ClassVar[int]
    INSTANCE_TYPE_FIELD_NUMBER: _ClassVar[int]
    CPU_FIELD_NUMBER: _ClassVar[int]
    MEMORY_MIB_FIELD_NUMBER: _ClassVar[int]
    GPU_TYPE_FIELD_NUMBER: _ClassVar[int]
    GPU_COUNT_FIELD_NUMBER: _ClassVar[int]
    SPOT_FIELD_NUMBER: _ClassVar[int]
    MAX_RUNTIME_FIELD_NUMBER: _ClassVar[int]
    MAX_COST_PER_JOB_FIELD_NUMBER: _ClassVar[int]
    LABELS_FIELD_NUMBER: _ClassVar[int]
    image: str
    command: _containers.RepeatedScalarFieldContainer[str]
    args: _containers.RepeatedScalarFieldContainer[str]
    env: _containers.ScalarMap[str, str]
    hyperparameters: _containers.ScalarMap[str, str]
    provider: str
    region: str
    instance_type: str
    cpu: float
    memory_mib: int
    gpu_type: str
    gpu_count: int
    spot: bool
    max_runtime: _duration_pb2.Duration
    max_cost_per_job: _money_pb2.Money
    labels: _containers.ScalarMap[str, str]
    def __init__(self, image: _Optional[str] = ..., command: _Optional[_Iterable[str]] = ..., args: _Optional[_Iterable[str]] = ..., env: _Optional[_Mapping[str, str]] = ..., hyperparameters: _Optional[_Mapping[str, str]] = ..., provider: _Optional[str] = ..., region: _Optional[str] = ..., instance_type: _Optional[str] = ..., cpu: _Optional[float] = ..., memory_mib: _Optional[int] = ..., gpu_type: _Optional[str] = ..., gpu_count: _Optional[int] = ..., spot: _Optional[bool] = ..., max_runtime: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., max_cost_per_job: _Optional[_Union[_money_pb2.Money, _Mapping]] = ..., labels: _Optional[_Mapping[str, str]] = ...) -> None: ...
