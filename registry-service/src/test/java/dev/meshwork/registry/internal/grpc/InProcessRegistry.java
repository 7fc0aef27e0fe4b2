package dev.meshwork.registry.internal.grpc;

import dev.meshwork.api.registry.v1.RegistryServiceGrpc;
import dev.meshwork.core.internal.ErrorMappingInterceptor;
import dev.meshwork.registry.internal.InstanceRegistry;
import dev.meshwork.registry.testing.TestIdentityInterceptor;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.AbstractStub;
import io.grpc.stub.MetadataUtils;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/** A registry served in-process, with stubs that call it as a given identity. */
final class InProcessRegistry implements AutoCloseable {

  private final InstanceRegistry registry;
  private final ExecutorService watchExecutor = Executors.newCachedThreadPool();
  private final Server server;
  private final ManagedChannel channel;

  InProcessRegistry(InstanceRegistry registry) {
    this.registry = registry;
    String name = InProcessServerBuilder.generateName();
    RegistryGrpcService service = new RegistryGrpcService(registry, watchExecutor);
    try {
      this.server =
          InProcessServerBuilder.forName(name)
              .addService(
                  ServerInterceptors.intercept(
                      service, new ErrorMappingInterceptor(), new TestIdentityInterceptor()))
              .build()
              .start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    this.channel = InProcessChannelBuilder.forName(name).build();
  }

  InstanceRegistry registry() {
    return registry;
  }

  /** A blocking stub without identity (as on an insecure server). */
  RegistryServiceGrpc.RegistryServiceBlockingStub blocking() {
    return RegistryServiceGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS);
  }

  /** A blocking stub calling as {@code <kind>/<name>}. */
  RegistryServiceGrpc.RegistryServiceBlockingStub blocking(String identity) {
    return as(blocking(), identity);
  }

  /** An async stub without identity. */
  RegistryServiceGrpc.RegistryServiceStub async() {
    return RegistryServiceGrpc.newStub(channel);
  }

  /** An async stub calling as {@code <kind>/<name>}. */
  RegistryServiceGrpc.RegistryServiceStub async(String identity) {
    return as(async(), identity);
  }

  private static <S extends AbstractStub<S>> S as(S stub, String identity) {
    Metadata headers = new Metadata();
    headers.put(TestIdentityInterceptor.HEADER, identity);
    return stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
  }

  @Override
  public void close() {
    channel.shutdownNow();
    server.shutdownNow();
    try {
      server.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      watchExecutor.shutdownNow();
    }
  }
}
