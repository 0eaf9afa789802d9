import { Command, Option } from 'commander';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { PACKAGE_ROOT } from '../config';
import { UsageError } from '../client/cli';

/**
 * Where the options a person would otherwise repeat on every command come from, in order:
 * the command line, then ART50_* environment variables, then a profile file (--profile FILE,
 * $ART50_PROFILE, or ~/.config/art50/profile.yaml when it exists), then --demo (the public demo
 * trust world of keys.example/). Trust is never taken from the demo root silently: a command that
 * verifies anything and has no trust root configured stops with a usage error.
 */

/** Option attribute → environment variable. */
const ENV: Record<string, string> = {
  gateway: 'ART50_GATEWAY',
  ca: 'ART50_TRUST',
  trust: 'ART50_TRUST',
  crl: 'ART50_CRL',
  registry: 'ART50_REGISTRY',
  cert: 'ART50_CERT',
  key: 'ART50_KEY',
  p12: 'ART50_P12',
  signCert: 'ART50_SIGN_CERT',
  signKey: 'ART50_SIGN_KEY',
  signP12: 'ART50_SIGN_P12',
  passwordFile: 'ART50_KEY_PASSWORD_FILE',
};
/** Options that take several files (comma-separated in the environment, a list in the profile). */
const LISTS = new Set(['crl']);
const PATHS = new Set(['ca', 'trust', 'crl', 'registry', 'cert', 'key', 'p12', 'signCert', 'signKey', 'signP12', 'passwordFile']);

const DEMO: Record<string, string | string[]> = {
  ca: join(PACKAGE_ROOT, 'keys.example', 'ca', 'root.pem'),
  trust: join(PACKAGE_ROOT, 'keys.example', 'ca', 'root.pem'),
  crl: [join(PACKAGE_ROOT, 'keys.example', 'ca', 'crl.pem')],
  registry: join(PACKAGE_ROOT, 'keys.example', 'participants.json'),
};

const TRUST_HELP: Record<string, string> = {
  ca: '--ca FILE (or ART50_TRUST)',
  trust: '--trust FILE (or ART50_TRUST)',
  crl: '--crl FILE (or ART50_CRL)',
  registry: '--registry FILE (or ART50_REGISTRY)',
};

type Values = Record<string, unknown>;

function profilePath(explicit: string | undefined, env: NodeJS.ProcessEnv): string | undefined {
  const p = explicit ?? env.ART50_PROFILE;
  if (p) {
    if (!existsSync(p)) throw new UsageError(`profile ${p} does not exist`);
    return p;
  }
  const base = env.XDG_CONFIG_HOME ?? join(homedir(), '.config');
  const def = join(base, 'art50', 'profile.yaml');
  return existsSync(def) ? def : undefined;
}

export function readProfile(file: string): Values {
  let data: unknown;
  try {
    data = parseYaml(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new UsageError(`profile ${file} is not readable YAML or JSON: ${(e as Error).message}`);
  }
  if (data === null || data === undefined) return {};
  if (typeof data !== 'object' || Array.isArray(data)) throw new UsageError(`profile ${file} must be a mapping of option names to values`);
  const dir = dirname(file);
  const out: Values = {};
  for (const [k, v] of Object.entries(data as Values)) {
    const abs = (p: unknown): unknown => (typeof p === 'string' && PATHS.has(k) && !isAbsolute(p) ? resolve(dir, p) : p);
    out[k] = Array.isArray(v) ? v.map(abs) : LISTS.has(k) && typeof v === 'string' ? [abs(v)] : abs(v);
  }
  return out;
}

/** Adds --demo and --profile to the program and fills each command's options before it runs. */
export function installProfile(program: Command, env: NodeJS.ProcessEnv = process.env): void {
  program
    .addOption(new Option('--demo', 'use the public demo trust world of keys.example/ (root, CRL, registry) — never for real cases'))
    .addOption(new Option('--profile <file>', 'profile file (YAML or JSON) with default options; also $ART50_PROFILE or ~/.config/art50/profile.yaml'));
  program.hook('preAction', (root, command) => {
    const globals = root.opts<{ demo?: boolean; profile?: string }>();
    const names = command.options.map((o) => o.attributeName());
    if (!names.some((n) => n in ENV)) return; // pki init, serve, demo: configured otherwise
    const file = profilePath(globals.profile, env);
    const profile = file ? readProfile(file) : {};
    const demo = globals.demo === true || profile.demo === true;
    for (const name of names) {
      if (command.getOptionValue(name) !== undefined) continue;
      const fromEnv = ENV[name] ? env[ENV[name]!] : undefined;
      if (fromEnv !== undefined && fromEnv !== '') {
        command.setOptionValueWithSource(name, LISTS.has(name) ? fromEnv.split(',').map((s) => s.trim()).filter(Boolean) : fromEnv, 'env');
      } else if (profile[name] !== undefined) {
        command.setOptionValueWithSource(name, profile[name], 'config');
      } else if (demo && DEMO[name] !== undefined) {
        command.setOptionValueWithSource(name, DEMO[name], 'default');
      }
    }
    // One trust root serves both: the gateway's TLS certificate and the signers chain to it.
    if (names.includes('ca') && command.getOptionValue('ca') === undefined && command.getOptionValue('trust') !== undefined) {
      command.setOptionValueWithSource('ca', command.getOptionValue('trust'), 'default');
    }
    const missing = names.filter((n) => n in TRUST_HELP && command.getOptionValue(n) === undefined);
    if (missing.length > 0) {
      throw new UsageError(`no trust configured: give ${missing.map((n) => TRUST_HELP[n]).join(', ')}, a profile, or --demo to use the public demo keys of keys.example/ (never for real cases)`);
    }
  });
}
