package dev.meshwork.observability;

import io.grpc.Channel;
import io.grpc.ClientInterceptor;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * An in-process gRPC server with one unary string method (and a fake health method), wired with
 * the Meshwork telemetry interceptors the way MeshServer and MeshChannels install them.
 */
final class EchoServer implements AutoCloseable {

  static final MethodDescriptor<String, String> ECHO = unary("meshwork.test.v1.EchoService/Echo");
  static final MethodDescriptor<String, String> HEALTH_CHECK = unary("grpc.health.v1.Health/Check");

  private final Server server;
  private final ManagedChannel channel;

  private EchoServer(Server server, ManagedChannel channel) {
    this.server = server;
    this.channel = channel;
  }

  /** Starts a server whose methods answer with {@code handler}. */
  static EchoServer start(BiConsumer<String, StreamObserver<String>> handler) {
    String name = InProcessServerBuilder.generateName();
    ServerCalls.UnaryMethod<String, String> method = handler::accept;
    try {
      Server server =
          InProcessServerBuilder.forName(name)
              .addService(
                  ServerServiceDefinition.builder("meshwork.test.v1.EchoService")
                      .addMethod(ECHO, ServerCalls.asyncUnaryCall(method))
                      .build())
              .addService(
                  ServerServiceDefinition.builder("grpc.health.v1.Health")
                      .addMethod(HEALTH_CHECK, ServerCalls.asyncUnaryCall(method))
                      .build())
              .intercept(MeshTelemetry.serverInterceptor())
              .build()
              .start();
      ManagedChannel channel = InProcessChannelBuilder.forName(name).build();
      return new EchoServer(server, channel);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Starts a server that answers every request with {@code "echo:" + request}. */
  static EchoServer echoing() {
    return start(
        (request, response) -> {
          response.onNext("echo:" + request);
          response.onCompleted();
        });
  }

  /** A channel with the client telemetry interceptor, as MeshChannels makes them. */
  Channel channel() {
    return channelWith(MeshTelemetry.clientInterceptor());
  }

  /** A channel with {@code interceptor} instead. */
  Channel channelWith(ClientInterceptor interceptor) {
    return ClientInterceptors.intercept(channel, interceptor);
  }

  @Override
  public void close() {
    try {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static MethodDescriptor<String, String> unary(String fullName) {
    return MethodDescriptor.<String, String>newBuilder()
        .setType(MethodDescriptor.MethodType.UNARY)
        .setFullMethodName(fullName)
        .setRequestMarshaller(StringMarshaller.INSTANCE)
        .setResponseMarshaller(StringMarshaller.INSTANCE)
        .build();
  }

  private enum StringMarshaller implements MethodDescriptor.Marshaller<String> {
    INSTANCE;

    @Override
    public InputStream stream(String value) {
      return new ByteArrayInputStream(value.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String parse(InputStream stream) {
      try {
        return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
