package dev.mileage.gateway.sip;

import java.util.Map;
import java.util.concurrent.TimeUnit;

/** For tests outside this package: the B2BUAs' browser-flow index (flow to the number of its calls). */
public final class FlowIndexProbe {
  private FlowIndexProbe() {
  }

  public static Map<String, Integer> of(SipService sip) throws Exception {
    return ((SipVerticle) sip).flowIndex().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }
}
