"""The Python client against a live server over gRPC: the registry-to-prediction flow, the event
stream, pagination and typed errors."""

from __future__ import annotations

import hashlib
import queue
import threading
import time
import uuid
from pathlib import Path
from typing import Dict, Iterator, List

import grpc
import pytest

import artenic_client
from artenic_client import (
    InvalidArgumentError,
    NotFoundError,
    UnauthenticatedError,
    connect,
    paginate,
    pages,
    subscribe,
    upload_requests,
)
from artenic_client.events.v1 import event_pb2, events_service_pb2
from artenic_client.inference.v1 import infer_tensor_pb2, inference_service_pb2, service_pb2
from artenic_client.registry.v1 import model_pb2, model_version_pb2, registry_service_pb2
from artenic_client.type.v1 import tensor_pb2

from conftest import ROOT, Server

FIXTURE = ROOT / "fixtures" / "models" / "iris_logreg.onnx"
MODEL_ID = f"py-iris-{uuid.uuid4().hex[:8]}"
MODEL = f"models/{MODEL_ID}"
VERSION = f"{MODEL}/versions/1"
SERVICE_ID = f"py-svc-{uuid.uuid4().hex[:8]}"


@pytest.fixture(scope="module")
def client(server: Server) -> Iterator[artenic_client.ArtenicClient]:
    with connect(server.url, server.api_key) as c:
        yield c


class EventCollector:
    """Reads a live subscription on a thread, from before the flow starts to the end of the module."""

    def __init__(self, client: artenic_client.ArtenicClient) -> None:
        self.stream = subscribe(
            client,
            [event_pb2.EVENT_TOPIC_REGISTRY, event_pb2.EVENT_TOPIC_INFERENCE],
            resources=[MODEL, f"{MODEL}/*", f"services/{SERVICE_ID}"],
            heartbeat_interval=1,
            timeout=120,
        )
        self.events: "queue.Queue[event_pb2.Event]" = queue.Queue()
        self.error: List[BaseException] = []
        self.stream.wait_caught_up()  # the subscription is live before anything happens
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        try:
            for event in self.stream:
                self.events.put(event)
        except artenic_client.CancelledError:
            pass
        except BaseException as e:  # reported by the test that waits
            self.error.append(e)

    def wait_for(self, wanted: Dict[str, str], timeout: float = 15) -> Dict[str, event_pb2.Event]:
        """Waits until an event of each type → resource in ``wanted`` arrived."""
        seen: Dict[str, event_pb2.Event] = {}
        deadline = time.monotonic() + timeout
        while len(seen) < len(wanted) and time.monotonic() < deadline:
            if self.error:
                raise self.error[0]
            try:
                event = self.events.get(timeout=0.2)
            except queue.Empty:
                continue
            if wanted.get(event.type) == event.resource:
                seen[event.type] = event
        missing = sorted(set(wanted) - set(seen))
        assert not missing, f"events not received within {timeout}s: {missing}"
        return seen


@pytest.fixture(scope="module")
def collector(client: artenic_client.ArtenicClient) -> Iterator[EventCollector]:
    c = EventCollector(client)
    yield c
    c.stream.cancel()
    c.thread.join(timeout=5)


