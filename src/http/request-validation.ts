import type { Request, RequestHandler } from 'express';
import { RequestValidator } from 'express-openapi-validator/dist/middlewares/openapi.request.validator.js';
import { SchemaPreprocessor } from 'express-openapi-validator/dist/middlewares/parsers/schema.preprocessor.js';
import { OpenApiValidator } from 'express-openapi-validator/dist/openapi.validator.js';
import type { OpenApiDocument, SpecOperation } from './router.ts';

/** What express-openapi-validator keeps on a request: the matched operation and, with response validation, its response schema. */
interface OpenApiMetadata {
  expressRoute: string;
  openApiRoute: string;
  pathParams: Request['params'];
  schema: unknown;
  serial?: number;
  _responseSchema?: unknown;
}
export type OpenApiRequest = Request & { openapi?: OpenApiMetadata };

/**
 * Request validation by express-openapi-validator for the operation the dispatcher has already found.
 *
 * The package's public middleware finds the operation again on every request (a scan over every path's
 * regular expression) behind five promise-deferred steps; that was about a fifth of the gateway's CPU per
 * request (`node --import tsx bench/http.ts --profile`), while its RequestValidator itself takes ~1 µs. So
 * the same RequestValidator is built here, with the options the public middleware derives, over the same
 * preprocessed document, and is handed the operation's metadata directly. These are internal modules of the
 * package: its version is pinned exactly in package.json, and the API tests' 400s break if they change.
 */
export function createRequestValidation(document: OpenApiDocument): (operation: SpecOperation) => RequestHandler {
  const apiDoc = structuredClone(document) as OpenApiDocument & ConstructorParameters<typeof RequestValidator>[0];
  const { ajvOpts } = new OpenApiValidator({
    apiSpec: apiDoc,
    validateRequests: { allowUnknownQueryParameters: false },
    validateResponses: false,
    validateSecurity: false,
  });
  // No response options: only the request side of the document is prepared, as the middleware does without response validation.
  new SchemaPreprocessor(apiDoc, ajvOpts.preprocessor, undefined as never).preProcess();
  const validator = new RequestValidator(apiDoc, ajvOpts.request);

  return (operation) => {
    const schema = apiDoc.paths[operation.path]?.[operation.method];
    if (!schema) throw new Error(`openapi.yaml has no ${operation.method.toUpperCase()} ${operation.path}`);
    return (req, res, next) => {
      const request = req as OpenApiRequest;
      const metadata: OpenApiMetadata = { expressRoute: operation.expressPath, openApiRoute: operation.path, pathParams: req.params, schema };
      // With response validation on, the package's own middleware has matched the request already: keep
      // what it needs to find the response schema when the handler answers.
      if (request.openapi) Object.assign(metadata, { serial: request.openapi.serial, _responseSchema: request.openapi._responseSchema });
      request.openapi = metadata;
      return validator.validate(request as never, res, next);
    };
  };
}
