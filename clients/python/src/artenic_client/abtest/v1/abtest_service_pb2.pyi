from artenic_client.abtest.v1 import ab_test_pb2 as _ab_test_pb2
from artenic_client.abtest.v1 import canary_rollout_pb2 as _canary_rollout_pb2
from artenic_client.buf.validate import validate_pb2 as _validate_pb2
from google.protobuf import field_mask_pb2 as _field_mask_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class CreateABTestRequest(_message.Message):
    __slots__ = ("ab_test_id", "ab_test", "request_id")
    AB_TEST_ID_FIELD_NUMBER: _ClassVar[int]
    AB_TEST_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    ab_test_id: str
    ab_test: _ab_test_pb2.ABTest
    request_id: str
    def __init__(self, ab_test_id: _Optional[str] = ..., ab_test: _Optional[_Union[_ab_test_pb2.ABTest, _Mapping]] = ..., request_id: _Optional[str] = ...) -> None: ...

class CreateABTestResponse(_message.Message):
    __slots__ = ("ab_test",)
    AB_TEST_FIELD_NUMBER: _ClassVar[int]
    ab_test: _ab_test_pb2.ABTest
    def __init__(self, ab_test: _Optional[_Union[_ab_test_pb2.ABTest, _Mapping]] = ...) -> None: ...

class GetABTestRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class GetABTestResponse(_message.Message):
    __slots__ = ("ab_test",)
    AB_TEST_FIELD_NUMBER: _ClassVar[int]
    ab_test: _ab_test_pb2.ABTest
    def __init__(self, ab_test: _Optional[_Union[_ab_test_pb2.ABTest, _Mapping]] = ...) -> None: ...

class ListABTestsRequest(_message.Message):
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

class ListABTestsResponse(_message.Message):
    __slots__ = ("ab_tests", "next_page_token", "total_size")
    AB_TESTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    TOTAL_SIZE_FIELD_NUMBER: _ClassVar[int]
    ab_tests: _containers.RepeatedCompositeFieldContainer[_ab_test_pb2.ABTest]
    next_page_token: str
    total_size: int
    def __init__(self, ab_tests: _Optional[_Iterable[_Union[_ab_test_pb2.ABTest, _Mapping]]] = ..., next_page_token: _Optional[str] = ..., total_size: _Optional[int] = ...) -> None: ...

class UpdateABTestRequest(_message.Message):
    __slots__ = ("ab_test", "update_mask")
    AB_TEST_FIELD_NUMBER: _ClassVar[int]
    UPDATE_MASK_FIELD_NUMBER: _ClassVar[int]
    ab_test: _ab_test_pb2.ABTest
    update_mask: _field_mask_pb2.FieldMask
    def __init__(self, ab_test: _Optional[_Union[_ab_test_pb2.ABTest, _Mapping]] = ..., update_mask: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ...) -> None: ...

class UpdateABTestResponse(_message.Message):
    __slots__ = ("ab_test",)
    AB_TEST_FIELD_NUMBER: _ClassVar[int]
    ab_test: _ab_test_pb2.ABTest
    def __init__(self, ab_test: _Optional[_Union[_ab_test_pb2.ABTest, _Mapping]] = ...) -> None: ...

class DeleteABTestRequest(_message.Message):
    __slots__ = ("name", "etag")
    NAME_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    name: str
    etag: str
    def __init__(self, name: _Optional[str] = ..., etag: _Optional[str] = ...) -> None: ...

class DeleteABTestResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class PauseABTestRequest(_message.Message):
    __slots__ = ("name", "reason", "etag")
    NAME_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    name: str
    reason: str
    etag: str
    def __init__(self, name: _Optional[str] = ..., reason: _Optional[str] = ..., etag: _Optional[str] = ...) -> None: ...

class PauseABTestResponse(_message.Message):
    __slots__ = ("ab_test",)
    AB_TEST_FIELD_NUMBER: _ClassVar[int]
    ab_test: _ab_test_pb2.ABTest
    def __init__(self, ab_test: _Optional[_Union[_ab_test_pb2.ABTest, _Mapping]] = ...) -> None: ...

class ResumeABTestRequest(_message.Message):
    __slots__ = ("name", "reason", "etag")
    NAME_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    name: str
    reason: str
    etag: str
    def __init__(self, name: _Optional[str] = ..., reason: _Optional[str] = ..., etag: _Optional[str] = ...) -> None: ...

