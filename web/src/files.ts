// Files in and out of the browser: a download made from text, a token file read for the API.

export function downloadText(filename: string, text: string, type = 'application/x-pem-file'): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/**
 * A token file as the API takes it: its text when it is text (Apple's S/MIME .p7m, a .json), else
 * base64 of its bytes (a binary DER envelope).
 */
export async function readTokenFile(file: File): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  const isText = bytes.every((b) => b === 9 || b === 10 || b === 13 || (b >= 32 && b < 127));
  if (isText) return new TextDecoder().decode(bytes);
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}
