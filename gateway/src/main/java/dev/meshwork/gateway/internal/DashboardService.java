package dev.meshwork.gateway.internal;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServerBuilder;
import com.linecorp.armeria.server.file.FileService;
import java.util.Map;

/**
 * The web dashboard: static files (plain HTML, JS and CSS, no build step) from the classpath under
 * {@code /}, plus {@code /dashboard-config.json} with what the page cannot know by itself (the
 * Jaeger UI address). The files are public; every API call the page makes carries the API key the
 * user typed in, like any other client's.
 */
public final class DashboardService {

  /** Where the files are on the classpath. */
  static final String ROOT = "dev/meshwork/gateway/dashboard";

  /**
   * Only the page's own scripts and styles, calls to its own origin, no framing: a stolen-key XSS
   * would have to come through the gateway's own files.
   */
  static final String CONTENT_SECURITY_POLICY =
      "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self';"
          + " img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

  private DashboardService() {}

  /** Adds the dashboard's routes to {@code sb}. */
  public static void install(ServerBuilder sb, String jaegerUrl) {
    requireNonNull(jaegerUrl, "jaegerUrl");
    String config = configJson(jaegerUrl);
    HttpService configService =
        (ctx, req) -> HttpResponse.of(HttpStatus.OK, MediaType.JSON_UTF_8, config);
    sb.service("/dashboard-config.json", configService);
    HttpService files =
        FileService.builder(DashboardService.class.getClassLoader(), ROOT)
            .cacheControl("no-cache")
            .setHeader("content-security-policy", CONTENT_SECURITY_POLICY)
            .setHeader("x-content-type-options", "nosniff")
            .setHeader("referrer-policy", "no-referrer")
            .build();
    sb.route().pathPrefix("/").methods(HttpMethod.GET, HttpMethod.HEAD).build(files);
  }

  private static String configJson(String jaegerUrl) {
    try {
      return new ObjectMapper().writeValueAsString(Map.of("jaegerUrl", stripSlash(jaegerUrl)));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String stripSlash(String url) {
    return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }
}