class ResumeABTestResponse(_message.Message):
    __slots__ = ("ab_test",)
    AB_TEST_FIELD_NUMBER: _ClassVar[int]
    ab_test: _ab_test_pb2.ABTest
    def __init__(self, ab_test: _Optional[_Union[_ab_test_pb2.ABTest, _Mapping]] = ...) -> None: ...

class ConcludeABTestRequest(_message.Message):
    __slots__ = ("name", "winner_variant_id", "promote_winner", "reason", "etag")
    NAME_FIELD_NUMBER: _ClassVar[int]
    WINNER_VARIANT_ID_FIELD_NUMBER: _ClassVar[int]
    PROMOTE_WINNER_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    name: str
    winner_variant_id: str
    promote_winner: bool
    reason: str
    etag: str
    def __init__(self, name: _Optional[str] = ..., winner_variant_id: _Optional[str] = ..., promote_winner: _Optional[bool] = ..., reason: _Optional[str] = ..., etag: _Optional[str] = ...) -> None: ...

class ConcludeABTestResponse(_message.Message):
    __slots__ = ("ab_test", "results")
    AB_TEST_FIELD_NUMBER: _ClassVar[int]
    RESULTS_FIELD_NUMBER: _ClassVar[int]
    ab_test: _ab_test_pb2.ABTest
    results: _ab_test_pb2.ABTestResults
    def __init__(self, ab_test: _Optional[_Union[_ab_test_pb2.ABTest, _Mapping]] = ..., results: _Optional[_Union[_ab_test_pb2.ABTestResults, _Mapping]] = ...) -> None: ...

class GetABTestResultsRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class GetABTestResultsResponse(_message.Message):
    __slots__ = ("results",)
    RESULTS_FIELD_NUMBER: _ClassVar[int]
    results: _ab_test_pb2.ABTestResults
    def __init__(self, results: _Optional[_Union[_ab_test_pb2.ABTestResults, _Mapping]] = ...) -> None: ...

class CreateCanaryRolloutRequest(_message.Message):
    __slots__ = ("canary_rollout_id", "canary_rollout", "request_id")
    CANARY_ROLLOUT_ID_FIELD_NUMBER: _ClassVar[int]
    CANARY_ROLLOUT_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    canary_rollout_id: str
    canary_rollout: _canary_rollout_pb2.CanaryRollout
    request_id: str
    def __init__(self, canary_rollout_id: _Optional[str] = ..., canary_rollout: _Optional[_Union[_canary_rollout_pb2.CanaryRollout, _Mapping]] = ..., request_id: _Optional[str] = ...) -> None: ...

class CreateCanaryRolloutResponse(_message.Message):
    __slots__ = ("canary_rollout",)
    CANARY_ROLLOUT_FIELD_NUMBER: _ClassVar[int]
    canary_rollout: _canary_rollout_pb2.CanaryRollout
    def __init__(self, canary_rollout: _Optional[_Union[_canary_rollout_pb2.CanaryRollout, _Mapping]] = ...) -> None: ...

class GetCanaryRolloutRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class GetCanaryRolloutResponse(_message.Message):
    __slots__ = ("canary_rollout",)
    CANARY_ROLLOUT_FIELD_NUMBER: _ClassVar[int]
    canary_rollout: _canary_rollout_pb2.CanaryRollout
    def __init__(self, canary_rollout: _Optional[_Union[_canary_rollout_pb2.CanaryRollout, _Mapping]] = ...) -> None: ...

class ListCanaryRolloutsRequest(_message.Message):
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

class ListCanaryRolloutsResponse(_message.Message):
    __slots__ = ("canary_rollouts", "next_page_token", "total_size")
    CANARY_ROLLOUTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    TOTAL_SIZE_FIELD_NUMBER: _ClassVar[int]
    canary_rollouts: _containers.RepeatedCompositeFieldContainer[_canary_rollout_pb2.CanaryRollout]
    next_page_token: str
    total_size: int
    def __init__(self, canary_rollouts: _Optional[_Iterable[_Union[_canary_rollout_pb2.CanaryRollout, _Mapping]]] = ..., next_page_token: _Optional[str] = ..., total_size: _Optional[int] = ...) -> None: ...

