package dev.mileage.bench.calls;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bench provision}: the subscribers of a {@code bench calls} run, created on a running gateway through
 * the operator API and written as a SIPp injection file, so SIPp (or {@code bench calls --subscribers-csv})
 * can place the same prepaid calls. The file holds SIP passwords: it is created readable by its owner only.
 */
@Command(name = "provision", mixinStandardHelpOptions = true,
    description = "Creates funded SIP subscribers on a running gateway (operator password in env "
        + "MILEAGE_OPERATOR_PASSWORD), prices the dialled number, and writes them as a SIPp injection file.")
public final class ProvisionCommand implements Callable<Integer> {
  @Option(names = "--gateway-http", required = true, paramLabel = "URL", description = "e.g. http://127.0.0.1:8080")
  URI gatewayHttp;
  @Option(names = "--operator-user", defaultValue = "operator", description = "default ${DEFAULT-VALUE}")
  String operatorUser;
  @Option(names = "--subscribers", defaultValue = "2000", description = "default ${DEFAULT-VALUE}")
  int subscribers;
  @Option(names = "--balance", defaultValue = "10000000", description = "points each (default ${DEFAULT-VALUE})")
  long balancePoints;
  @Option(names = "--number", defaultValue = "+15550100001", description = "dialled E.164 number (default ${DEFAULT-VALUE})")
  String number;
  @Option(names = "--points-per-minute", defaultValue = "60", description = "tariff set for the number's prefix "
      + "(0: leave the gateway's tariffs alone; default ${DEFAULT-VALUE})")
  long pointsPerMinute;
  @Option(names = "--csv", required = true, paramLabel = "FILE", description = "the SIPp injection file to write")
  Path csv;

  @Override
  public Integer call() throws Exception {
    String password = System.getenv("MILEAGE_OPERATOR_PASSWORD");
    if (password == null || password.isEmpty()) throw new IllegalArgumentException("set MILEAGE_OPERATOR_PASSWORD");
    if (!"127.0.0.1".equals(gatewayHttp.getHost()) && !"localhost".equals(gatewayHttp.getHost())) {
      throw new IllegalArgumentException("only a gateway on loopback: " + gatewayHttp);
    }
    GatewayOperatorApi api = new GatewayOperatorApi(gatewayHttp, operatorUser, password);
    if (pointsPerMinute > 0) api.putCallRate(number.replace("+", ""), pointsPerMinute);
    List<Subscriber> subs = Provisioning.provision(api, subscribers, balancePoints, Provisioning.newRunTag());
    write(csv, subs, number);
    System.out.println(subs.size() + " subscribers with " + balancePoints + " points each: " + csv);
    return 0;
  }

  /** SIPp's injection format: {@code SEQUENTIAL}, then {@code user;[authentication username=U password=P];number}. */
  static void write(Path file, List<Subscriber> subscribers, String number) throws IOException {
    StringBuilder text = new StringBuilder("SEQUENTIAL\n");
    for (Subscriber s : subscribers) {
      text.append(s.username()).append(";[authentication username=").append(s.username()).append(" password=")
          .append(s.password()).append("];").append(number).append('\n');
    }
    Files.deleteIfExists(file);
    Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(file, text, StandardCharsets.US_ASCII);
  }
}
