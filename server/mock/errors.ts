/** Errors of the test-control plane: answered as `{"error": "..."}`, like the Avi API's own. */
export class MockError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** more fields of the answer beside `error` (e.g. the calls there are) */
    readonly extra?: Record<string, unknown>,
  ) {
    super(message);
  }
}
