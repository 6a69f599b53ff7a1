"""The hand-written layer on its own, without a server."""

from __future__ import annotations

import io

import grpc
import pytest
from google.protobuf import any_pb2, duration_pb2
from google.rpc import error_details_pb2, status_pb2

from artenic_client import (
    ArtenicError,
    InvalidArgumentError,
    ResourceExhaustedError,
    UnknownError,
    from_rpc_error,
    paginate,
    parse_target,
    upload_requests,
)
from artenic_client.registry.v1 import model_pb2, registry_service_pb2


class FakeRpcError(grpc.RpcError, grpc.Call):
    def __init__(self, code, details, trailing=()):
        self._code, self._details, self._trailing = code, details, trailing

    def code(self):
        return self._code

    def details(self):
        return self._details

    def trailing_metadata(self):
        return self._trailing

    def initial_metadata(self):
        return ()

    def is_active(self):
        return False

    def time_remaining(self):
        return None

    def cancel(self):
        return False

    def add_callback(self, callback):
        return False


def packed(*messages):
    out = []
    for m in messages:
        a = any_pb2.Any()
        a.Pack(m)
        out.append(a)
    return out


def test_from_rpc_error_reads_the_rich_status() -> None:
    status = status_pb2.Status(
        code=3,
        message="model_id: bad",
        details=packed(
            error_details_pb2.ErrorInfo(reason="INVALID_ARGUMENT", domain="artenic.ai", metadata={"field": "model_id"}),
            error_details_pb2.BadRequest(
                field_violations=[
                    error_details_pb2.BadRequest.FieldViolation(field="model_id", description="bad"),
                    error_details_pb2.BadRequest.FieldViolation(field="model.labels[x]", description="too long"),
                ]
            ),
            duration_pb2.Duration(seconds=1),  # an unknown detail type stays an Any
        ),
    )
    e = from_rpc_error(
        FakeRpcError(grpc.StatusCode.INVALID_ARGUMENT, "model_id: bad", (("grpc-status-details-bin", status.SerializeToString()),))
    )
    assert isinstance(e, InvalidArgumentError) and isinstance(e, grpc.RpcError)
    assert (e.reason, e.domain, e.metadata) == ("INVALID_ARGUMENT", "artenic.ai", {"field": "model_id"})
    assert e.fields == ["model_id", "model.labels[x]"]
    assert isinstance(e.error_details[-1], any_pb2.Any)
    assert e.code() == grpc.StatusCode.INVALID_ARGUMENT and e.details() == "model_id: bad"
    assert from_rpc_error(e) is e
    assert "fields=['model_id', 'model.labels[x]']" in repr(e)


def test_retry_info_and_missing_details() -> None:
    status = status_pb2.Status(code=8, details=packed(error_details_pb2.RetryInfo(retry_delay=duration_pb2.Duration(nanos=250_000_000))))
    e = from_rpc_error(FakeRpcError(grpc.StatusCode.RESOURCE_EXHAUSTED, "slow down", (("grpc-status-details-bin", status.SerializeToString()),)))
    assert isinstance(e, ResourceExhaustedError) and e.retry_delay == 0.25 and e.reason == ""
    bare = from_rpc_error(FakeRpcError(grpc.StatusCode.UNKNOWN, "boom"))
    assert type(bare) is UnknownError and bare.field_violations == [] and bare.retry_delay is None
    garbage = from_rpc_error(FakeRpcError(grpc.StatusCode.INTERNAL, "x", (("grpc-status-details-bin", b"\xff\xff"),)))
    assert isinstance(garbage, ArtenicError) and garbage.error_details == []


def test_every_status_code_has_its_class() -> None:
    for code in grpc.StatusCode:
        if code == grpc.StatusCode.OK:
            continue
        cls = type(from_rpc_error(FakeRpcError(code, "")))
        assert cls is not ArtenicError and cls.grpc_code == code, code


@pytest.mark.parametrize(
    "url,secure,expected",
    [
        ("http://127.0.0.1:8080", False, ("127.0.0.1:8080", False)),
        ("https://artenic.example.com", False, ("artenic.example.com:443", True)),
        ("http://[::1]:9000/", False, ("[::1]:9000", False)),
        ("localhost:8080", True, ("localhost:8080", True)),
    ],
)
def test_parse_target(url, secure, expected) -> None:
    assert parse_target(url, secure) == expected


def test_parse_target_refuses_contradictions() -> None:
    for url, secure in (("http://h:1", True), ("ftp://h", False), ("http://h:1/api", False)):
        with pytest.raises(ValueError):
            parse_target(url, secure)


def test_upload_requests_sends_metadata_then_chunks() -> None:
    data = bytes(range(256)) * 10
    for source in (data, io.BytesIO(data), [data[:1000], data[1000:]]):
        progress = []
        reqs = list(upload_requests("models/m", source, chunk_size=512, on_progress=progress.append))
        assert reqs[0].WhichOneof("content") == "metadata" and reqs[0].metadata.parent == "models/m"
        assert b"".join(r.chunk for r in reqs[1:]) == data
        assert all(0 < len(r.chunk) <= 512 for r in reqs[1:])
        assert progress[-1] == len(data)
    with pytest.raises(ValueError):
        list(upload_requests("models/m", data, chunk_size=0))


def test_paginate_follows_tokens_without_touching_the_request() -> None:
    pages = {"": (["a", "b"], "t1"), "t1": (["c"], "t2"), "t2": ([], "")}
    seen_tokens = []

    def list_models(req, timeout=None):
        seen_tokens.append(req.page_token)
        names, nxt = pages[req.page_token]
        return registry_service_pb2.ListModelsResponse(models=[model_pb2.Model(name=n) for n in names], next_page_token=nxt)

    request = registry_service_pb2.ListModelsRequest(page_size=2)
    assert [m.name for m in paginate(list_models, request, timeout=5)] == ["a", "b", "c"]
    assert seen_tokens == ["", "t1", "t2"] and request.page_token == ""
    with pytest.raises(TypeError):
        list(paginate(lambda req: registry_service_pb2.GetModelResponse(), registry_service_pb2.GetModelRequest()))
