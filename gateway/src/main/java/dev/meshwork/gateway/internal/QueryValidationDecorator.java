package dev.meshwork.gateway.internal;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.DynamicMessage;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.server.DecoratingHttpServiceFunction;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServiceRequestContext;
import dev.meshwork.core.MeshException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Checks the query parameters of a transcoded request before the transcoder sees them: Armeria's
 * transcoder ignores unknown parameters and reports a non-number without naming it, while the
 * gateway promises a 400 naming the field. Requests without parameters pass untouched.
 */
public final class QueryValidationDecorator implements DecoratingHttpServiceFunction {

  private final List<HttpBinding> bindings;

  /** Checks requests against {@code bindings} (the unary ones the transcoder serves). */
  public QueryValidationDecorator(List<HttpBinding> bindings) {
    this.bindings = List.copyOf(requireNonNull(bindings, "bindings"));
  }

  @Override
  public HttpResponse serve(HttpService delegate, ServiceRequestContext ctx, HttpRequest req)
      throws Exception {
    if (ctx.queryParams().isEmpty()) {
      return delegate.serve(ctx, req);
    }
    for (HttpBinding binding : bindings) {
      if (binding.httpMethod() != req.method()) {
        continue;
      }
      Optional<Map<String, String>> variables = binding.path().match(ctx.path());
      if (variables.isEmpty()) {
        continue;
      }
      try {
        RequestBinder.bind(
            DynamicMessage.newBuilder(binding.inputType()),
            variables.get(),
            ctx.queryParams(),
            Set.of());
      } catch (MeshException e) {
        return ErrorResponses.of(e).toResponse().toHttpResponse();
      }
      break;
    }
    return delegate.serve(ctx, req);
  }
}
