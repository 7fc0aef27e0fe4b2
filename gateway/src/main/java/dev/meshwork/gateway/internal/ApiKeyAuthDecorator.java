package dev.meshwork.gateway.internal;

import static java.util.Objects.requireNonNull;

import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.RequestHeaders;
import com.linecorp.armeria.server.DecoratingHttpServiceFunction;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServiceRequestContext;
import io.grpc.Status;
import io.netty.util.AttributeKey;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import java.util.logging.Logger;

/**
 * Lets a request through only with a configured API key allowed its route, within the key's rate:
 * {@code Authorization: Bearer <key>} or {@code X-API-Key: <key>}; 401 without a key or with an
 * unknown one, 403 for a route the key may not call, 429 with {@code Retry-After} over its rate.
 * The key headers are removed before the request goes on, so nothing downstream (logs, upstream
 * metadata) ever sees a key; the key's name is kept on the context instead.
 */
public final class ApiKeyAuthDecorator implements DecoratingHttpServiceFunction {

  /** The name of the key that authenticated the request. */
  public static final AttributeKey<String> KEY_NAME =
      AttributeKey.valueOf(ApiKeyAuthDecorator.class, "keyName");

  static final String API_KEY_HEADER = "x-api-key";

  private static final Logger LOG = Logger.getLogger(ApiKeyAuthDecorator.class.getName());

  private final ApiKeyStore keys;
  private final LongSupplier nanoTime;
  private final Map<String, TokenBucket> buckets = new ConcurrentHashMap<>();

  /** Checks requests against {@code keys}. */
  public ApiKeyAuthDecorator(ApiKeyStore keys) {
    this(keys, System::nanoTime);
  }

  /** Checks requests against {@code keys}, rate-limiting on {@code nanoTime}. */
  public ApiKeyAuthDecorator(ApiKeyStore keys, LongSupplier nanoTime) {
    this.keys = requireNonNull(keys, "keys");
    this.nanoTime = requireNonNull(nanoTime, "nanoTime");
  }

  @Override
  public HttpResponse serve(HttpService delegate, ServiceRequestContext ctx, HttpRequest req)
      throws Exception {
    Optional<String> presented = presentedKey(req.headers());
    if (presented.isEmpty()) {
      return unauthorized(
          "API_KEY_MISSING",
          "an API key is required: Authorization: Bearer <key>" + " or X-API-Key: <key>");
    }
    Optional<ApiKey> key = keys.find(presented.get());
    if (key.isEmpty()) {
      LOG.fine(() -> "unknown API key for " + req.method() + " " + ctx.path());
      return unauthorized("API_KEY_INVALID", "the API key is not valid");
    }
    ApiKey apiKey = key.get();
    if (!apiKey.allows(req.method(), ctx.path())) {
      return ErrorResponses.of(
              HttpStatus.FORBIDDEN,
              Status.Code.PERMISSION_DENIED,
              "ROUTE_NOT_ALLOWED",
              "API key '" + apiKey.name() + "' may not call " + req.method() + " " + ctx.path())
          .toResponse()
          .toHttpResponse();
    }
    Duration wait =
        buckets
            .computeIfAbsent(apiKey.name(), n -> new TokenBucket(apiKey.rateLimit(), nanoTime))
            .tryAcquire();
    if (!wait.isZero()) {
      return ErrorResponses.of(
              HttpStatus.TOO_MANY_REQUESTS,
              Status.Code.RESOURCE_EXHAUSTED,
              "RATE_LIMITED",
              "API key '"
                  + apiKey.name()
                  + "' is over its rate of "
                  + apiKey.rateLimit().perSecond()
                  + " requests per second",
              wait)
          .toResponse()
          .toHttpResponse();
    }
    ctx.setAttr(KEY_NAME, apiKey.name());
    RequestHeaders stripped =
        req.headers().toBuilder()
            .removeAndThen(HttpHeaderNames.AUTHORIZATION)
            .removeAndThen(API_KEY_HEADER)
            .build();
    return delegate.serve(ctx, req.withHeaders(stripped));
  }

  private static Optional<String> presentedKey(RequestHeaders headers) {
    String authorization = headers.get(HttpHeaderNames.AUTHORIZATION);
    if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      String key = authorization.substring(7).trim();
      if (!key.isEmpty()) {
        return Optional.of(key);
      }
    }
    String key = headers.get(API_KEY_HEADER);
    return key == null || key.isBlank() ? Optional.empty() : Optional.of(key.trim());
  }

  private static HttpResponse unauthorized(String reason, String message) {
    var response =
        ErrorResponses.of(HttpStatus.UNAUTHORIZED, Status.Code.UNAUTHENTICATED, reason, message)
            .toResponse();
    return HttpResponse.of(
        response.headers().toBuilder()
            .set(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer realm=\"meshwork\"")
            .build(),
        response.content());
  }
}