class TestFlow:
    """In order: each step uses what the previous one made."""

    def test_create_model(self, client, collector) -> None:
        res = client.registry.CreateModel(
            registry_service_pb2.CreateModelRequest(
                model_id=MODEL_ID, model=model_pb2.Model(display_name="Iris (Python client)", framework="sklearn")
            )
        )
        assert res.model.name == MODEL
        assert res.model.framework == "sklearn"

    def test_upload_artifact_by_client_streaming(self, client) -> None:
        data = FIXTURE.read_bytes()
        progress: List[int] = []
        with FIXTURE.open("rb") as f:
            res = client.registry.UploadModelVersion(
                upload_requests(
                    MODEL,
                    f,
                    model_version=model_version_pb2.ModelVersion(description="uploaded by the Python suite"),
                    expected_sha256=hashlib.sha256(data).hexdigest(),
                    chunk_size=128,  # several chunks even for this small model
                    on_progress=progress.append,
                )
            )
        assert res.model_version.name == VERSION
        assert res.model_version.artifact.size_bytes == len(data)
        assert res.model_version.artifact.sha256 == hashlib.sha256(data).hexdigest()
        assert res.model_version.artifact.format == model_version_pb2.ARTIFACT_FORMAT_ONNX
        assert [i.name for i in res.model_version.signature.inputs] == ["input"]
        assert len(progress) > 1 and progress[-1] == len(data)

    def test_promote_to_production(self, client) -> None:
        res = client.registry.TransitionModelVersionStage(
            registry_service_pb2.TransitionModelVersionStageRequest(
                name=VERSION, stage=model_version_pb2.MODEL_VERSION_STAGE_PRODUCTION, reason="python suite"
            )
        )
        assert res.model_version.stage == model_version_pb2.MODEL_VERSION_STAGE_PRODUCTION
        model = client.registry.GetModel(registry_service_pb2.GetModelRequest(name=MODEL)).model
        assert model.production_version == VERSION

    def test_create_service_and_predict(self, client) -> None:
        created = client.inference.CreateService(
            inference_service_pb2.CreateServiceRequest(
                service_id=SERVICE_ID,
                service=service_pb2.Service(target=service_pb2.ServiceTarget(model_version=VERSION)),
            )
        )
        assert created.service.name == f"services/{SERVICE_ID}"
        res = client.inference.Predict(
            inference_service_pb2.PredictRequest(
                service=f"services/{SERVICE_ID}",
                inputs=[
                    infer_tensor_pb2.InferTensor(
                        name="input",
                        data_type=tensor_pb2.DATA_TYPE_FLOAT32,
                        shape=[1, 4],
                        float_values=infer_tensor_pb2.FloatValues(values=[4.7, 3.2, 1.3, 0.2]),
                    )
                ],
            ),
            timeout=60,
        )
        assert res.model_version == VERSION
        assert res.prediction_id
        assert len(res.classifications) == 1
        # Python's onnxruntime on the same row (fixtures/models/iris_logreg.expected.json).
        assert res.classifications[0].label == "0"
        assert res.classifications[0].probabilities["0"] == pytest.approx(0.98533695936203, abs=1e-5)

    def test_own_actions_arrive_on_the_event_stream(self, collector) -> None:
        seen = collector.wait_for(
            {
                "registry.model.created": MODEL,
                "registry.model_version.created": VERSION,
                "registry.model_version.stage_changed": VERSION,
                "inference.service.created": f"services/{SERVICE_ID}",
            }
        )
        created = seen["registry.model.created"]
        assert created.topic == event_pb2.EVENT_TOPIC_REGISTRY
        assert created.cursor
        assert created.actor
        # Commit order: the model before its version, the version before its promotion.
        cursors = [int(seen[t].cursor) for t in ("registry.model.created", "registry.model_version.created", "registry.model_version.stage_changed")]
        assert cursors == sorted(cursors)


def test_paginate_walks_every_page(client) -> None:
    suite = f"py-page-{uuid.uuid4().hex[:6]}"
    ids = [f"{suite}-{i}" for i in range(5)]
    for model_id in ids:
        client.registry.CreateModel(
            registry_service_pb2.CreateModelRequest(model_id=model_id, model=model_pb2.Model(labels={"suite": suite}))
        )
    request = registry_service_pb2.ListModelsRequest(page_size=2, filter=f'labels.suite = "{suite}"')
    names = [m.name for m in paginate(client.registry.ListModels, request)]
    assert sorted(names) == sorted(f"models/{i}" for i in ids)
    assert len(list(pages(client.registry.ListModels, request))) == 3
    assert request.page_token == ""  # the caller's request is left as it was


def test_bad_request_is_invalid_argument_naming_the_field(client) -> None:
    with pytest.raises(InvalidArgumentError) as info:
        client.registry.CreateModel(registry_service_pb2.CreateModelRequest(model_id="Not_A_Valid_Id", model=model_pb2.Model()))
    e = info.value
    assert e.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "model_id" in e.fields
    assert e.reason == "INVALID_ARGUMENT"
    assert e.domain == "artenic.ai"
    assert e.field_violations[0].description
    assert isinstance(e, grpc.RpcError)  # still a grpc error for code written against grpcio


def test_missing_resource_is_not_found_with_its_reason(client) -> None:
    with pytest.raises(NotFoundError) as info:
        client.registry.GetModel(registry_service_pb2.GetModelRequest(name="models/does-not-exist"))
    assert info.value.reason.endswith("NOT_FOUND")
    assert info.value.metadata.get("name") == "models/does-not-exist" or info.value.metadata


def test_missing_key_is_unauthenticated(server: Server) -> None:
    with connect(server.url, None) as anonymous:
        with pytest.raises(UnauthenticatedError) as info:
            anonymous.registry.ListModels(registry_service_pb2.ListModelsRequest())
    assert info.value.code() == grpc.StatusCode.UNAUTHENTICATED
    assert info.value.reason == "API_KEY_MISSING"


def test_wrong_key_is_unauthenticated(server: Server) -> None:
    with connect(server.url, "artenic_not_a_real_key") as wrong:
        with pytest.raises(UnauthenticatedError) as info:
            wrong.registry.ListModels(registry_service_pb2.ListModelsRequest())
    assert info.value.reason == "API_KEY_INVALID"


def test_stream_errors_are_typed_too(client) -> None:
    stream = client.events.Subscribe(events_service_pb2.SubscribeRequest(after_cursor="not-a-cursor"), timeout=30)
    with pytest.raises(InvalidArgumentError) as info:
        next(iter(stream))
    assert "after_cursor" in info.value.fields
