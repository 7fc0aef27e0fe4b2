package dev.meshwork.gateway.internal;

import static java.util.Objects.requireNonNull;

import com.google.api.AnnotationsProto;
import com.google.api.HttpRule;
import com.google.protobuf.Descriptors;
import com.linecorp.armeria.common.HttpMethod;
import io.grpc.MethodDescriptor;
import io.grpc.ServiceDescriptor;
import io.grpc.protobuf.ProtoMethodDescriptorSupplier;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Logger;

/**
 * One {@code google.api.http} binding of an RPC, read from the generated descriptors: the gateway
 * derives its streaming routes and its query checks from these, so an RPC added to the contract
 * with an annotation needs no gateway code.
 *
 * @param method the gRPC method
 * @param httpMethod the HTTP method of the binding
 * @param path the path template
 * @param body the body mapping ({@code *}, a field name, or empty for none)
 */
public record HttpBinding(
    MethodDescriptor<?, ?> method, HttpMethod httpMethod, PathTemplate path, String body) {

  private static final Logger LOG = Logger.getLogger(HttpBinding.class.getName());

  /** Validates the parts. */
  public HttpBinding {
    requireNonNull(method, "method");
    requireNonNull(httpMethod, "httpMethod");
    requireNonNull(path, "path");
    requireNonNull(body, "body");
  }

  /** Every binding of every annotated method of {@code service} (additional bindings too). */
  public static List<HttpBinding> of(ServiceDescriptor service) {
    List<HttpBinding> bindings = new ArrayList<>();
    for (MethodDescriptor<?, ?> method : service.getMethods()) {
      Descriptors.MethodDescriptor proto = protoOf(method);
      if (proto == null || !proto.getOptions().hasExtension(AnnotationsProto.http)) {
        continue;
      }
      HttpRule rule = proto.getOptions().getExtension(AnnotationsProto.http);
      add(bindings, method, rule);
      for (HttpRule additional : rule.getAdditionalBindingsList()) {
        add(bindings, method, additional);
      }
    }
    return bindings;
  }

  /** The request message type. */
  public Descriptors.Descriptor inputType() {
    return requireNonNull(protoOf(method), "schema descriptor").getInputType();
  }

  /** Whether the server answers with a stream of messages. */
  public boolean serverStreaming() {
    return !method.getType().serverSendsOneMessage();
  }

  private static void add(List<HttpBinding> out, MethodDescriptor<?, ?> method, HttpRule rule) {
    HttpMethod httpMethod;
    String template;
    switch (rule.getPatternCase()) {
      case GET -> {
        httpMethod = HttpMethod.GET;
        template = rule.getGet();
      }
      case POST -> {
        httpMethod = HttpMethod.POST;
        template = rule.getPost();
      }
      case PUT -> {
        httpMethod = HttpMethod.PUT;
        template = rule.getPut();
      }
      case PATCH -> {
        httpMethod = HttpMethod.PATCH;
        template = rule.getPatch();
      }
      case DELETE -> {
        httpMethod = HttpMethod.DELETE;
        template = rule.getDelete();
      }
      default -> {
        LOG.warning(() -> method.getFullMethodName() + ": custom HTTP methods are not served");
        return;
      }
    }
    try {
      out.add(new HttpBinding(method, httpMethod, PathTemplate.parse(template), rule.getBody()));
    } catch (IllegalArgumentException e) {
      LOG.warning(() -> method.getFullMethodName() + ": " + e.getMessage());
    }
  }

  private static Descriptors.MethodDescriptor protoOf(MethodDescriptor<?, ?> method) {
    return method.getSchemaDescriptor() instanceof ProtoMethodDescriptorSupplier supplier
        ? supplier.getMethodDescriptor()
        : null;
  }
}
