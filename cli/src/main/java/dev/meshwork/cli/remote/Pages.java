package dev.meshwork.cli.remote;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads a paged {@code List*} RPC to the end, or to a limit: each call carries the previous page's
 * token, and a token seen before ends the listing, so a server that hands out a token loop cannot
 * keep meshctl asking forever.
 */
public final class Pages {

  private Pages() {}

  /**
   * One page as the server answered it.
   *
   * @param items the page's records
   * @param nextToken the token of the next page; empty on the last
   */
  public record Page<T>(List<T> items, String nextToken) {

    /** Copies the records. */
    public Page {
      items = List.copyOf(requireNonNull(items, "items"));
      requireNonNull(nextToken, "nextToken");
    }
  }

  /** Fetches one page. */
  @FunctionalInterface
  public interface Fetcher<T> {

    /** The page after {@code token} (empty for the first), of at most {@code size} records. */
    Page<T> fetch(String token, int size);
  }

  /** Every record, {@code pageSize} per call. */
  public static <T> List<T> all(int pageSize, Fetcher<T> fetcher) {
    return upTo(Integer.MAX_VALUE, pageSize, fetcher);
  }

  /**
   * The first {@code limit} records, asking for at most {@code pageSize} (and no more than are
   * still wanted) per call.
   */
  public static <T> List<T> upTo(int limit, int pageSize, Fetcher<T> fetcher) {
    if (limit < 1 || pageSize < 1) {
      throw new IllegalArgumentException(
          "limit " + limit + ", pageSize " + pageSize + " (expected: both >= 1)");
    }
    requireNonNull(fetcher, "fetcher");
    List<T> items = new ArrayList<>();
    Set<String> seenTokens = new HashSet<>();
    String token = "";
    do {
      Page<T> page = fetcher.fetch(token, Math.min(pageSize, limit - items.size()));
      items.addAll(page.items());
      token = page.nextToken();
    } while (items.size() < limit && !token.isEmpty() && seenTokens.add(token));
    return items.size() > limit ? List.copyOf(items.subList(0, limit)) : items;
  }
}
