package dev.mileage.gateway.certificates;

import dev.mileage.gateway.trading.PartnerSignature;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * The bank provider's deposit-return side, both ways, signed like its deposit notices: HMAC-SHA256 (hex) of the
 * JSON body under the shared secret, in {@link BankTransferRoutes#SIGNATURE_HEADER}. Out: a return instruction
 * ({@code POST <url>/v1/deposit-returns}), idempotent at the provider by its instruction id (our return id and
 * send round); the provider's answer is signed too. In: its settlement notice for an instruction. Each body names
 * its {@code type}, so a signed body of one kind is never taken for another (our instruction replayed at us as a
 * settlement). The secret is never logged or shown.
 */
final class BankProvider {
  static final String INSTRUCTION_PATH = "/v1/deposit-returns";
  static final String TYPE_INSTRUCTION = "deposit-return.instruction";
  static final String TYPE_ANSWER = "deposit-return.answer";
  static final String TYPE_SETTLED = "deposit-return.settled";
  static final String STATUS_PATH = "/v1/deposit-returns/status";
  static final String TYPE_STATUS_QUERY = "deposit-return.status-query";
  /** The provider's signed answer to a status query for an instruction that has no settlement (yet, or at all). */
  static final String TYPE_STATUS = "deposit-return.status";
  /** A provider answer is a few hundred bytes; a longer one is not read. */
  static final int ANSWER_BYTES_MAX = 4_096;
  static final int REFERENCE_LENGTH_MAX = DepositReturns.RETURN_REFERENCE_LENGTH_MAX;
  static final int REASON_LENGTH_MAX = 300;

  /** What we ask the provider to do: send {@code amountWon} back to {@code payerAccount}. */
  record Instruction(String instructionId, long returnId, long amountWon, String payerAccount, String depositId) {
    Instruction {
      Objects.requireNonNull(instructionId, "instructionId");
      if (amountWon <= 0) throw new IllegalArgumentException("a return is positive");
    }

    String json() {
      return new JsonObject().put("type", TYPE_INSTRUCTION).put("instructionId", instructionId).put("returnId", returnId)
          .put("amountWon", amountWon).put("payerAccount", payerAccount).put("depositId", depositId).encode();
    }
  }

  enum Answer { ACCEPTED, REFUSED, UNANSWERED }

  /** @param detail the provider's reason for a refusal; for UNANSWERED what went wrong (never the secret) */
  record Reply(Answer answer, String reference, String detail) { }

  /** A verified settlement notice: the instruction's money went back (COMPLETED) or the bank refused it. */
  record Settlement(String instructionId, long returnId, long amountWon, boolean completed, String reference, String reason) { }

  /**
   * Where the provider says an instruction stands, in precedence order: SETTLED (its signed settlement), PENDING (it
   * has the instruction, not yet settled), UNKNOWN (its signed word that it has no instruction with this id: never
   * taken, or lost), UNANSWERED (no answer we can trust: timeout, 5xx, unsigned, garbled, about another instruction).
   * Only the provider's signature makes an UNKNOWN: a proxy's or a wrong URL's 404 is UNANSWERED.
   */
  enum Standing { SETTLED, PENDING, UNKNOWN, UNANSWERED }

  /** @param settlement SETTLED only; @param detail for UNANSWERED what went wrong (never the secret) */
  record Status(Standing standing, Settlement settlement, String detail) {
    static Status of(Standing standing, String detail) {
      return new Status(standing, null, detail);
    }
  }

  private final String secret;
  private final Duration timeout;
  private final HttpClient http;
  private volatile String baseUrl;

  BankProvider(Vertx vertx, String baseUrl, String secret, Duration timeout) {
    this.baseUrl = Objects.requireNonNull(baseUrl, "baseUrl");
    this.secret = Objects.requireNonNull(secret, "secret");
    this.timeout = Objects.requireNonNull(timeout, "timeout");
    this.http = vertx.createHttpClient(new HttpClientOptions().setConnectTimeout((int) timeout.toMillis()).setKeepAlive(false));
  }

  String sign(String body) {
    return PartnerSignature.hmac(secret, body);
  }

  /** Sends one instruction; never fails: an unreachable, slow, erring or unsigned provider is UNANSWERED. */
  Future<Reply> send(Instruction instruction) {
    String body = instruction.json();
    Future<Reply> reply;
    try {
      RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(baseUrl + INSTRUCTION_PATH)
          .setConnectTimeout(timeout.toMillis()).setIdleTimeout(timeout.toMillis())
          .putHeader("Content-Type", "application/json").putHeader(BankTransferRoutes.SIGNATURE_HEADER, sign(body));
      reply = http.request(options).compose(req -> req.send(Buffer.buffer(body)).compose(resp -> resp.body()
          .map(b -> answer(instruction, resp.statusCode(), resp.getHeader(BankTransferRoutes.SIGNATURE_HEADER), b))));
    } catch (RuntimeException e) {
      reply = Future.failedFuture(e);
    }
    return reply.recover(e -> Future.succeededFuture(new Reply(Answer.UNANSWERED, null,
        "no answer: " + e.getClass().getSimpleName())));
  }

  /**
   * Where an instruction stands at the provider, asked with a signed query ({@link #TYPE_STATUS_QUERY}). The provider
   * answers signed: a settled instruction with its settlement (the notice's body, type {@link #TYPE_SETTLED}), any
   * other with {@code {type: deposit-return.status, instructionId, status: PENDING | UNKNOWN}} (HTTP 200, or 404 for
   * UNKNOWN). Never fails: anything else is UNANSWERED, asked again later.
   */
  Future<Status> status(String instructionId, long returnId) {
    String body = new JsonObject().put("type", TYPE_STATUS_QUERY).put("instructionId", instructionId).put("returnId", returnId).encode();
    Future<Status> status;
    try {
      RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(baseUrl + STATUS_PATH)
          .setConnectTimeout(timeout.toMillis()).setIdleTimeout(timeout.toMillis())
          .putHeader("Content-Type", "application/json").putHeader(BankTransferRoutes.SIGNATURE_HEADER, sign(body));
      status = http.request(options).compose(req -> req.send(Buffer.buffer(body)).compose(resp -> resp.body().map(b ->
          standing(instructionId, returnId, resp.statusCode(), resp.getHeader(BankTransferRoutes.SIGNATURE_HEADER), b))));
    } catch (RuntimeException e) {
      status = Future.failedFuture(e);
    }
    return status.recover(e -> Future.succeededFuture(Status.of(Standing.UNANSWERED, "no answer: " + e.getClass().getSimpleName())));
  }

  private Status standing(String instructionId, long returnId, int code, String signature, Buffer body) {
    if (code != 200 && code != 404) return Status.of(Standing.UNANSWERED, "HTTP " + code);
    if (body.length() > ANSWER_BYTES_MAX || signature == null || !PartnerSignature.same(sign(body.toString()), signature)) {
      return Status.of(Standing.UNANSWERED, "HTTP " + code + " without the provider's signature");
    }
    JsonObject j;
    try {
      j = new JsonObject(body.toString());
    } catch (DecodeException e) {
      return Status.of(Standing.UNANSWERED, "HTTP " + code + ": not JSON");
    }
    if (code == 200 && TYPE_SETTLED.equals(j.getValue("type"))) {
      return verify(body.toString(), signature).filter(s -> s.instructionId().equals(instructionId) && s.returnId() == returnId)
          .map(s -> new Status(Standing.SETTLED, s, ""))
          .orElse(Status.of(Standing.UNANSWERED, "HTTP 200: a settlement of another instruction, or one we do not understand"));
    }
    if (!TYPE_STATUS.equals(j.getValue("type")) || !instructionId.equals(j.getValue("instructionId"))) {
      return Status.of(Standing.UNANSWERED, "HTTP " + code + ": an answer to another question");
    }
    Object state = j.getValue("status");
    if ("UNKNOWN".equals(state)) return Status.of(Standing.UNKNOWN, "");
    if ("PENDING".equals(state) && code == 200) return Status.of(Standing.PENDING, "");
    return Status.of(Standing.UNANSWERED, "HTTP " + code + ": a status we do not understand");
  }

  private Reply answer(Instruction instruction, int status, String signature, Buffer body) {
    if (status >= 500 || status == 429) return new Reply(Answer.UNANSWERED, null, "HTTP " + status);
    if (body.length() > ANSWER_BYTES_MAX || signature == null || !PartnerSignature.same(sign(body.toString()), signature)) {
      return new Reply(Answer.UNANSWERED, null, "HTTP " + status + " without the provider's signature");
    }
    JsonObject j;
    try {
      j = new JsonObject(body.toString());
    } catch (DecodeException e) {
      return new Reply(Answer.UNANSWERED, null, "HTTP " + status + ": not JSON");
    }
    if (!TYPE_ANSWER.equals(j.getValue("type")) || !instruction.instructionId().equals(j.getValue("instructionId"))) {
      return new Reply(Answer.UNANSWERED, null, "HTTP " + status + ": an answer to another instruction");
    }
    Object state = j.getValue("status");
    if ("ACCEPTED".equals(state) && j.getValue("reference") instanceof String ref && validReference(ref)) {
      return new Reply(Answer.ACCEPTED, ref, "");
    }
    if ("REFUSED".equals(state)) {
      return new Reply(Answer.REFUSED, null, clip(j.getValue("reason") instanceof String r ? r : "refused without a reason"));
    }
    return new Reply(Answer.UNANSWERED, null, "HTTP " + status + ": an answer we do not understand");
  }

  /** The settlement a notice reports, if the provider signed it; empty for a forged, garbled or misdirected body. */
  Optional<Settlement> verify(String payload, String signature) {
    if (signature == null || !PartnerSignature.same(sign(payload), signature)) return Optional.empty();
    try {
      JsonObject j = new JsonObject(payload);
      if (!TYPE_SETTLED.equals(j.getValue("type")) || !(j.getValue("instructionId") instanceof String id)
          || !(j.getValue("returnId") instanceof Number returnId) || !(j.getValue("amountWon") instanceof Number amount)
          || amount.longValue() <= 0 || !(j.getValue("outcome") instanceof String outcome)) {
        return Optional.empty();
      }
      boolean completed = outcome.equals("COMPLETED");
      if (!completed && !outcome.equals("REFUSED")) return Optional.empty();
      Object ref = j.getValue("reference");
      if (completed && !(ref instanceof String r && validReference(r))) return Optional.empty();
      Object reason = j.getValue("reason");
      return Optional.of(new Settlement(id, returnId.longValue(), amount.longValue(), completed, completed ? (String) ref : null,
          clip(reason instanceof String s ? s : "refused by the bank")));
    } catch (DecodeException | ClassCastException e) {
      return Optional.empty();
    }
  }

  static boolean validReference(String ref) {
    return ref.matches("[A-Za-z0-9._:/-]{1," + REFERENCE_LENGTH_MAX + "}");
  }

  private static String clip(String s) {
    return s.length() > REASON_LENGTH_MAX ? s.substring(0, REASON_LENGTH_MAX) : s;
  }

  void baseUrl(String url) {
    this.baseUrl = Objects.requireNonNull(url, "url");
  }

  void close() {
    http.close();
  }
}
