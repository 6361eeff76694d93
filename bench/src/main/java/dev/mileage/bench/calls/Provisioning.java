package dev.mileage.bench.calls;

import java.io.IOException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/** Creates the run's subscribers on the gateway: a funded mileage account and SIP credentials each. */
final class Provisioning {
  /** Requests in flight at once while provisioning. */
  static final int PARALLELISM = 8;
  static final int SUBSCRIBERS_MAX = 100_000;
  private static final SecureRandom RANDOM = new SecureRandom();

  private Provisioning() {}

  static String ownerOf(String runTag, int index) {
    return "member:bench-" + runTag + "-" + index;
  }

  static String usernameOf(String runTag, int index) {
    return "bench" + runTag + "u" + index;
  }

  static String newPassword() {
    byte[] bytes = new byte[18];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /** Short random tag so repeated runs against one gateway never collide (keys, owners, usernames). */
  static String newRunTag() {
    return Long.toString(RANDOM.nextLong() & 0xffffffffL, 36);
  }

  static List<Subscriber> provision(GatewayOperatorApi api, int count, long balancePoints, String runTag)
      throws IOException {
    if (count <= 0 || count > SUBSCRIBERS_MAX) throw new IllegalArgumentException("subscribers in [1, " + SUBSCRIBERS_MAX + "]");
    long issuer = api.openMileageAccount("operator", false);
    ExecutorService pool = Executors.newFixedThreadPool(PARALLELISM);
    try {
      List<Future<Object[]>> pending = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        int index = i;
        pending.add(pool.submit(() -> {
          String owner = ownerOf(runTag, index);
          String username = usernameOf(runTag, index);
          String password = newPassword();
          long account = api.openMileageAccount(owner, true);
          api.createSipSubscriber(username, password, owner);
          return new Object[] {new Subscriber(username, password, owner), account};
        }));
      }
      List<Subscriber> subscribers = new ArrayList<>(count);
      List<Long> accounts = new ArrayList<>(count);
      for (Future<Object[]> future : pending) {
        Object[] done = await(future);
        subscribers.add((Subscriber) done[0]);
        accounts.add((Long) done[1]);
      }
      api.fund(issuer, accounts, balancePoints, "bench:" + runTag + ":fund:");
      return subscribers;
    } finally {
      pool.shutdownNow();
    }
  }

  static <T> T await(Future<T> future) throws IOException {
    try {
      return future.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof IOException io) throw io;
      throw new IllegalStateException(e.getCause());
    }
  }
}