class UpdateCanaryRolloutRequest(_message.Message):
    __slots__ = ("canary_rollout", "update_mask")
    CANARY_ROLLOUT_FIELD_NUMBER: _ClassVar[int]
    UPDATE_MASK_FIELD_NUMBER: _ClassVar[int]
    canary_rollout: _canary_rollout_pb2.CanaryRollout
    update_mask: _field_mask_pb2.FieldMask
    def __init__(self, canary_rollout: _Optional[_Union[_canary_rollout_pb2.CanaryRollout, _Mapping]] = ..., update_mask: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ...) -> None: ...

class UpdateCanaryRolloutResponse(_message.Message):
    __slots__ = ("canary_rollout",)
    CANARY_ROLLOUT_FIELD_NUMBER: _ClassVar[int]
    canary_rollout: _canary_rollout_pb2.CanaryRollout
    def __init__(self, canary_rollout: _Optional[_Union[_canary_rollout_pb2.CanaryRollout, _Mapping]] = ...) -> None: ...

class PauseCanaryRolloutRequest(_message.Message):
    __slots__ = ("name", "reason", "etag")
    NAME_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    name: str
    reason: str
    etag: str
    def __init__(self, name: _Optional[str] = ..., reason: _Optional[str] = ..., etag: _Optional[str] = ...) -> None: ...

class PauseCanaryRolloutResponse(_message.Message):
    __slots__ = ("canary_rollout",)
    CANARY_ROLLOUT_FIELD_NUMBER: _ClassVar[int]
    canary_rollout: _canary_rollout_pb2.CanaryRollout
    def __init__(self, canary_rollout: _Optional[_Union[_canary_rollout_pb2.CanaryRollout, _Mapping]] = ...) -> None: ...

class ResumeCanaryRolloutRequest(_message.Message):
    __slots__ = ("name", "reason", "etag")
    NAME_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    name: str
    reason: str
    etag: str
    def __init__(self, name: _Optional[str] = ..., reason: _Optional[str] = ..., etag: _Optional[str] = ...) -> None: ...

class ResumeCanaryRolloutResponse(_message.Message):
    __slots__ = ("canary_rollout",)
    CANARY_ROLLOUT_FIELD_NUMBER: _ClassVar[int]
    canary_rollout: _canary_rollout_pb2.CanaryRollout
    def __init__(self, canary_rollout: _Optional[_Union[_canary_rollout_pb2.CanaryRollout, _Mapping]] = ...) -> None: ...

class AdvanceCanaryRolloutRequest(_message.Message):
    __slots__ = ("name", "reason", "etag")
    NAME_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    name: str
    reason: str
    etag: str
    def __init__(self, name: _Optional[str] = ..., reason: _Optional[str] = ..., etag: _Optional[str] = ...) -> None: ...

class AdvanceCanaryRolloutResponse(_message.Message):
    __slots__ = ("canary_rollout",)
    CANARY_ROLLOUT_FIELD_NUMBER: _ClassVar[int]
    canary_rollout: _canary_rollout_pb2.CanaryRollout
    def __init__(self, canary_rollout: _Optional[_Union[_canary_rollout_pb2.CanaryRollout, _Mapping]] = ...) -> None: ...

class PromoteCanaryRolloutRequest(_message.Message):
    __slots__ = ("name", "reason", "etag")
    NAME_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    name: str
    reason: str
    etag: str
    def __init__(self, name: _Optional[str] = ..., reason: _Optional[str] = ..., etag: _Optional[str] = ...) -> None: ...

class PromoteCanaryRolloutResponse(_message.Message):
    __slots__ = ("canary_rollout",)
    CANARY_ROLLOUT_FIELD_NUMBER: _ClassVar[int]
    canary_rollout: _canary_rollout_pb2.CanaryRollout
    def __init__(self, canary_rollout: _Optional[_Union[_canary_rollout_pb2.CanaryRollout, _Mapping]] = ...) -> None: ...

class AbortCanaryRolloutRequest(_message.Message):
    __slots__ = ("name", "reason", "etag")
    NAME_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    name: str
    reason: str
    etag: str
    def __init__(self, name: _Optional[str] = ..., reason: _Optional[str] = ..., etag: _Optional[str] = ...) -> None: ...

class AbortCanaryRolloutResponse(_message.Message):
    __slots__ = ("canary_rollout",)
    CANARY_ROLLOUT_FIELD_NUMBER: _ClassVar[int]
    canary_rollout: _canary_rollout_pb2.CanaryRollout
    def __init__(self, canary_rollout: _Optional[_Union[_canary_rollout_pb2.CanaryRollout, _Mapping]] = ...) -> None: ...
