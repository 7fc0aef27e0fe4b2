package dev.meshwork.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class MeshTargetTest {

  @Test
  void parse_skillTarget_filtersBySkill() {
    MeshTarget target = MeshTarget.parse("mesh:///skill/text.keywords");

    assertThat(target).isEqualTo(MeshTarget.skill("text.keywords"));
    assertThat(target.filter().getSkillId()).isEqualTo("text.keywords");
    assertThat(target.filter().getAgentName()).isEmpty();
    assertThat(target.uri()).isEqualTo("mesh:///skill/text.keywords");
  }

  @Test
  void parse_agentTarget_filtersByName() {
    MeshTarget target = MeshTarget.parse("mesh:///agent/text");

    assertThat(target.kind()).isEqualTo(MeshTarget.Kind.AGENT);
    assertThat(target.filter().getAgentName()).isEqualTo("text");
  }

  @Test
  void parse_wrongShapes_failWithExpectedShape() {
    for (String bad :
        new String[] {
          "mesh:///skill", "mesh://host/skill/x", "mesh:///skill/x/y", "dns:///skill/x",
          "mesh:///skill/x?y=1", "mesh:///tool/x"
        }) {
      assertThatThrownBy(() -> MeshTarget.parse(bad))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("expected: mesh:///skill/<skill-id> or mesh:///agent/<name>");
    }
  }

  @Test
  void new_badAgentName_fails() {
    assertThatThrownBy(() -> MeshTarget.agent("Text_Agent"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "agent name: 'Text_Agent' (expected: lower-case letters, digits and '-', at most 63)");
  }

  @Test
  void isMeshTarget_schemes_recognizesMeshOnly() {
    assertThat(MeshTarget.isMeshTarget("mesh:///skill/x")).isTrue();
    assertThat(MeshTarget.isMeshTarget("MESH:///skill/x")).isTrue();
    assertThat(MeshTarget.isMeshTarget("localhost:7001")).isFalse();
    assertThat(MeshTarget.isMeshTarget("dns:///mesh")).isFalse();
  }
}
