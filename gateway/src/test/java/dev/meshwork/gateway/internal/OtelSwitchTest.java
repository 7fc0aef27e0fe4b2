package dev.meshwork.gateway.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class OtelSwitchTest {

  @Test
  void sdkDisabled_neitherSet_isFalse() {
    assertThat(OtelSwitch.sdkDisabled(null, null)).isFalse();
  }

  @Test
  void sdkDisabled_variableTrue_isTrue() {
    assertThat(OtelSwitch.sdkDisabled(null, "TRUE")).isTrue();
  }

  @Test
  void sdkDisabled_propertyOverridesVariable() {
    assertThat(OtelSwitch.sdkDisabled("false", "true")).isFalse();
    assertThat(OtelSwitch.sdkDisabled(" true ", "false")).isTrue();
  }
}
