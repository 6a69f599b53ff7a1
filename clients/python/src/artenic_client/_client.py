"""The client object: one channel, a stub per service."""

from __future__ import annotations

from typing import Any, Optional, Sequence, Tuple

import grpc

from ._channel import create_channel
from .abtest.v1 import abtest_service_pb2_grpc
from .admin.v1 import admin_service_pb2_grpc
from .budget.v1 import budget_service_pb2_grpc
from .ensemble.v1 import ensemble_service_pb2_grpc
from .events.v1 import events_service_pb2_grpc
from .health.v1 import health_service_pb2_grpc
from .inference.v1 import inference_service_pb2_grpc
from .registry.v1 import registry_service_pb2_grpc
from .training.v1 import training_service_pb2_grpc

__all__ = ["ArtenicClient", "connect"]


class ArtenicClient:
    """Every Artenic service over one channel. Attributes are the generated gRPC stubs, so each
    method takes the request message and the usual ``timeout=``/``metadata=`` keywords:

    ``registry`` (RegistryService), ``inference`` (InferenceService), ``abtest`` (ABTestService),
    ``ensemble`` (EnsembleService), ``health`` (HealthService), ``training`` (TrainingService),
    ``budget`` (BudgetService), ``events`` (EventsService), ``admin`` (AdminService).

    Use it as a context manager, or call :meth:`close`."""

    def __init__(self, channel: grpc.Channel) -> None:
        self.channel = channel
        self.registry = registry_service_pb2_grpc.RegistryServiceStub(channel)
        self.inference = inference_service_pb2_grpc.InferenceServiceStub(channel)
        self.abtest = abtest_service_pb2_grpc.ABTestServiceStub(channel)
        self.ensemble = ensemble_service_pb2_grpc.EnsembleServiceStub(channel)
        self.health = health_service_pb2_grpc.HealthServiceStub(channel)
        self.training = training_service_pb2_grpc.TrainingServiceStub(channel)
        self.budget = budget_service_pb2_grpc.BudgetServiceStub(channel)
        self.events = events_service_pb2_grpc.EventsServiceStub(channel)
        self.admin = admin_service_pb2_grpc.AdminServiceStub(channel)

    def close(self) -> None:
        self.channel.close()

    def __enter__(self) -> "ArtenicClient":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def connect(
    url: str,
    api_key: Optional[str],
    *,
    secure: bool = False,
    root_certificates: Optional[bytes] = None,
    options: Sequence[Tuple[str, Any]] = (),
) -> ArtenicClient:
    """Connects to an Artenic server over gRPC.

    ``url``: ``http://127.0.0.1:8080`` (plaintext HTTP/2), ``https://artenic.example.com`` (TLS), or
    ``host:port`` with ``secure`` choosing. ``api_key`` is sent as ``authorization: Bearer <key>``
    on every call. Failed calls raise :class:`artenic_client.ArtenicError` subclasses. No network
    traffic happens until the first call."""
    return ArtenicClient(create_channel(url, api_key, secure=secure, root_certificates=root_certificates, options=options))
