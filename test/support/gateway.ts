import { randomBytes } from 'node:crypto';
import request from 'supertest';
import type { Test } from 'supertest';
import { loadConfig, Config } from '../../src/config';
import { createGateway, Gateway } from '../../src/gateway';
import { createLogger } from '../../src/logger';
import { serverTarget } from '../../src/redis/target';
import { recordResponses } from './contract-recorder';
import { identity, plainRegistryFile, ROOT_PEM } from './identities';

export interface TestGateway {
  gw: Gateway;
  port: number;
  config: Config;
  /** A supertest agent authenticated as a keys.example identity ("police/investigator-1"), or anonymous. */
  as(who?: string): {
    get(path: string): Test;
    post(path: string, body?: Buffer | object, type?: string): Test;
  };
  stop(): Promise<void>;
}

export function testNamespace(): string {
  return `t${randomBytes(6).toString('hex')}`;
}

/**
 * A real gateway on a random port, against the suite's real redis-server, in its own namespace.
 * Its responses are validated against docs/openapi.yaml while the tests run. Its registry is
 * plainRegistryFile() (bodies that take plain statements) unless `env` names ART50_REGISTRY.
 */
export async function startTestGateway(env: Record<string, string> = {}, opts: { workers?: boolean; clock?: () => Date; logStream?: NodeJS.WritableStream } = {}): Promise<TestGateway> {
  const redisUrl = process.env.REDIS_URL;
  if (!redisUrl) throw new Error('REDIS_URL is not set: the jest global setup starts redis-server');
  // A test that names its own Redis (REDIS_URL, or Sentinels in `env`) gets it; else the suite's.
  const baseEnv: Record<string, string | undefined> = { ...process.env };
  if (env.ART50_REDIS_SENTINELS) delete baseEnv.REDIS_URL;
  const config = loadConfig({ ...baseEnv, ART50_PORT: '0', ART50_HOST: '127.0.0.1', ART50_NAMESPACE: testNamespace(), ART50_PUSH_BACKOFF_MS: '50', ART50_REGISTRY: plainRegistryFile(), ...env });
  // Silent unless a test reads the log lines (then every level from info).
  const logger = opts.logStream ? createLogger({ level: 'info', stream: opts.logStream }) : createLogger({ level: 'error', silent: true });
  const gw = createGateway({
    config, redis: config.redis.target ?? serverTarget(redisUrl), logger, workers: opts.workers ?? true,
    ...(opts.clock ? { clock: opts.clock } : {}),
  });
  // Every response of every test gateway is checked against docs/openapi.yaml (contract-setup.ts).
  recordResponses(gw.server);
  const port = await gw.start();
  const base = `https://127.0.0.1:${port}`;
  const ca = ROOT_PEM();
  const as = (who?: string) => {
    const withTls = (t: Test): Test => {
      t.ca(ca);
      if (who) {
        const id = identity(who);
        t.cert(id.certPem).key(id.keyPem);
      }
      return t;
    };
    return {
      get: (path: string) => withTls(request(base).get(path)),
      post: (path: string, body?: Buffer | object, type = 'application/pkcs7-mime') => {
        const t = withTls(request(base).post(path));
        if (body === undefined) return t;
        return Buffer.isBuffer(body) ? t.set('Content-Type', type).send(body) : t.send(body);
      },
    };
  };
  return { gw, port, config, as, stop: () => gw.stop() };
}
