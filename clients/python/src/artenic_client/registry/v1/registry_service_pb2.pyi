from artenic_client.registry.v1 import model_pb2 as _model_pb2
from artenic_client.registry.v1 import model_transition_pb2 as _model_transition_pb2
from artenic_client.registry.v1 import model_version_pb2 as _model_version_pb2
from artenic_client.buf.validate import validate_pb2 as _validate_pb2
from google.protobuf import field_mask_pb2 as _field_mask_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class MetricGoal(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    METRIC_GOAL_UNSPECIFIED: _ClassVar[MetricGoal]
    METRIC_GOAL_MAXIMIZE: _ClassVar[MetricGoal]
    METRIC_GOAL_MINIMIZE: _ClassVar[MetricGoal]
METRIC_GOAL_UNSPECIFIED: MetricGoal
METRIC_GOAL_MAXIMIZE: MetricGoal
METRIC_GOAL_MINIMIZE: MetricGoal

class CreateModelRequest(_message.Message):
    __slots__ = ("model_id", "model", "request_id")
    MODEL_ID_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    model_id: str
    model: _model_pb2.Model
    request_id: str
    def __init__(self, model_id: _Optional[str] = ..., model: _Optional[_Union[_model_pb2.Model, _Mapping]] = ..., request_id: _Optional[str] = ...) -> None: ...

class CreateModelResponse(_message.Message):
    __slots__ = ("model",)
    MODEL_FIELD_NUMBER: _ClassVar[int]
    model: _model_pb2.Model
    def __init__(self, model: _Optional[_Union[_model_pb2.Model, _Mapping]] = ...) -> None: ...

class GetModelRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class GetModelResponse(_message.Message):
    __slots__ = ("model",)
    MODEL_FIELD_NUMBER: _ClassVar[int]
    model: _model_pb2.Model
    def __init__(self, model: _Optional[_Union[_model_pb2.Model, _Mapping]] = ...) -> None: ...

class ListModelsRequest(_message.Message):
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

class ListModelsResponse(_message.Message):
    __slots__ = ("models", "next_page_token", "total_size")
    MODELS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    TOTAL_SIZE_FIELD_NUMBER: _ClassVar[int]
    models: _containers.RepeatedCompositeFieldContainer[_model_pb2.Model]
    next_page_token: str
    total_size: int
    def __init__(self, models: _Optional[_Iterable[_Union[_model_pb2.Model, _Mapping]]] = ..., next_page_token: _Optional[str] = ..., total_size: _Optional[int] = ...) -> None: ...

class UpdateModelRequest(_message.Message):
    __slots__ = ("model", "update_mask")
    MODEL_FIELD_NUMBER: _ClassVar[int]
    UPDATE_MASK_FIELD_NUMBER: _ClassVar[int]
    model: _model_pb2.Model
    update_mask: _field_mask_pb2.FieldMask
    def __init__(self, model: _Optional[_Union[_model_pb2.Model, _Mapping]] = ..., update_mask: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ...) -> None: ...

class UpdateModelResponse(_message.Message):
    __slots__ = ("model",)
    MODEL_FIELD_NUMBER: _ClassVar[int]
    model: _model_pb2.Model
    def __init__(self, model: _Optional[_Union[_model_pb2.Model, _Mapping]] = ...) -> None: ...

class DeleteModelRequest(_message.Message):
    __slots__ = ("name", "force", "etag")
    NAME_FIELD_NUMBER: _ClassVar[int]
    FORCE_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    name: str
    force: bool
    etag: str
    def __init__(self, name: _Optional[str] = ..., force: _Optional[bool] = ..., etag: _Optional[str] = ...) -> None: ...

class DeleteModelResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class CreateModelVersionRequest(_message.Message):
    __slots__ = ("parent", "model_version", "request_id", "artifact_uri", "artifact_format")
    PARENT_FIELD_NUMBER: _ClassVar[int]
    MODEL_VERSION_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    ARTIFACT_URI_FIELD_NUMBER: _ClassVar[int]
    ARTIFACT_FORMAT_FIELD_NUMBER: _ClassVar[int]
    parent: str
    model_version: _model_version_pb2.ModelVersion
    request_id: str
    artifact_uri: str
    artifact_format: _model_version_pb2.ArtifactFormat
    def __init__(self, parent: _Optional[str] = ..., model_version: _Optional[_Union[_model_version_pb2.ModelVersion, _Mapping]] = ..., request_id: _Optional[str] = ..., artifact_uri: _Optional[str] = ..., artifact_format: _Optional[_Union[_model_version_pb2.ArtifactFormat, str]] = ...) -> None: ...

class CreateModelVersionResponse(_message.Message):
    __slots__ = ("model_version",)
    MODEL_VERSION_FIELD_NUMBER: _ClassVar[int]
    model_version: _model_version_pb2.ModelVersion
    def __init__(self, model_version: _Optional[_Union[_model_version_pb2.ModelVersion, _Mapping]] = ...) -> None: ...

class UploadModelVersionRequest(_message.Message):
    __slots__ = ("metadata", "chunk")
    METADATA_FIELD_NUMBER: _ClassVar[int]
    CHUNK_FIELD_NUMBER: _ClassVar[int]
    metadata: UploadModelVersionMetadata
    chunk: bytes
    def __init__(self, metadata: _Optional[_Union[UploadModelVersionMetadata, _Mapping]] = ..., chunk: _Optional[bytes] = ...) -> None: ...

class UploadModelVersionMetadata(_message.Message):
    __slots__ = ("parent", "model_version", "format", "content_type", "expected_sha256", "expected_size_bytes", "request_id")
    PARENT_FIELD_NUMBER: _ClassVar[int]
    MODEL_VERSION_FIELD_NUMBER: _ClassVar[int]
    FORMAT_FIELD_NUMBER: _ClassVar[int]
    CONTENT_TYPE_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_SHA256_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_SIZE_BYTES_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    parent: str
    model_version: _model_version_pb2.ModelVersion
    format: _model_version_pb2.ArtifactFormat
    content_type: str
    expected_sha256: str
    expected_size_bytes: int
    request_id: str
    def __init__(self, parent: _Optional[str] = ..., model_version: _Optional[_Union[_model_version_pb2.ModelVersion, _Mapping]] = ..., format: _Optional[_Union[_model_version_pb2.ArtifactFormat, str]] = ..., content_type: _Optional[str] = ..., expected_sha256: _Optional[str] = ..., expected_size_bytes: _Optional[int] = ..., request_id: _Optional[str] = ...) -> None: ...

class UploadModelVersionResponse(_message.Message):
    __slots__ = ("model_version",)
    MODEL_VERSION_FIELD_NUMBER: _ClassVar[int]
    model_version: _model_version_pb2.ModelVersion
    def __init__(self, model_version: _Optional[_Union[_model_version_pb2.ModelVersion, _Mapping]] = ...) -> None: ...

class DownloadModelVersionArtifactRequest(_message.Message):
    __slots__ = ("name", "chunk_size")
    NAME_FIELD_NUMBER: _ClassVar[int]
    CHUNK_SIZE_FIELD_NUMBER: _ClassVar[int]
    name: str
    chunk_size: int
    def __init__(self, name: _Optional[str] = ..., chunk_size: _Optional[int] = ...) -> None: ...

class DownloadModelVersionArtifactResponse(_message.Message):
    __slots__ = ("metadata", "chunk")
    METADATA_FIELD_NUMBER: _ClassVar[int]
    CHUNK_FIELD_NUMBER: _ClassVar[int]
    metadata: ArtifactMetadata
    chunk: bytes
    def __init__(self, metadata: _Optional[_Union[ArtifactMetadata, _Mapping]] = ..., chunk: _Optional[bytes] = ...) -> None: ...

class ArtifactMetadata(_message.Message):
    __slots__ = ("size_bytes", "sha256", "content_type", "format")
    SIZE_BYTES_FIELD_NUMBER: _ClassVar[int]
    SHA256_FIELD_NUMBER: _ClassVar[int]
    CONTENT_TYPE_FIELD_NUMBER: _ClassVar[int]
    FORMAT_FIELD_NUMBER: _ClassVar[int]
    size_bytes: int
    sha256: str
    content_type: str
    format: _model_version_pb2.ArtifactFormat
    def __init__(self, size_bytes: _Optional[int] = ..., sha256: _Optional[str] = ..., content_type: _Optional[str] = ..., format: _Optional[_Union[_model_version_pb2.ArtifactFormat, str]] = ...) -> None: ...

class GetModelVersionRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class GetModelVersionResponse(_message.Message):
    __slots__ = ("model_version",)
    MODEL_VERSION_FIELD_NUMBER: _ClassVar[int]
    model_version: _model_version_pb2.ModelVersion
    def __init__(self, model_version: _Optional[_Union[_model_version_pb2.ModelVersion, _Mapping]] = ...) -> None: ...

class ListModelVersionsRequest(_message.Message):
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

class ListModelVersionsResponse(_message.Message):
    __slots__ = ("model_versions", "next_page_token", "total_size")
    MODEL_VERSIONS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    TOTAL_SIZE_FIELD_NUMBER: _ClassVar[int]
    model_versions: _containers.RepeatedCompositeFieldContainer[_model_version_pb2.ModelVersion]
    next_page_token: str
    total_size: int
    def __init__(self, model_versions: _Optional[_Iterable[_Union[_model_version_pb2.ModelVersion, _Mapping]]] = ..., next_page_token: _Optional[str] = ..., total_size: _Optional[int] = ...) -> None: ...

class UpdateModelVersionRequest(_message.Message):
    __slots__ = ("model_version", "update_mask")
    MODEL_VERSION_FIELD_NUMBER: _ClassVar[int]
    UPDATE_MASK_FIELD_NUMBER: _ClassVar[int]
    model_version: _model_version_pb2.ModelVersion
    update_mask: _field_mask_pb2.FieldMask
    def __init__(self, model_version: _Optional[_Union[_model_version_pb2.ModelVersion, _Mapping]] = ..., update_mask: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ...) -> None: ...

class UpdateModelVersionResponse(_message.Message):
    __slots__ = ("model_version",)
    MODEL_VERSION_FIELD_NUMBER: _ClassVar[int]
    model_version: _model_version_pb2.ModelVersion
    def __init__(self, model_version: _Optional[_Union[_model_version_pb2.ModelVersion, _Mapping]] = ...) -> None: ...

class DeleteModelVersionRequest(_message.Message):
    __slots__ = ("name", "etag")
    NAME_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    name: str
    etag: str
    def __init__(self, name: _Optional[str] = ..., etag: _Optional[str] = ...) -> None: ...

class DeleteModelVersionResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class TransitionModelVersionStageRequest(_message.Message):
    __slots__ = ("name", "stage", "reason", "keep_existing_production", "etag")
    NAME_FIELD_NUMBER: _ClassVar[int]
    STAGE_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    KEEP_EXISTING_PRODUCTION_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    name: str
    stage: _model_version_pb2.ModelVersionStage
    reason: str
    keep_existing_production: bool
    etag: str
    def __init__(self, name: _Optional[str] = ..., stage: _Optional[_Union[_model_version_pb2.ModelVersionStage, str]] = ..., reason: _Optional[str] = ..., keep_existing_production: _Optional[bool] = ..., etag: _Optional[str] = ...) -> None: ...

class TransitionModelVersionStageResponse(_message.Message):
    __slots__ = ("model_version", "transition", "archived_model_versions")
    MODEL_VERSION_FIELD_NUMBER: _ClassVar[int]
    TRANSITION_FIELD_NUMBER: _ClassVar[int]
    ARCHIVED_MODEL_VERSIONS_FIELD_NUMBER: _ClassVar[int]
    model_version: _model_version_pb2.ModelVersion
    transition: _model_transition_pb2.ModelTransition
    archived_model_versions: _containers.RepeatedCompositeFieldContainer[_model_version_pb2.ModelVersion]
    def __init__(self, model_version: _Optional[_Union[_model_version_pb2.ModelVersion, _Mapping]] = ..., transition: _Optional[_Union[_model_transition_pb2.ModelTransition, _Mapping]] = ..., archived_model_versions: _Optional[_Iterable[_Union[_model_version_pb2.ModelVersion, _Mapping]]] = ...) -> None: ...

class SetModelAliasRequest(_message.Message):
    __slots__ = ("name", "alias", "model_version", "reason")
    NAME_FIELD_NUMBER: _ClassVar[int]
    ALIAS_FIELD_NUMBER: _ClassVar[int]
    MODEL_VERSION_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    name: str
    alias: str
    model_version: str
    reason: str
    def __init__(self, name: _Optional[str] = ..., alias: _Optional[str] = ..., model_version: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class SetModelAliasResponse(_message.Message):
    __slots__ = ("model", "transition")
    MODEL_FIELD_NUMBER: _ClassVar[int]
    TRANSITION_FIELD_NUMBER: _ClassVar[int]
    model: _model_pb2.Model
    transition: _model_transition_pb2.ModelTransition
    def __init__(self, model: _Optional[_Union[_model_pb2.Model, _Mapping]] = ..., transition: _Optional[_Union[_model_transition_pb2.ModelTransition, _Mapping]] = ...) -> None: ...

class DeleteModelAliasRequest(_message.Message):
    __slots__ = ("name", "alias", "reason")
    NAME_FIELD_NUMBER: _ClassVar[int]
    ALIAS_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    name: str
    alias: str
    reason: str
    def __init__(self, name: _Optional[str] = ..., alias: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class DeleteModelAliasResponse(_message.Message):
    __slots__ = ("model", "transition")
    MODEL_FIELD_NUMBER: _ClassVar[int]
    TRANSITION_FIELD_NUMBER: _ClassVar[int]
    model: _model_pb2.Model
    transition: _model_transition_pb2.ModelTransition
    def __init__(self, model: _Optional[_Union[_model_pb2.Model, _Mapping]] = ..., transition: _Optional[_Union[_model_transition_pb2.ModelTransition, _Mapping]] = ...) -> None: ...

class ResolveModelVersionRequest(_message.Message):
    __slots__ = ("name", "alias", "stage", "latest", "version_number")
    NAME_FIELD_NUMBER: _ClassVar[int]
    ALIAS_FIELD_NUMBER: _ClassVar[int]
    STAGE_FIELD_NUMBER: _ClassVar[int]
    LATEST_FIELD_NUMBER: _ClassVar[int]
    VERSION_NUMBER_FIELD_NUMBER: _ClassVar[int]
    name: str
    alias: str
    stage: _model_version_pb2.ModelVersionStage
    latest: bool
    version_number: int
    def __init__(self, name: _Optional[str] = ..., alias: _Optional[str] = ..., stage: _Optional[_Union[_model_version_pb2.ModelVersionStage, str]] = ..., latest: _Optional[bool] = ..., version_number: _Optional[int] = ...) -> None: ...

class ResolveModelVersionResponse(_message.Message):
    __slots__ = ("model_version",)
    MODEL_VERSION_FIELD_NUMBER: _ClassVar[int]
    model_version: _model_version_pb2.ModelVersion
    def __init__(self, model_version: _Optional[_Union[_model_version_pb2.ModelVersion, _Mapping]] = ...) -> None: ...

class GetBestModelVersionRequest(_message.Message):
    __slots__ = ("parent", "metric", "goal", "filter")
    PARENT_FIELD_NUMBER: _ClassVar[int]
    METRIC_FIELD_NUMBER: _ClassVar[int]
    GOAL_FIELD_NUMBER: _ClassVar[int]
    FILTER_FIELD_NUMBER: _ClassVar[int]
    parent: str
    metric: str
    goal: MetricGoal
    filter: str
    def __init__(self, parent: _Optional[str] = ..., metric: _Optional[str] = ..., goal: _Optional[_Union[MetricGoal, str]] = ..., filter: _Optional[str] = ...) -> None: ...

class GetBestModelVersionResponse(_message.Message):
    __slots__ = ("model_version",)
    MODEL_VERSION_FIELD_NUMBER: _ClassVar[int]
    model_version: _model_version_pb2.ModelVersion
    def __init__(self, model_version: _Optional[_Union[_model_version_pb2.ModelVersion, _Mapping]] = ...) -> None: ...

class ListModelTransitionsRequest(_message.Message):
    __slots__ = ("parent", "page_size", "page_token", "filter")
    PARENT_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    FILTER_FIELD_NUMBER: _ClassVar[int]
    parent: str
    page_size: int
    page_token: str
    filter: str
    def __init__(self, parent: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., filter: _Optional[str] = ...) -> None: ...

class ListModelTransitionsResponse(_message.Message):
    __slots__ = ("transitions", "next_page_token", "total_size")
    TRANSITIONS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    TOTAL_SIZE_FIELD_NUMBER: _ClassVar[int]
    transitions: _containers.RepeatedCompositeFieldContainer[_model_transition_pb2.ModelTransition]
    next_page_token: str
    total_size: int
    def __init__(self, transitions: _Optional[_Iterable[_Union[_model_transition_pb2.ModelTransition, _Mapping]]] = ..., next_page_token: _Optional[str] = ..., total_size: _Optional[int] = ...) -> None: ...
