#!/usr/bin/env node
import { run } from './cli';

// `atelier … | head`: a closed pipe ends the output, not with a stack trace
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

/** Standard input to its end; a terminal is not read (the key is not typed where it would echo). */
async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) return '';
  let text = '';
  for await (const chunk of process.stdin) text += String(chunk);
  return text;
}

void run(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env, readStdin }).then((code) => {
  process.exitCode = code;
});
