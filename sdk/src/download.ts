import { unwrap, type DataOf, type Result } from './problem.ts';

/** A downloaded file: the body as asked for (`parseAs: 'blob'` or `'stream'`) and its name from Content-Disposition. */
export interface DownloadedFile<D> {
  data: D;
  /** The `filename*` (RFC 5987) or `filename` of Content-Disposition; undefined when the gateway named none. */
  fileName: string | undefined;
  contentType: string | undefined;
  response: Response;
}

/**
 * A file from a binary response of any operation; throws a `GatewayProblem` for an error:
 * `const file = asFile(await gw.GET('/api/v1/sessions/export', { params, parseAs: 'blob' }))`.
 */
export function asFile<R extends Result>(result: R): DownloadedFile<DataOf<R>> {
  const data = unwrap(result);
  const { headers } = result.response;
  return {
    data,
    fileName: fileNameOf(headers.get('Content-Disposition')),
    contentType: headers.get('Content-Type') ?? undefined,
    response: result.response,
  };
}

/** The file name of a Content-Disposition header (RFC 6266): `filename*=UTF-8''…` wins over `filename="…"`. */
export function fileNameOf(contentDisposition: string | null): string | undefined {
  if (!contentDisposition) return undefined;
  const extended = /filename\*\s*=\s*([^']*)'[^']*'([^;]+)/i.exec(contentDisposition);
  if (extended?.[2]) {
    try {
      return baseName(decodeURIComponent(extended[2].trim()));
    } catch {
      // A malformed percent-encoding: fall back to the plain parameter.
    }
  }
  const quoted = /filename\s*=\s*"((?:[^"\\]|\\.)*)"/i.exec(contentDisposition);
  if (quoted?.[1] !== undefined) return baseName(quoted[1].replace(/\\(.)/g, '$1'));
  const token = /filename\s*=\s*([^;\s]+)/i.exec(contentDisposition);
  return token?.[1] ? baseName(token[1]) : undefined;
}

/** Never a path: a name a client can save under without leaving its download folder. */
function baseName(name: string): string | undefined {
  const base = name.split(/[/\\]/).pop()?.trim();
  return base && base !== '.' && base !== '..' ? base : undefined;
}
