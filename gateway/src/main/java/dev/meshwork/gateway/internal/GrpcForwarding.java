package dev.meshwork.gateway.internal;

import static java.util.Objects.requireNonNull;

import io.grpc.Channel;
import io.grpc.MethodDescriptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * Builds a service definition that serves a generated service's methods by forwarding them to an
 * upstream channel. The definition keeps the generated method descriptors, schema descriptors
 * included, so whatever reads {@code google.api.http} options from them (Armeria's transcoder) sees
 * the contract exactly as compiled from {@code proto/}.
 */
public final class GrpcForwarding {

  private GrpcForwarding() {}

  /**
   * A definition of {@code service} whose methods accepted by {@code include} are forwarded to
   * {@code upstream}; the others are not served.
   */
  public static ServerServiceDefinition forward(
      ServiceDescriptor service, Channel upstream, Predicate<MethodDescriptor<?, ?>> include) {
    requireNonNull(service, "service");
    requireNonNull(upstream, "upstream");
    requireNonNull(include, "include");
    List<MethodDescriptor<?, ?>> methods =
        service.getMethods().stream().filter(include).collect(Collectors.toList());
    ServiceDescriptor.Builder served =
        ServiceDescriptor.newBuilder(service.getName())
            .setSchemaDescriptor(service.getSchemaDescriptor());
    methods.forEach(served::addMethod);
    ServerServiceDefinition.Builder definition = ServerServiceDefinition.builder(served.build());
    for (MethodDescriptor<?, ?> method : methods) {
      addForwarded(definition, method, upstream);
    }
    return definition.build();
  }

  private static <ReqT, RespT> void addForwarded(
      ServerServiceDefinition.Builder definition,
      MethodDescriptor<ReqT, RespT> method,
      Channel upstream) {
    definition.addMethod(method, new ForwardingCallHandler<>(upstream, method));
  }
}
