package dev.meshwork.registry.internal;

import static java.util.Objects.requireNonNull;

import dev.meshwork.api.registry.v1.AgentInstance;
import java.util.List;

/**
 * One page of a listing.
 *
 * @param instances the matching instances, ordered by instance id
 * @param nextPageToken the token for the next page; empty on the last page
 */
public record InstancePage(List<AgentInstance> instances, String nextPageToken) {

  /** Copies the list. */
  public InstancePage {
    instances = List.copyOf(instances);
    requireNonNull(nextPageToken, "nextPageToken");
  }
}
