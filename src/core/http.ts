/**
 * HTTP vocabulary shared by the pipeline and the providers: the injectable `fetch` and the header map
 * a provider's request builder edits.
 */

/** The `fetch` signature the gateway uses (injectable). */
export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

/** The headers an outgoing request's builders may read and change (`Headers` has the same methods). */
export interface HeaderMap {
  get(name: string): string | null;
  has(name: string): boolean;
  set(name: string, value: string): void;
  delete(name: string): void;
}
