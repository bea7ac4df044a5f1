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
  /** [inferred] a chosen uuid no path could reach; `where` is `field 'uuid'` or `header 'Slug'` */
  badUuid: (where: string) =>
    new AviError(
      400,
      `Invalid data: ${where} must be 1 to 128 letters, digits, '-', '.', '_' or '~', starting with a letter or digit`,
    ),
  badJson: (detail: string) => new AviError(400, `JSON parse error - ${detail}`),
  /** [inferred: the API framework's wording, as for the JSON parse error] a body of a media type the API does not read */
  unsupportedMediaType: (contentType: string) => new AviError(415, `Unsupported media type "${contentType}" in request.`),
  multipart: (detail: string) => new AviError(400, `Multipart form parse error - ${detail}`),
  tenantNotFound: (name: string) => new AviError(403, `Tenant '${name}' does not exist!`),
  fieldTooNew: (requested: string, field: string, introduced: string) =>
    new AviError(400, `Incoming request (v${requested}) has field (${field}) introduced in later versions(v${introduced}).`),
  invalidCredentials: () => new AviError(401, 'Invalid credentials'),
  notAuthenticated: () => new AviError(401, 'Authentication credentials were not provided.'),
  csrf: () => new AviError(401, 'CSRF token missing or incorrect.', {}, true),
  /** [text inferred] a path of no known type or operation: 404, as a controller answers */
  unknownPath: (path: string) => new AviError(404, `Not found: ${path}`),
  notImplemented: (method: string, path: string) =>
    new AviError(501, `not implemented by the fake: ${method} ${path}`),
  methodNotAllowed: (method: string) => new AviError(405, `Method "${method}" not allowed.`),
  // Files and the file service [inferred texts]
  fileUri: (uri: string) => new AviError(400, `Invalid URI '${uri}': a file URI is controller://<directory>[/<file>]`),
  fileName: (name: string) => new AviError(400, `Invalid file name '${name}'`),
  noFileInUpload: () => new AviError(400, "Invalid data: field 'file' must hold the file's contents"),
  fileNotFound: (uri: string) => new AviError(404, `Specified URI does not exist: ${uri}`),
  downloadRestricted: (uri: string) => new AviError(403, `Download of ${uri} is restricted`),
  directoryDelete: (uri: string) => new AviError(400, `Cannot delete a directory: ${uri}`),
  fileStoreFull: (max: number) => new AviError(413, `Cannot store the file: the controller keeps at most ${max} bytes of files`),
  // Roles (a controller's 403 as AKO logs it; the resource reads as its model [inferred])
  notAuthorized: (user: string, action: 'read' | 'write', resource: string, tenant: string) =>
    new AviError(403, `User '${user}' is not authorized to ${action} on resource ${resource} in tenant ${tenant}`),
  roleOutsideAdmin: (role: string) =>
    new AviError(400, `Cannot use Role ${role} with access to Controller, Role, Tenant or User in non-admin tenant`),
  /** [inferred] PUT /api/useraccount with an old_password that is not the current one */
  wrongOldPassword: () => new AviError(400, 'Old password is incorrect'),
  /** [inferred] PUT /api/useraccount changing the password without giving the old one */
  oldPasswordRequired: () => new AviError(400, "Invalid data: field 'old_password' is required to change the password"),
  // The macro API (contract §12) [inferred texts]
  macroBody: () => new AviError(400, 'Invalid data: a macro body needs model_name and an object in data'),
  macroModel: (model: string) => new AviError(400, `Invalid data: unknown model_name '${model}'`),
  macroChild: (field: string) => new AviError(400, `Invalid data: field '${field}' must hold an object to create`),

  // VIP allocation (contract §9)
  noFreeIps: () => new AviError(400, 'No available free IPs'),
  vipIdChange: () => new AviError(400, "Changing an existing VIP's vip_id is not supported"),
  recreateVip: () => new AviError(400, 'If a new preferred IP is needed, please recreate the VIP'),
  /** [inferred] a static (or preferred) address another VsVip of the same VRF holds */
  vipInUse: (addr: string, holder: string) =>
    new AviError(400, `IP address ${addr} is already in use by VsVip ${holder} in the same VRF`),
  /** [inferred] auto_allocate_ip with neither ipam_network_subnet.network_ref nor a cloud IPAM network */
  noIpamNetwork: () =>
    new AviError(
      400,
      'Cannot allocate a VIP: no network given in ipam_network_subnet.network_ref and no usable network in the cloud\'s IPAM profile',
    ),
  // VRF static routes (contract §10) [inferred texts]
  duplicateRouteId: (routeId: string) =>
    new AviError(400, `Invalid data: route_id '${routeId}' is used by more than one static route`),
  badRouteAddress: (path: string, addr: unknown, family: string) =>
    new AviError(400, `Invalid data: field '${path}' value ${JSON.stringify(addr)} is not a valid ${family} address`),
  badRouteMask: (path: string, mask: unknown, max: number) =>
    new AviError(400, `Invalid data: field '${path}' value ${JSON.stringify(mask)} is outside the allowed range 0-${max}`),
  routeFamilyMismatch: (path: string) =>
    new AviError(400, `Invalid data: field '${path}' must be of the same address family as the route's prefix`),

  // Certificates [inferred texts]
  badCertificate: () => new AviError(400, 'Invalid data: field \'certificate.certificate\' is not a valid PEM certificate'),
  badPrivateKey: () =>
    new AviError(400, 'Invalid data: field \'key\' is not a valid private key (or key_passphrase does not decrypt it)'),
  keyMismatch: () => new AviError(400, 'Private key does not match the public key in the certificate'),
  certificateRequired: () =>
    new AviError(400, 'Invalid data: field \'certificate.certificate\' is required unless certificate.self_signed is true'),
  pkcs12Unsupported: () => new AviError(400, 'Invalid data: format SSL_PKCS12 is not supported here: give the certificate and key as PEM'),
  selfSignedNotHere: () =>
    new AviError(400, 'Invalid data: a self-signed certificate is generated by POST or PUT /api/sslkeyandcertificate (or a scenario) only: give certificate.certificate here'),
  selfSignedNeedsCommonName: () =>
    new AviError(400, 'Invalid data: field \'certificate.subject.common_name\' is required for a self-signed certificate'),
  badSubjectField: (path: string, max: number) =>
    new AviError(400, `Invalid data: field '${path}' must be text of at most ${max} printable characters`),
  badAltNames: () =>
    new AviError(400, 'Invalid data: field \'certificate.subject_alt_names\' must be a list of DNS names or IP addresses'),
  badExponent: (v: number) =>
    new AviError(400, `Invalid data: field 'key_params.rsa_params.exponent' value ${v} is not an odd number from 3 to 4294967295`),
  certificateGeneration: (detail: string) => new AviError(400, `Certificate generation failed: ${detail}`),
};
