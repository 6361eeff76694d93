package dev.mileage.gateway.http;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.validation.RequestParameter;
import io.vertx.openapi.validation.RequestValidator;
import io.vertx.openapi.validation.ValidatableRequest;
import io.vertx.openapi.validation.ValidatedRequest;
import io.vertx.openapi.validation.impl.RequestParameterImpl;
import io.vertx.openapi.validation.impl.ValidatableRequestImpl;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The gateway's own OpenAPI document, validated through the caching contract and through the library's
 * own: the same answers for valid and invalid requests, and validators made once per schema instead of
 * once per parameter and body of every request.
 */
class ValidatorCachingContractTest {
  static Vertx vertx;
  static OpenAPIContract contract;

  @BeforeAll
  static void load() throws Exception {
    vertx = Vertx.vertx();
    contract = OpenAPIContract.from(vertx, HttpApi.OPENAPI_RESOURCE).toCompletionStage().toCompletableFuture()
        .get(30, TimeUnit.SECONDS);
  }

  @AfterAll
  static void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  static ValidatableRequest account(String id) {
    return new ValidatableRequestImpl(Map.of(), Map.of(), Map.of("accountId", new RequestParameterImpl(id)), Map.of());
  }

  static ValidatableRequest transfers(Object body) {
    return new ValidatableRequestImpl(Map.of(), Map.of(), Map.of(), Map.of(),
        new RequestParameterImpl(io.vertx.core.buffer.Buffer.buffer(body.toString())), "application/json");
  }

  static JsonObject transfer(long amount) {
    return new JsonObject().put("id", "0190a6f2-8b7e-7c3a-9d1e-2f4b5c6d7e8f").put("debitAccountId", 1)
        .put("creditAccountId", 2).put("amount", amount).put("code", 1);
  }

  /** The outcome as text: the validated values, or the failure's message. */
  static String outcome(RequestValidator validator, ValidatableRequest request, String operationId) throws Exception {
    Future<ValidatedRequest> answer = validator.validate(request, operationId);
    try {
      ValidatedRequest ok = answer.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      RequestParameter body = ok.getBody();
      return "ok path=" + values(ok.getPathParameters()) + " body=" + (body == null ? null : body.get());
    } catch (java.util.concurrent.ExecutionException e) {
      return "failed: " + e.getCause().getMessage();
    }
  }

  static String values(Map<String, RequestParameter> parameters) {
    StringBuilder s = new StringBuilder();
    parameters.entrySet().stream().sorted(Map.Entry.comparingByKey())
        .forEach(e -> s.append(e.getKey()).append('=').append(e.getValue().get()).append(';'));
    return s.toString();
  }

  @Test
  void answersAsTheLibraryDoesAndMakesEachValidatorOnce() throws Exception {
    ValidatorCachingContract cached = new ValidatorCachingContract(contract);
    RequestValidator fast = RequestValidator.create(vertx, cached);
    RequestValidator plain = RequestValidator.create(vertx, contract);
    List<Object[]> cases = List.of(
        new Object[] {account("42"), "ledgerAccount"},
        new Object[] {account("0"), "ledgerAccount"},        // below the minimum
        new Object[] {account("forty-two"), "ledgerAccount"}, // not an integer
        new Object[] {transfers(new JsonObject().put("transfers", new JsonArray().add(transfer(5)))), "ledgerSubmit"},
        new Object[] {transfers(new JsonObject().put("transfers", new JsonArray())), "ledgerSubmit"}, // minItems
        new Object[] {transfers(new JsonObject().put("transfers", new JsonArray().add(transfer(5)))
            .put("extra", true)), "ledgerSubmit"});            // additionalProperties: false
    int[] afterFirstRound = new int[1];
    for (int round = 0; round < 3; round++) {
      for (Object[] c : cases) {
        ValidatableRequest request = (ValidatableRequest) c[0];
        String operationId = (String) c[1];
        assertEquals(outcome(plain, request, operationId), outcome(fast, request, operationId),
            operationId + " in round " + round);
      }
      if (round == 0) afterFirstRound[0] = cached.validatorsMade();
    }
    assertTrue(outcome(fast, account("0"), "ledgerAccount").startsWith("failed"), "an invalid id still fails");
    assertTrue(outcome(fast, account("42"), "ledgerAccount").startsWith("ok"), "a valid id still passes");
    assertTrue(afterFirstRound[0] > 0, "the first round made validators");
    // the library asks for a validator per parameter and body of every request: without the cache each
    // round would make as many again
    assertEquals(afterFirstRound[0], cached.validatorsMade(), "no validator made after the first round");
  }

  @Test
  void theSameSchemaGetsTheSameValidator() {
    ValidatorCachingContract cached = new ValidatorCachingContract(contract);
    var schema = contract.operation("ledgerAccount").getParameters().get(0).getSchema();
    assertNotNull(schema);
    assertSame(cached.getSchemaRepository().validator(schema), cached.getSchemaRepository().validator(schema));
    assertEquals(1, cached.validatorsMade());
  }
}
