import type { Bundle } from './fhir-resources';

/** Stable codes of a failed FHIR read (the FHIR driver's error catalogue). */
export type FhirSourceErrorCode =
  | 'FHIR.UNREACHABLE' // no answer (refused, reset, timed out)
  | 'FHIR.HTTP_ERROR' // an answer other than 2xx
  | 'FHIR.NOT_FHIR' // a 2xx answer that is not the FHIR JSON asked for
  | 'FHIR.NO_SQL'; // SQL asked of a FHIR source

/**
 * A failed FHIR read. The message names the resource type, the HTTP status and the code, never the
 * URL or its query string: a search URL carries an NHS number or a name.
 */
export class FhirSourceError extends Error {
  constructor(
    readonly code: FhirSourceErrorCode,
    detail: string,
    /** The HTTP status, for `FHIR.HTTP_ERROR`. */
    readonly status?: number,
  ) {
    super(`${detail} [${code}]`);
    this.name = 'FhirSourceError';
  }
}

export interface FhirDriverOptions {
  /** Per request. */
  timeoutMs?: number;
  /** Pages of a search followed at most (the server's `next` links). */
  maxPages?: number;
  /** Sent as `Authorization` when set (a bearer token from the environment, never the file). */
  authorization?: string;
  fetch?: typeof fetch;
}

/**
 * The FHIR R4 source driver: HTTP GETs against a FHIR server's base URL with Node's fetch. It
 * never sends anything but GET, so it cannot write; there is no SQL to run. A `SourceDriver`
 * (source-driver.ts) by shape: that file registers it, so it is not imported here.
 */
export class FhirSourceDriver {
  readonly dialect = 'fhir';
  private readonly base: string;
  private readonly timeoutMs: number;
  private readonly maxPages: number;
  private readonly fetch: typeof fetch;

  constructor(
    baseUrl: string,
    private readonly options: FhirDriverOptions = {},
  ) {
    this.base = baseUrl.replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.maxPages = options.maxPages ?? 5;
    this.fetch = options.fetch ?? fetch;
  }

  /** GET `<base>/<path>?<params>` as FHIR JSON. */
  async get<T>(path: string, params: Record<string, string> = {}, what = path): Promise<T> {
    const query = new URLSearchParams(params).toString();
    return this.getUrl<T>(`${this.base}/${path}${query ? `?${query}` : ''}`, what);
  }

  private async getUrl<T>(url: string, what: string): Promise<T> {
    let res: Response;
    try {
      res = await this.fetch(url, {
        method: 'GET',
        headers: {
          Accept: 'application/fhir+json',
          ...(this.options.authorization ? { Authorization: this.options.authorization } : {}),
        },
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      const why =
        error instanceof Error && error.name === 'TimeoutError'
          ? `no answer within ${this.timeoutMs} ms`
          : 'connection failed';
      throw new FhirSourceError('FHIR.UNREACHABLE', `FHIR ${what}: ${why}`);
    }
    if (!res.ok) {
      await res.body?.cancel().catch(() => undefined);
      throw new FhirSourceError('FHIR.HTTP_ERROR', `FHIR ${what}: HTTP ${res.status}`, res.status);
    }
    try {
      return (await res.json()) as T;
    } catch {
      throw new FhirSourceError('FHIR.NOT_FHIR', `FHIR ${what}: the answer is not JSON`);
    }
  }

  /** A search's resources of the type asked, following `next` pages up to `maxPages`. */
  async search<T extends { resourceType: string }>(
    type: T['resourceType'],
    params: Record<string, string>,
  ): Promise<T[]> {
    const out: T[] = [];
    let page = await this.get<Bundle<T>>(type, params, `${type} search`);
    for (let n = 1; ; n++) {
      if (page?.resourceType !== 'Bundle')
        throw new FhirSourceError('FHIR.NOT_FHIR', `FHIR ${type} search: not a Bundle`);
      // A search may include other resources (`_include`, OperationOutcome): keep the type asked.
      for (const e of page.entry ?? []) if (e.resource?.resourceType === type) out.push(e.resource);
      const next = page.link?.find((l) => l.relation === 'next')?.url;
      if (!next || n >= this.maxPages) return out;
      page = await this.getUrl<Bundle<T>>(next, `${type} search`);
    }
  }

  named(): Promise<Record<string, unknown>[]> {
    return Promise.reject(new FhirSourceError('FHIR.NO_SQL', 'a FHIR source runs no SQL'));
  }

  query(): Promise<unknown> {
    return Promise.reject(new FhirSourceError('FHIR.NO_SQL', 'a FHIR source runs no SQL'));
  }

  /** Only GET is ever sent: nothing to report. */
  writePrivileges(): Promise<string[]> {
    return Promise.resolve([]);
  }

  /** The server's CapabilityStatement answers. */
  async ping(): Promise<void> {
    await this.get('metadata', {}, 'metadata');
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
