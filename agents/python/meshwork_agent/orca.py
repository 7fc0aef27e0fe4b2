"""ORCA load reports for clients' weighted_round_robin balancing: every successful AgentService
response carries this instance's load in the ``endpoint-load-metrics-bin`` trailer, a serialized
``xds.data.orca.v3.OrcaLoadReport`` (gRPC Python has no ORCA API; the message is declared here with
the fields used, numbered as in cncf/xds ``xds/data/orca/v3/orca_load_report.proto``)."""

from __future__ import annotations

from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

TRAILER_KEY = "endpoint-load-metrics-bin"


def _declare():
    f = descriptor_pb2.FileDescriptorProto(
        name="meshwork_agent/xds/data/orca/v3/orca_load_report.proto", package="xds.data.orca.v3", syntax="proto3")
    m = f.message_type.add(name="OrcaLoadReport")
    double = descriptor_pb2.FieldDescriptorProto.TYPE_DOUBLE
    optional = descriptor_pb2.FieldDescriptorProto.LABEL_OPTIONAL
    for name, number in (("cpu_utilization", 1), ("mem_utilization", 2), ("rps_fractional", 6),
                         ("eps", 7), ("application_utilization", 9)):
        m.field.add(name=name, number=number, type=double, label=optional)
    pool = descriptor_pool.DescriptorPool()
    pool.Add(f)
    return message_factory.GetMessageClass(pool.FindMessageTypeByName("xds.data.orca.v3.OrcaLoadReport"))


OrcaLoadReport = _declare()


def load_report(utilization: float, qps: float) -> bytes:
    """The serialized report of an instance at ``utilization`` in [0, 1] serving ``qps`` calls/s."""
    return OrcaLoadReport(application_utilization=utilization, rps_fractional=qps).SerializeToString()
