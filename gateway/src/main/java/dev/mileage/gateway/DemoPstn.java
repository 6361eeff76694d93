package dev.mileage.gateway;

import dev.mileage.fixtures.sip.DemoNumbers;
import dev.mileage.fixtures.sip.SimulatedTrunk;
import dev.mileage.fixtures.sip.TrunkOptions;

import java.io.PrintStream;
import java.net.URI;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The simulated PSTN (trunk and SMSC from sip-fixtures) that the demo runs in-process, so that the
 * README's one command gives calls and SMS on a fresh machine. It starts only in demo mode and only when
 * the trunk URI is left at its default; a configured trunk, {@code --no-demo} or {@code --production}
 * never start it. This is the one run-time use of sip-fixtures by the gateway.
 */
final class DemoPstn implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(DemoPstn.class.getName());

  private final SimulatedTrunk trunk;

  private DemoPstn(SimulatedTrunk trunk) {
    this.trunk = trunk;
  }

  static Optional<DemoPstn> startIfWanted(GatewayConfig config, PrintStream out) {
    if (!config.demo() || config.production() || !config.trunkUri().equals(Setting.TRUNK_URI.defaultValue())) {
      return Optional.empty();
    }
    URI uri = URI.create(config.trunkUri().replaceFirst("^sip:[^@]*@", "sip://"));
    try {
      SimulatedTrunk trunk = SimulatedTrunk.start(TrunkOptions.defaults().withPort(uri.getPort()));
      out.println("PSTN:      simulated trunk at " + trunk.uri() + ", SMSC " + trunk.smscUri()
          + " (demo numbers below)");
      out.println(DemoNumbers.describe());
      return Optional.of(new DemoPstn(trunk));
    } catch (Exception e) {
      // most often the port is taken by a simulated trunk started by hand (TrunkMain): use that one
      LOG.log(Level.WARNING, "simulated PSTN not started at " + config.trunkUri() + ": " + e.getMessage());
      out.println("PSTN:      not started here (" + e.getMessage() + "); calls go to " + config.trunkUri());
      return Optional.empty();
    }
  }

  @Override
  public void close() {
    trunk.close();
  }
}
