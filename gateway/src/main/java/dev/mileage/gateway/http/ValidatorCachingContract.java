package dev.mileage.gateway.http;

import io.vertx.core.file.FileSystem;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.Draft;
import io.vertx.json.schema.JsonSchema;
import io.vertx.json.schema.JsonSchemaOptions;
import io.vertx.json.schema.SchemaException;
import io.vertx.json.schema.SchemaRepository;
import io.vertx.json.schema.Validator;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.OpenAPIVersion;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.contract.Path;
import io.vertx.openapi.contract.SecurityRequirement;
import io.vertx.openapi.contract.SecurityScheme;
import io.vertx.openapi.contract.Server;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The OpenAPI contract with one schema validator per schema, made once and reused.
 *
 * <p>vertx-openapi asks the contract's schema repository for a new validator for every parameter and body of
 * every request, and the repository copies its whole lookup table (every sub-schema of the document, by
 * pointer) into each one: hundreds of kilobytes of garbage and a few thousand map insertions per request,
 * for a validator that holds only final fields and keeps no state between validations. The contract is
 * loaded once and never changes, so a validator made for a schema stays right for it: this wrapper keeps
 * them by schema identity (the contract hands out the same schema object for a parameter or body every
 * time). Everything else is the loaded contract's.
 */
final class ValidatorCachingContract implements OpenAPIContract {
  /** Schemas whose validators are kept, at most; the document has far fewer (past this: made per request). */
  static final int VALIDATORS_MAX = 4096;

  private final OpenAPIContract contract;
  private final CachingRepository repository;

  ValidatorCachingContract(OpenAPIContract contract) {
    this.contract = contract;
    this.repository = new CachingRepository(contract.getSchemaRepository());
  }

  /** Validators made so far (for tests). */
  int validatorsMade() {
    synchronized (repository.validators) {
      return repository.made;
    }
  }

  @Override
  public SchemaRepository getSchemaRepository() {
    return repository;
  }

  @Override
  public Operation operation(String operationId) {
    return contract.operation(operationId);
  }

  @Override
  public List<Operation> operations() {
    return contract.operations();
  }

  @Override
  public List<Path> getPaths() {
    return contract.getPaths();
  }

  @Override
  public JsonObject getRawContract() {
    return contract.getRawContract();
  }

  @Override
  public OpenAPIVersion getVersion() {
    return contract.getVersion();
  }

  @Override
  public List<Server> getServers() {
    return contract.getServers();
  }

  @Override
  public Path findPath(String urlPath) {
    return contract.findPath(urlPath);
  }

  @Override
  public Operation findOperation(String urlPath, HttpMethod method) {
    return contract.findOperation(urlPath, method);
  }

  @Override
  public List<SecurityRequirement> getSecurityRequirements() {
    return contract.getSecurityRequirements();
  }

  @Override
  public SecurityScheme securityScheme(String name) {
    return contract.securityScheme(name);
  }

  /** The contract's repository; only {@link #validator(JsonSchema)}, the one the request validator calls, is kept. */
  private static final class CachingRepository implements SchemaRepository {
    private final SchemaRepository repository;
    private final Map<JsonSchema, Validator> validators = Collections.synchronizedMap(new IdentityHashMap<>());
    private int made; // guarded by validators

    CachingRepository(SchemaRepository repository) {
      this.repository = repository;
    }

    @Override
    public Validator validator(JsonSchema schema) {
      Validator known = validators.get(schema);
      if (known != null) return known;
      Validator fresh = repository.validator(schema);
      synchronized (validators) {
        made++;
        if (validators.size() < VALIDATORS_MAX) validators.putIfAbsent(schema, fresh);
      }
      return fresh;
    }

    @Override
    public SchemaRepository dereference(JsonSchema schema) throws SchemaException {
      repository.dereference(schema);
      validators.clear(); // the lookup changed: validators made before would not see it
      return this;
    }

    @Override
    public SchemaRepository dereference(String uri, JsonSchema schema) throws SchemaException {
      repository.dereference(uri, schema);
      validators.clear(); // the lookup changed: validators made before would not see it
      return this;
    }

    @Override
    public SchemaRepository preloadMetaSchema(FileSystem fs) {
      repository.preloadMetaSchema(fs);
      validators.clear(); // the lookup changed: validators made before would not see it
      return this;
    }

    @Override
    public SchemaRepository preloadMetaSchema(FileSystem fs, Draft draft) {
      repository.preloadMetaSchema(fs, draft);
      validators.clear(); // the lookup changed: validators made before would not see it
      return this;
    }

    @Override
    public Validator validator(String ref) {
      return repository.validator(ref);
    }

    @Override
    public Validator validator(String ref, JsonSchemaOptions options) {
      return repository.validator(ref, options);
    }

    @Override
    public Validator validator(JsonSchema schema, JsonSchemaOptions options) {
      return repository.validator(schema, options);
    }

    @Override
    public Validator validator(JsonSchema schema, JsonSchemaOptions options, boolean dereference) {
      return repository.validator(schema, options, dereference);
    }

    @Override
    public JsonObject resolve(JsonObject schema) {
      return repository.resolve(schema);
    }

    @Override
    public JsonSchema find(String pointer) {
      return repository.find(pointer);
    }
  }
}
