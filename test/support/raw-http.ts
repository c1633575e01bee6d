import http from 'node:http';

/** What the server answered to a {@link rawRequest}. */
export interface RawReply {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  /** The body parsed as JSON, or `undefined` when it is not JSON. */
  json: unknown;
}

/** Options of {@link rawRequest}. */
export interface RawRequestOptions {
  headers?: Record<string, string>;
  /** Sent as is: malformed JSON, any size. */
  body?: string | Buffer;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });

/**
 * Sends one request with the path exactly as given: unlike `fetch`, no dot-segment or
 * percent-encoding normalization, so `/tiers/..` reaches the server as written.
 * Resolves with the answer, even when the server closes the connection right after it (as Node
 * does after a 431); rejects only when no answer came.
 */
export function rawRequest(
  baseUrl: string,
  method: string,
  path: string,
  { headers = {}, body }: RawRequestOptions = {},
): Promise<RawReply> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const request = http.request({ agent, hostname, port, method, path, headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', reject);
      response.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({
          status: response.statusCode ?? 0,
          headers: response.headers,
          text,
          json: parse(text),
        });
      });
    });
    request.on('error', reject);
    request.end(body);
  });
}

/** Closes the idle keep-alive connections; for `afterAll`. */
export function closeRawConnections(): void {
  agent.destroy();
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
