import { asFile } from '../../sdk/src/index.ts';

/** Saves a binary answer of the API (CSV, XLSX, PDF) as a file: the SDK reads it as a Blob, a `blob:` link saves it. */
export async function saveDownload(result: Parameters<typeof asFile>[0], fallbackName: string): Promise<string> {
  const file = asFile(result);
  const data: unknown = file.data;
  const blob = data instanceof Blob ? data : new Blob([data as BlobPart]);
  const url = URL.createObjectURL(blob);
  const name = file.fileName ?? fallbackName;
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.hidden = true;
  document.body.appendChild(link);
  link.click();
  link.remove();
  // The browser has taken the file once the click's task is done; a minute leaves slow disks their time.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
  return name;
}
