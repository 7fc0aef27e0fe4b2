package dev.meshwork.observability.internal;

import static java.util.Objects.requireNonNull;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.resources.ResourceBuilder;

/**
 * Completes the resource autoconfigure built from {@code OTEL_SERVICE_NAME} and {@code
 * OTEL_RESOURCE_ATTRIBUTES}: the process's own service name applies only when neither named one
 * (the SDK then reports {@code unknown_service:java}), and every process shares the {@code
 * meshwork} namespace unless told otherwise.
 */
public final class ServiceResource {

  static final AttributeKey<String> SERVICE_NAME = AttributeKey.stringKey("service.name");
  static final AttributeKey<String> SERVICE_NAMESPACE = AttributeKey.stringKey("service.namespace");

  private ServiceResource() {}

  /** {@code resource} with the defaults filled in. */
  public static Resource withDefaults(Resource resource, String serviceName) {
    requireNonNull(resource, "resource");
    requireNonNull(serviceName, "serviceName");
    ResourceBuilder builder = resource.toBuilder();
    String current = resource.getAttribute(SERVICE_NAME);
    if (current == null || current.startsWith("unknown_service")) {
      builder.put(SERVICE_NAME, serviceName);
    }
    if (resource.getAttribute(SERVICE_NAMESPACE) == null) {
      builder.put(SERVICE_NAMESPACE, "meshwork");
    }
    return builder.build();
  }
}
