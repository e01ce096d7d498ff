/**
 * multipart/form-data bodies as a browser or curl sends them, built by Node's own FormData, for
 * route tests through app.inject.
 */
export type Part = string | { content: string | Uint8Array; fileName?: string; field?: boolean; type?: string };

export async function multipartBody(parts: [string, Part][]): Promise<{ payload: Buffer; headers: Record<string, string> }> {
  const form = new FormData();
  for (const [name, part] of parts) {
    const p = typeof part === 'string' ? { content: part } : part;
    if (p.field) form.append(name, typeof p.content === 'string' ? p.content : Buffer.from(p.content).toString('utf8'));
    else
      form.append(
        name,
        new Blob([typeof p.content === 'string' ? p.content : Buffer.from(p.content)], { type: p.type ?? 'text/csv' }),
        p.fileName ?? `${name}.csv`,
      );
  }
  const response = new Response(form);
  return { payload: Buffer.from(await response.arrayBuffer()), headers: { 'content-type': response.headers.get('content-type')! } };
}
