/**
 * NSX-T error bodies: `{httpStatus, error_code, module_name, error_message}` with
 * an integer `error_code` (a string one breaks the Go SDK's error decoding). Thrown by the model
 * functions (server/nsxt/routes.ts) and rendered by the HTTP layer (server/nsxt/http.ts).
 */
const STATUS_NAMES: Record<number, string> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  409: 'CONFLICT',
  412: 'PRECONDITION_FAILED',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  500: 'INTERNAL_SERVER_ERROR',
};

export interface NsxErrorBody {
  httpStatus?: string;
  error_code: number;
  module_name: string;
  error_message: string;
  details?: string;
}

export class NsxError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
    readonly moduleName = 'common-services',
    /** the body exactly (bad credentials has no httpStatus) */
    readonly bodyOverride?: NsxErrorBody,
  ) {
    super(message);
  }

  body(): NsxErrorBody {
    if (this.bodyOverride) return this.bodyOverride;
    return {
      httpStatus: STATUS_NAMES[this.status] ?? String(this.status),
      error_code: this.code,
      module_name: this.moduleName,
      error_message: this.message,
    };
  }
}

export const nsxErrors = {
  /** a missing policy object, its path in the message */
  notFound: (path: string) =>
    new NsxError(404, 600, `The requested object : ${path} could not be found. Object identifiers are case sensitive.`),
  /** field validation (CIDR, next hop, admin distance, tags) */
  field: (what: string) => {
    const message = `Field level validation errors: {${what}}`;
    return new NsxError(400, 255, message, 'common-services', {
      httpStatus: 'BAD_REQUEST',
      error_code: 255,
      module_name: 'common-services',
      error_message: message,
      details: message,
    });
  },
  /** unknown property */
  unknownProperty: (name: string) => new NsxError(400, 287, `Json de-serialization error: property ${name} is unrecognized.`),
  /** malformed JSON body [inferred: same code as an unknown property] */
  badJson: (detail: string) => new NsxError(400, 287, `Json de-serialization error: ${detail}.`),
  /** a policy path that does not name what it should */
  badPath: (path: string) => new NsxError(400, 500012, `The path=[${path}] is invalid`, 'Policy'),
  /** PUT on an existing object without `_revision` [text inferred] */
  alreadyExists: (path: string) =>
    new NsxError(400, 500127, `Cannot create an object with path=[${path}] as it already exists.`, 'Policy'),
  /** PUT with a stale `_revision` [code inferred; text as NSX clients' fixtures quote it] */
  stale: (_path: string) => new NsxError(412, 604, 'The object was modified by somebody else.'),
  /**
   * deleting a Tier-1 that still has routes. Code 500030 and the `path=[...]` form as public
   * NSX client code matches them (vmware-nsxlib, vCloud task logs) [children list format inferred].
   */
  hasChildren: (path: string, children: string[]) =>
    new NsxError(
      400,
      500030,
      `The object path=[${path}] cannot be deleted as either it has children or it is being referenced by other objects path=[${children.join(',')}]`,
      'Policy',
    ),
  /** bad or missing credentials (body verbatim, no httpStatus) */
  badCredentials: () =>
    new NsxError(403, 403, 'The credentials were incorrect or the account specified has been locked.', 'common-services', {
      module_name: 'common-services',
      error_message: 'The credentials were incorrect or the account specified has been locked.',
      error_code: 403,
    }),
  /** a session write without its XSRF token, or with another session's [text inferred] */
  badXsrf: () => new NsxError(403, 98, 'Bad XSRF token', 'common-services'),
  /** an unsupported method on a known path [code and text inferred] */
  methodNotAllowed: (method: string, path: string) =>
    new NsxError(405, 230, `Method ${method} is not supported for ${path}.`),
  /** a path under the NSX prefixes the stub does not serve [code and text inferred] */
  unknownPath: (path: string) => new NsxError(404, 600, `The requested object : ${path} could not be found. Object identifiers are case sensitive.`),
};
