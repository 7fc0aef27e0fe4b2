package dev.meshwork.bench;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;
import io.grpc.HandlerRegistry;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerCallHandler;
import io.grpc.ServerMethodDefinition;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ServerCalls;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An OTLP/gRPC endpoint that takes every export (traces, metrics, logs) and discards it, counting
 * the spans it received: the collector of the {@code tracing} scenario. A collector on another
 * host costs the services nothing but the export itself, so the scenario measures what tracing
 * costs the mesh, not what Jaeger costs the machine it shares.
 */
final class OtlpSink implements AutoCloseable {

  static final String TRACE_EXPORT =
      "opentelemetry.proto.collector.trace.v1.TraceService/Export";

  private final AtomicLong spans = new AtomicLong();
  private final AtomicLong exports = new AtomicLong();
  private final Server server;

  private OtlpSink(Server server) {
    this.server = server;
  }

  /** Starts a sink on a free port of 127.0.0.1 (plaintext, as a local collector is). */
  static OtlpSink start() throws IOException {
    OtlpSink[] self = new OtlpSink[1];
    Server server =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
            .fallbackHandlerRegistry(
                new HandlerRegistry() {
                  @Override
                  public ServerMethodDefinition<?, ?> lookupMethod(
                      String methodName, String authority) {
                    return self[0].discarding(methodName);
                  }
                })
            .build();
    self[0] = new OtlpSink(server);
    server.start();
    return self[0];
  }

  /** {@code http://127.0.0.1:<port>}, for {@code OTEL_EXPORTER_OTLP_ENDPOINT}. */
  String endpoint() {
    return "http://127.0.0.1:" + server.getPort();
  }

  /** Spans received so far. */
  long spans() {
    return spans.get();
  }

  /** Trace export requests received so far. */
  long exports() {
    return exports.get();
  }

  private ServerMethodDefinition<byte[], byte[]> discarding(String fullMethodName) {
    MethodDescriptor<byte[], byte[]> method =
        MethodDescriptor.<byte[], byte[]>newBuilder()
            .setType(MethodDescriptor.MethodType.UNARY)
            .setFullMethodName(fullMethodName)
            .setRequestMarshaller(Bytes.INSTANCE)
            .setResponseMarshaller(Bytes.INSTANCE)
            .build();
    boolean traces = fullMethodName.equals(TRACE_EXPORT);
    ServerCallHandler<byte[], byte[]> handler =
        ServerCalls.asyncUnaryCall(
            (request, response) -> {
              if (traces) {
                exports.incrementAndGet();
                spans.addAndGet(countSpans(request));
              }
              // Every OTLP Export response is a message whose fields are all optional: empty.
              response.onNext(new byte[0]);
              response.onCompleted();
            });
    return ServerMethodDefinition.create(method, handler);
  }

  /**
   * The spans in an {@code ExportTraceServiceRequest}: {@code resource_spans} (1) -> {@code
   * scope_spans} (2) -> {@code spans} (2), counted without the OTLP classes.
   */
  static long countSpans(byte[] exportTraceServiceRequest) {
    try {
      long count = 0;
      for (byte[] resourceSpans : fields(exportTraceServiceRequest, 1)) {
        for (byte[] scopeSpans : fields(resourceSpans, 2)) {
          count += fields(scopeSpans, 2).size();
        }
      }
      return count;
    } catch (IOException e) {
      throw new IllegalArgumentException("not an ExportTraceServiceRequest: " + e.getMessage(), e);
    }
  }

  private static List<byte[]> fields(byte[] message, int number) throws IOException {
    List<byte[]> found = new ArrayList<>();
    CodedInputStream in = CodedInputStream.newInstance(message);
    while (true) {
      int tag = in.readTag();
      if (tag == 0) {
        return found;
      }
      if (WireFormat.getTagFieldNumber(tag) == number
          && WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
        found.add(in.readByteArray());
      } else {
        in.skipField(tag);
      }
    }
  }

  @Override
  public void close() throws InterruptedException {
    server.shutdownNow();
    server.awaitTermination(5, TimeUnit.SECONDS);
  }

  /** Messages as their bytes. */
  private enum Bytes implements MethodDescriptor.Marshaller<byte[]> {
    INSTANCE;

    @Override
    public InputStream stream(byte[] value) {
      return new ByteArrayInputStream(value);
    }

    @Override
    public byte[] parse(InputStream stream) {
      try {
        return stream.readAllBytes();
      } catch (IOException e) {
        throw new IllegalStateException("cannot read a message", e);
      }
    }
  }
}
