package dev.meshwork.agent.internal;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** The host an agent tells the registry, so that peers can reach it. */
public final class AdvertisedHost {

  private AdvertisedHost() {}

  /**
   * The explicit {@code advertised} host if given; else the bind host, unless that is a wildcard
   * address (peers cannot dial {@code 0.0.0.0}), in which case this machine's address.
   */
  public static String choose(String bindHost, String advertised) {
    if (advertised != null && !advertised.isBlank()) {
      return advertised;
    }
    if (!bindHost.equals("0.0.0.0") && !bindHost.equals("::") && !bindHost.equals("[::]")) {
      return bindHost;
    }
    try {
      return InetAddress.getLocalHost().getHostAddress();
    } catch (UnknownHostException e) {
      return "127.0.0.1";
    }
  }
}
