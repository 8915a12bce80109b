import { terms, type Vocabulary } from './term.ts';

/**
 * Shells and configuration-file parsers: what a container entrypoint or a config loader prints
 * when the file it was handed is wrong. Shell wording is bash's ("syntax error near unexpected
 * token", "unexpected EOF while looking for matching", "command not found", "unbound variable",
 * "bad substitution") and dash's, the /bin/sh of Debian-based images ("Syntax error: \"(\"
 * unexpected", "not found"); YAML errors are libyaml/PyYAML's and go-yaml's ("mapping values are not
 * allowed", "did not find expected key", "found character that cannot start any token"), JSON and
 * TOML errors those of Go's encoding/json and the TOML libraries; the runtime's own "exec format
 * error" and "executable file not found in $PATH" are runc's.
 */
export const SHELLS: Vocabulary = {
  family: 'shells and config-file parsers',
  terms: terms('config_error', [
    /\bsyntax error near unexpected token\b/i,
    /\bsyntax error: unexpected end of file\b/i,
    /\bunexpected EOF while looking for matching\b/,
    /\bSyntax error: ("[^"]{1,20}"|end of file|word) unexpected\b/,
    /^(\/bin\/)?(ba|z|da)?sh: (line )?\d+: \S+: (command )?not found\b/,
    /\b(\/bin\/)?(ba|z|da)?sh: \S+: command not found\b/,
    /\bcommand not found\b[^\n]{0,40}$/,
    /\b(ba)?sh: \S+: unbound variable\b|: unbound variable$/,
    /\bbad substitution\b/,
    /\bmapping values are not allowed\b/i,
    /\bdid not find expected (key|node content|'-' indicator)\b/i,
    /\bfound character that cannot start any token\b/i,
    /\bwhile (parsing|scanning) a (block mapping|block collection|flow mapping|simple key)\b/i,
    /\byaml: (line \d+: |unmarshal errors)/i,
    /\b(ScannerError|ParserError|YAMLException|TOMLDecodeError)\b/,
    /\bfield \S+ not found in type\b/,
    /\bjson: unknown field\b/,
    /\btoml: (line \d+|expected|incomplete)/i,
    /\bexec format error\b/i,
    /\bexecutable file not found in \$PATH\b/,
  ]),
};
