import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const README = join(__dirname, '../../../README.md');

/**
 * The shell blocks (```sh) of one section of the README, in order: the section is everything
 * from the `## <heading>` line to the next `## ` heading.
 */
export function shellBlocks(heading: string, markdown = readFileSync(README, 'utf8')): string[] {
  const lines = markdown.split('\n');
  const start = lines.indexOf(`## ${heading}`);
  if (start < 0) throw new Error(`README.md has no section "## ${heading}"`);
  const end = lines.findIndex((line, i) => i > start && line.startsWith('## '));
  const section = lines.slice(start + 1, end < 0 ? undefined : end).join('\n');
  return [...section.matchAll(/^```sh\n([\s\S]*?)^```$/gm)].map((match) => match[1]!);
}

/** The text in backticks of the first line of `markdown` that starts with `prefix`. */
export function codeSpansOfLine(prefix: string, markdown = readFileSync(README, 'utf8')): string[] {
  const line = markdown.split('\n').find((candidate) => candidate.startsWith(prefix));
  if (!line) throw new Error(`README.md has no line starting with "${prefix}"`);
  return [...line.matchAll(/`([^`]+)`/g)].map((match) => match[1]!);
}
