import datetime

from artenic_client.type.v1 import tensor_pb2 as _tensor_pb2
from artenic_client.buf.validate import validate_pb2 as _validate_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ModelVersionStage(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    MODEL_VERSION_STAGE_UNSPECIFIED: _ClassVar[ModelVersionStage]
    MODEL_VERSION_STAGE_NONE: _ClassVar[ModelVersionStage]
    MODEL_VERSION_STAGE_STAGING: _ClassVar[ModelVersionStage]
    MODEL_VERSION_STAGE_PRODUCTION: _ClassVar[ModelVersionStage]
    MODEL_VERSION_STAGE_ARCHIVED: _ClassVar[ModelVersionStage]

class ArtifactFormat(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ARTIFACT_FORMAT_UNSPECIFIED: _ClassVar[ArtifactFormat]
    ARTIFACT_FORMAT_ONNX: _ClassVar[ArtifactFormat]
    ARTIFACT_FORMAT_OTHER: _ClassVar[ArtifactFormat]
MODEL_VERSION_STAGE_UNSPECIFIED: ModelVersionStage
MODEL_VERSION_STAGE_NONE: ModelVersionStage
MODEL_VERSION_STAGE_STAGING: ModelVersionStage
MODEL_VERSION_STAGE_PRODUCTION: ModelVersionStage
MODEL_VERSION_STAGE_ARCHIVED: ModelVersionStage
ARTIFACT_FORMAT_UNSPECIFIED: ArtifactFormat
ARTIFACT_FORMAT_ONNX: ArtifactFormat
ARTIFACT_FORMAT_OTHER: ArtifactFormat

class ModelVersion(_message.Message):
    __slots__ = ("name", "version_number", "description", "labels", "stage", "aliases", "artifact", "signature", "metrics", "params", "source_training_job", "creator", "create_time", "update_time", "stage_update_time", "etag")
    class LabelsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    class MetricsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: float
        def __init__(self, key: _Optional[str] = ..., value: _Optional[float] = ...) -> None: ...
    class ParamsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    NAME_FIELD_NUMBER: _ClassVar[int]
    VERSION_NUMBER_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    LABELS_FIELD_NUMBER: _ClassVar[int]
    STAGE_FIELD_NUMBER: _ClassVar[int]
    ALIASES_FIELD_NUMBER: _ClassVar[int]
    ARTIFACT_FIELD_NUMBER: _ClassVar[int]
    SIGNATURE_FIELD_NUMBER: _ClassVar[int]
    METRICS_FIELD_NUMBER: _ClassVar[int]
    PARAMS_FIELD_NUMBER: _ClassVar[int]
    SOURCE_TRAINING_JOB_FIELD_NUMBER: _ClassVar[int]
    CREATOR_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    STAGE_UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    name: str
    version_number: int
    description: str
    labels: _containers.ScalarMap[str, str]
    stage: ModelVersionStage
    aliases: _containers.RepeatedScalarFieldContainer[str]
    artifact: Artifact
    signature: _tensor_pb2.ModelSignature
    metrics: _containers.ScalarMap[str, float]
    params: _containers.ScalarMap[str, str]
    source_training_job: str
    creator: str
    create_time: _timestamp_pb2.Timestamp
    update_time: _timestamp_pb2.Timestamp
    stage_update_time: _timestamp_pb2.Timestamp
    etag: str
    def __init__(self, name: _Optional[str] = ..., version_number: _Optional[int] = ..., description: _Optional[str] = ..., labels: _Optional[_Mapping[str, str]] = ..., stage: _Optional[_Union[ModelVersionStage, str]] = ..., aliases: _Optional[_Iterable[str]] = ..., artifact: _Optional[_Union[Artifact, _Mapping]] = ..., signature: _Optional[_Union[_tensor_pb2.ModelSignature, _Mapping]] = ..., metrics: _Optional[_Mapping[str, float]] = ..., params: _Optional[_Mapping[str, str]] = ..., source_training_job: _Optional[str] = ..., creator: _Optional[str] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., stage_update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., etag: _Optional[str] = ...) -> None: ...

class Artifact(_message.Message):
    __slots__ = ("uri", "format", "size_bytes", "sha256", "content_type", "external")
    URI_FIELD_NUMBER: _ClassVar[int]
    FORMAT_FIELD_NUMBER: _ClassVar[int]
    SIZE_BYTES_FIELD_NUMBER: _ClassVar[int]
    SHA256_FIELD_NUMBER: _ClassVar[int]
    CONTENT_TYPE_FIELD_NUMBER: _ClassVar[int]
    EXTERNAL_FIELD_NUMBER: _ClassVar[int]
    uri: str
    format: ArtifactFormat
    size_bytes: int
    sha256: str
    content_type: str
    external: bool
    def __init__(self, uri: _Optional[str] = ..., format: _Optional[_Union[ArtifactFormat, str]] = ..., size_bytes: _Optional[int] = ..., sha256: _Optional[str] = ..., content_type: _Optional[str] = ..., external: _Optional[bool] = ...) -> None: ...
