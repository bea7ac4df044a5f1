/** Errors of the test-control plane: answered as `{"error": "..."}`, like the Avi API's own. */
export class MockError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}
