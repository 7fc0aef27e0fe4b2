package dev.meshwork.orchestrator;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * One page of a listing.
 *
 * @param items the page's items
 * @param nextPageToken token of the next page; empty on the last page
 * @param <T> the item type
 */
public record Page<T>(List<T> items, String nextPageToken) {

  /** Copies the parts. */
  public Page {
    items = List.copyOf(items);
    requireNonNull(nextPageToken, "nextPageToken");
  }
}
