/**
 * Endpoints real clients call that the per-object swagger files do not describe (the login
 * flow, the system and cluster endpoints, user tokens and the own account, the IPAM domain list, license usage). Their shapes come
 * from what clients depend on, not from the swagger.
 * `x-avisim-public: true` marks the ones a controller answers without a session.
 */
type Json = Record<string, any>;

const ok = { 200: { description: 'OK', content: { 'application/json': { schema: { type: 'object' } } } } };
const unauthorized = { 401: { description: 'Not logged in', content: { 'application/json': { schema: { $ref: '#/components/schemas/AviError' } } } } };

function op(operationId: string, extra: Json = {}): Json {
  return { operationId, 'x-avisim-source': 'contract', responses: { ...ok, ...unauthorized }, ...extra };
}

const credentials = {
  type: 'object',
  required: ['username'],
  properties: { username: { type: 'string' }, password: { type: 'string' }, token: { type: 'string' } },
};

/** The macro API's body, for creating and for deleting: an Avi model and the object, children inline. */
const macroBody = {
  required: true,
  content: {
    'application/json': {
      schema: {
        type: 'object',
        required: ['model_name', 'data'],
        properties: {
          model_name: { type: 'string', description: 'Avi model of the top object, e.g. VirtualService (case-insensitive)' },
          data: {
            type: 'object',
            description: 'the object; every `<x>_ref_data` (`<x>_refs_data`: a list) holds a child created before it and referred to by `<x>_ref`',
          },
        },
      },
    },
  },
};

export function systemPaths(): Json {
  return {
    '/login': {
      post: op('session.login', {
        'x-avisim-public': true,
        requestBody: {
          required: true,
          content: {
            'application/json': { schema: credentials },
            'application/x-www-form-urlencoded': { schema: credentials },
          },
        },
      }),
    },
    '/logout': { post: op('session.logout') },
    '/api/initial-data': { get: op('system.initialData', { 'x-avisim-public': true }) },
    '/api/cluster/runtime': { get: op('cluster.runtime') },
    '/api/cluster/status': { get: op('cluster.status', { 'x-avisim-public': true }) },
    '/api/cluster/version': { get: op('cluster.version') },
    '/api/user-token': {
      get: op('userToken.list'),
      post: op('userToken.create', {
        requestBody: {
          required: false,
          content: { 'application/json': { schema: { type: 'object', properties: { hours: { type: ['string', 'integer'] } } } } },
        },
      }),
      delete: op('userToken.delete', {
        parameters: [
          { name: 'token', in: 'query', required: false, schema: { type: 'string' } },
          { name: 'uuid', in: 'query', required: false, schema: { type: 'string' } },
        ],
      }),
    },
    '/api/user-token/{uuid}': {
      parameters: [{ name: 'uuid', in: 'path', required: true, schema: { type: 'string' } }],
      delete: op('userToken.deleteOne'),
    },
    // The logged-in user's own account: its name and email and, with the old one, its password.
    '/api/useraccount': {
      get: op('useraccount.get'),
      put: op('useraccount.update', {
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                type: 'object',
                properties: {
                  old_password: { type: 'string' },
                  password: { type: 'string' },
                  full_name: { type: 'string' },
                  email: { type: 'string' },
                },
              },
            },
          },
        },
      }),
    },
    '/api/macro': {
      post: op('macro.create', {
        requestBody: macroBody,
        responses: {
          200: {
            description: 'The created objects, children first, each as a POST answers it',
            content: { 'application/json': { schema: { type: 'array', items: { type: 'object' } } } },
          },
          ...unauthorized,
        },
      }),
      delete: op('macro.delete', {
        requestBody: macroBody,
        responses: { 204: { description: 'Deleted' }, ...unauthorized },
      }),
    },
    // What the controller reports of its licenses: the cores licensed and consumed per tier and
    // tenant (the Go SDK's LicenseUsageInfo, read by the Python SDK's usage-meter tests), and the
    // controller license itself.
    '/api/licenseusage': {
      get: op('licenseusage.get', {
        parameters: ['start', 'stop', 'limit', 'step', 'filter_pertenant'].map((name) => ({
          name,
          in: 'query',
          required: false,
          schema: { type: name === 'limit' || name === 'step' ? 'integer' : name === 'filter_pertenant' ? 'boolean' : 'string' },
        })),
      }),
    },
    '/api/licensing': { get: op('licensing.get') },
    '/api/ipamdnsproviderprofiledomainlist': {
      get: op('ipamdnsproviderprofile.domainList', {
        parameters: [{ name: 'cloud_uuid', in: 'query', required: false, schema: { type: 'string' } }],
      }),
    },
  };
}
