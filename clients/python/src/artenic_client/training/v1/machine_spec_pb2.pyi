from artenic_client.buf.validate import validate_pb2 as _validate_pb2
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Optional as _Optional

DESCRIPTOR: _descriptor.FileDescriptor

class MachineSpec(_message.Message):
    __slots__ = ("cpus", "memory_bytes", "gpu_type", "gpu_count", "gpu_memory_bytes", "disk_bytes")
    CPUS_FIELD_NUMBER: _ClassVar[int]
    MEMORY_BYTES_FIELD_NUMBER: _ClassVar[int]
    GPU_TYPE_FIELD_NUMBER: _ClassVar[int]
    GPU_COUNT_FIELD_NUMBER: _ClassVar[int]
    GPU_MEMORY_BYTES_FIELD_NUMBER: _ClassVar[int]
    DISK_BYTES_FIELD_NUMBER: _ClassVar[int]
    cpus: float
    memory_bytes: int
    gpu_type: str
    gpu_count: int
    gpu_memory_bytes: int
    disk_bytes: int
    def __init__(self, cpus: _Optional[float] = ..., memory_bytes: _Optional[int] = ..., gpu_type: _Optional[str] = ..., gpu_count: _Optional[int] = ..., gpu_memory_bytes: _Optional[int] = ..., disk_bytes: _Optional[int] = ...) -> None: ...
