package dev.mileage.bench.calls;

import dev.mileage.fixtures.sip.SimulatedTrunk;
import dev.mileage.fixtures.sip.TrunkOptions;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code bench trunk}: the PSTN trunk on its own, for runs with SIPp or another SIP server in front. */
@Command(name = "trunk", mixinStandardHelpOptions = true,
    description = "Runs the load trunk (answers every call) on loopback for a bounded time, for SIPp or Kamailio runs.")
public final class TrunkCommand implements Callable<Integer> {
  static final Duration RUN_MAX = Duration.ofHours(4);

  @Option(names = "--port", defaultValue = "0", description = "UDP+TCP port on 127.0.0.1 (0: a free one; default ${DEFAULT-VALUE})")
  int port;
  @Option(names = "--kind", defaultValue = "load", description = "load (lean) or fixtures (sip-fixtures SimulatedTrunk)")
  CallsCommand.TrunkKind kind;
  @Option(names = "--for", converter = Durations.class, defaultValue = "10m", description = "stop after (default ${DEFAULT-VALUE})")
  Duration runFor;

  @Override
  public Integer call() throws Exception {
    if (runFor.compareTo(RUN_MAX) > 0) throw new IllegalArgumentException("--for at most " + RUN_MAX);
    AutoCloseable trunk;
    String uri;
    if (kind == CallsCommand.TrunkKind.fixtures) {
      SimulatedTrunk simulated = SimulatedTrunk.start(TrunkOptions.defaults().withPort(port));
      trunk = simulated;
      uri = "sip:pstn@" + simulated.host() + ":" + simulated.port();
    } else {
      LoadTrunk load = new LoadTrunk(port);
      trunk = load;
      uri = load.uri();
    }
    CountDownLatch stop = new CountDownLatch(1);
    Thread hook = new Thread(stop::countDown, "bench-trunk-stop");
    Runtime.getRuntime().addShutdownHook(hook);
    try (AutoCloseable running = trunk) {
      System.out.println("trunk at " + uri + " (UDP and TCP) for " + runFor + "; Ctrl-C stops it");
      stop.await(runFor.toMillis(), TimeUnit.MILLISECONDS);
    }
    return 0;
  }
}
