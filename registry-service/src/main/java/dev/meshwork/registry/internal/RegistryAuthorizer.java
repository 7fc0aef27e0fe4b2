package dev.meshwork.registry.internal;

import dev.meshwork.core.MeshException;
import dev.meshwork.core.MeshIdentity;
import java.util.Optional;

/**
 * Who may change what: only {@code agent/<name>} may register, renew or deregister instances of
 * agent {@code <name>}. Reads and watches are open to every mesh identity (the transport has
 * authenticated it already). Without a caller identity (an insecure dev server) everything is
 * allowed.
 */
final class RegistryAuthorizer {

  private static final String AGENT_KIND = "agent";

  private RegistryAuthorizer() {}

  static void checkMayRegister(Optional<MeshIdentity> caller, String agentName) {
    if (caller.isEmpty() || isAgent(caller.get(), agentName)) {
      return;
    }
    throw MeshException.permissionDenied(
        caller.get().kindAndName()
            + " may not register instances of agent '"
            + agentName
            + "' (only agent/"
            + agentName
            + " may)");
  }

  static void checkMayModify(
      Optional<MeshIdentity> caller, StoredInstance instance, String action) {
    String agentName = instance.card().getName();
    if (caller.isEmpty() || isAgent(caller.get(), agentName)) {
      return;
    }
    throw MeshException.permissionDenied(
        caller.get().kindAndName()
            + " may not "
            + action
            + " instance '"
            + instance.id()
            + "' of agent '"
            + agentName
            + "' (only agent/"
            + agentName
            + " may)");
  }

  private static boolean isAgent(MeshIdentity identity, String agentName) {
    return AGENT_KIND.equals(identity.kind()) && identity.name().equals(agentName);
  }
}
