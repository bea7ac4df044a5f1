/**
 * Every error text the simulator answers with, in one place. Clients substring-match these
 * (AKO, the SDKs), so the wording follows the controller's, not ours.
 */
export class AviError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly extra: Record<string, unknown> = {},
    /** answered as text/plain rather than `{"error": ...}` (the CSRF failure is) */
    readonly plain = false,
  ) {
    super(message);
  }

  body(): Record<string, unknown> {
    return { error: this.message, ...this.extra };
  }
}

export const errors = {
  objectNotFound: (model: string) => new AviError(404, `${model} object not found!`),
  refNotFound: (model: string) => new AviError(400, `${model} object not found!`),
  duplicateName: (model: string, scopedByCloud: boolean, tenantScoped: boolean) =>
    new AviError(
      409,
      scopedByCloud
        ? `${model} with this Name, Tenant ref and Cloud ref already exists.`
        : tenantScoped
          ? `${model} with this Name and Tenant ref already exists.`
          : `${model} with this Name already exists.`,
    ),
  duplicateUuid: (model: string, uuid: string) =>
    new AviError(409, `${model} with this Uuid already exists.`, { obj_name: uuid }),
  referredBy: (referrers: string[]) =>
    new AviError(403, `Cannot delete, object is referred by: [${referrers.map((r) => `'${r}'`).join(', ')}]`),
  systemDefault: () => new AviError(403, 'Cannot delete system default object'),
  concurrentUpdate: (model: string) =>
    new AviError(412, `Concurrent Update Error: Need to reload object data ${model}`),
  invalid: (message: string) => new AviError(400, message),
  badJson: (detail: string) => new AviError(400, `JSON parse error - ${detail}`),
  tenantNotFound: (name: string) => new AviError(403, `Tenant '${name}' does not exist!`),
  fieldTooNew: (requested: string, field: string, introduced: string) =>
    new AviError(400, `Incoming request (v${requested}) has field (${field}) introduced in later versions(v${introduced}).`),
  invalidCredentials: () => new AviError(401, 'Invalid credentials'),
  notAuthenticated: () => new AviError(401, 'Authentication credentials were not provided.'),
  csrf: () => new AviError(401, 'CSRF token missing or incorrect.', {}, true),
  notImplemented: (method: string, path: string) =>
    new AviError(501, `not implemented by the fake: ${method} ${path}`),
  methodNotAllowed: (method: string) => new AviError(405, `Method "${method}" not allowed.`),
};
