package dev.meshwork.core.testing;

import io.grpc.EquivalentAddressGroup;
import io.grpc.NameResolver;
import io.grpc.Status;
import io.grpc.StatusOr;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** A name resolver listener that remembers the last result, for resolver tests. */
public final class RecordingListener extends NameResolver.Listener2 {

  private final AtomicInteger results = new AtomicInteger();
  private volatile List<InetSocketAddress> addresses = List.of();
  private volatile Status error;

  @Override
  public void onResult(NameResolver.ResolutionResult result) {
    onResult2(result);
  }

  @Override
  public Status onResult2(NameResolver.ResolutionResult result) {
    StatusOr<List<EquivalentAddressGroup>> outcome = result.getAddressesOrError();
    if (outcome.hasValue()) {
      List<InetSocketAddress> all = new ArrayList<>();
      for (EquivalentAddressGroup group : outcome.getValue()) {
        for (SocketAddress address : group.getAddresses()) {
          all.add((InetSocketAddress) address);
        }
      }
      addresses = List.copyOf(all);
      error = null;
    } else {
      addresses = List.of();
      error = outcome.getStatus();
    }
    results.incrementAndGet();
    return Status.OK;
  }

  @Override
  public void onError(Status status) {
    error = status;
    results.incrementAndGet();
  }

  /** The ports of the last published addresses. */
  public List<Integer> ports() {
    return addresses.stream().map(InetSocketAddress::getPort).toList();
  }

  /** The last published addresses. */
  public List<InetSocketAddress> addresses() {
    return addresses;
  }

  /** The last error, null after a successful result. */
  public Status error() {
    return error;
  }

  /** How many results (or errors) were published. */
  public int results() {
    return results.get();
  }
}
