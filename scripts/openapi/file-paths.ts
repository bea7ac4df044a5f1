/**
 * File endpoints the SDKs call that the per-object swagger files do not describe: the file
 * service (multipart uploads into a controller directory, reading a file or a directory back by
 * its `controller://` URI, deleting a file), the file-object upload and the update of a WAF
 * application-signature provider from an uploaded rule set. Their shapes are the requests the
 * Go and Python SDKs, Terraform and Ansible send; what is answered is inferred where no client
 * reads it (see docs/architecture.md, "Facts inferred").
 */
type Json = Record<string, any>;

const unauthorized = { 401: { description: 'Not logged in', content: { 'application/json': { schema: { $ref: '#/components/schemas/AviError' } } } } };

function op(operationId: string, extra: Json = {}): Json {
  return { operationId, 'x-avisim-source': 'sdk', responses: { 200: { description: 'OK' }, ...unauthorized }, ...extra };
}

/** A multipart form with one or more file parts and the given text fields. */
function multipart(fields: Json): Json {
  return {
    required: true,
    content: {
      'multipart/form-data': {
        schema: {
          type: 'object',
          required: ['file'],
          properties: { file: { type: 'string', contentMediaType: 'application/octet-stream' }, ...fields },
        },
      },
    },
  };
}

const uriQuery = { name: 'uri', in: 'query', required: true, schema: { type: 'string' }, description: '`controller://<directory>[/<file>]`' };

const created = (schema: Json) => ({ 201: { description: 'Created', content: { 'application/json': { schema } } }, ...unauthorized });

/** The directories an upload may name, each with its own upload path. */
export const UPLOAD_DIRECTORIES = ['uploads', 'hsmpackages', 'ipamdnsscripts'] as const;

export function filePaths(): Json {
  const paths: Json = {
    '/api/fileservice': {
      get: op('fileservice.get', {
        parameters: [uriQuery],
        responses: {
          200: {
            description: 'A file (its bytes) or a directory (its files)',
            content: {
              'application/octet-stream': { schema: { type: 'string' } },
              'application/json': {
                schema: {
                  type: 'object',
                  properties: {
                    count: { type: 'integer' },
                    results: {
                      type: 'array',
                      items: {
                        type: 'object',
                        properties: { url: { type: 'string' }, size: { type: 'integer' }, modified: { type: 'string' } },
                      },
                    },
                  },
                },
              },
            },
          },
          ...unauthorized,
        },
      }),
      delete: op('fileservice.delete', { parameters: [uriQuery], responses: { 204: { description: 'Deleted' }, ...unauthorized } }),
    },
    '/api/fileobject/upload': {
      post: op('fileobject.upload', {
        requestBody: multipart({
          name: { type: 'string' },
          type: { type: 'string' },
          version: { type: 'string' },
          description: { type: 'string' },
          read_only: { type: 'string' },
          restrict_download: { type: 'string' },
          compressed: { type: 'string' },
          expires_at: { type: 'string' },
        }),
        responses: created({ $ref: '#/components/schemas/FileObject' }),
      }),
    },
    '/api/wafapplicationsignatureprovider/{uuid}/update': {
      parameters: [{ name: 'uuid', in: 'path', required: true, schema: { type: 'string' } }],
      post: op('wafapplicationsignatureprovider.update', {
        requestBody: multipart({}),
        responses: {
          200: {
            description: 'The provider with the new rule set',
            content: { 'application/json': { schema: { $ref: '#/components/schemas/WafApplicationSignatureProvider' } } },
          },
          ...unauthorized,
        },
      }),
    },
  };
  for (const dir of UPLOAD_DIRECTORIES) {
    paths[`/api/fileservice/${dir}`] = {
      post: op(`fileservice.${dir}`, {
        ...(dir === 'hsmpackages' ? { parameters: [{ name: 'hsmtype', in: 'query', required: false, schema: { type: 'string' } }] } : {}),
        requestBody: multipart({ uri: { type: 'string', description: `controller://${dir}` } }),
        responses: { 201: { description: 'Stored' }, ...unauthorized },
      }),
    };
  }
  return paths;
}
