package dev.meshwork.observability.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.sdk.resources.Resource;
import org.junit.jupiter.api.Test;

class ServiceResourceTest {

  @Test
  void withDefaults_sdkDefaultName_usesProcessName() {
    Resource resource = ServiceResource.withDefaults(Resource.getDefault(), "registry");

    assertThat(resource.getAttribute(ServiceResource.SERVICE_NAME)).isEqualTo("registry");
    assertThat(resource.getAttribute(ServiceResource.SERVICE_NAMESPACE)).isEqualTo("meshwork");
  }

  @Test
  void withDefaults_configuredName_keepsIt() {
    Resource configured =
        Resource.builder()
            .put(ServiceResource.SERVICE_NAME, "from-env")
            .put(ServiceResource.SERVICE_NAMESPACE, "team-a")
            .build();

    Resource resource = ServiceResource.withDefaults(configured, "registry");

    assertThat(resource.getAttribute(ServiceResource.SERVICE_NAME)).isEqualTo("from-env");
    assertThat(resource.getAttribute(ServiceResource.SERVICE_NAMESPACE)).isEqualTo("team-a");
  }
}
