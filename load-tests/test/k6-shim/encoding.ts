// k6/encoding for the shim.
type Encoding = 'std' | 'rawstd' | 'url' | 'rawurl';

const nodeEncoding = (encoding: Encoding = 'std') =>
  encoding === 'url' || encoding === 'rawurl' ? 'base64url' : 'base64';

export function b64decode(input: string, encoding?: Encoding, format?: 's'): string | ArrayBuffer {
  const bytes = Buffer.from(input, nodeEncoding(encoding));
  if (format === 's') return bytes.toString('utf8');
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length);
}

export function b64encode(input: string | ArrayBuffer, encoding?: Encoding): string {
  const bytes = typeof input === 'string' ? Buffer.from(input) : Buffer.from(input);
  const text = bytes.toString(nodeEncoding(encoding));
  return encoding === 'std' || encoding === 'url' || encoding === undefined
    ? text.padEnd(Math.ceil(text.length / 4) * 4, '=')
    : text.replace(/=+$/, '');
}

export default { b64decode, b64encode };
