import { describeTarget, serverTarget } from '../../src/redis/target';

/** The Redis a gateway logs at start-up ("connected to Redis"): where, never a password. */
describe('describeTarget', () => {
  it('names the server without the password of its URL', () => {
    const text = describeTarget(serverTarget('rediss://art50:s3cret-pw@redis.example:6380/2'));
    expect(text).toBe('rediss://art50@redis.example:6380/2');
    expect(describeTarget(serverTarget('redis://:s3cret-pw@127.0.0.1:6379'))).toBe('redis://127.0.0.1:6379');
    expect(describeTarget({ kind: 'server', url: 'redis://127.0.0.1:6379', password: 's3cret-pw' })).not.toContain('s3cret-pw');
  });

  it('names the Sentinels and the master group, never their password', () => {
    const text = describeTarget({ kind: 'sentinel', sentinels: [{ host: '10.0.0.1', port: 26379 }, { host: '::1', port: 26380 }], masterName: 'gw', sentinelPassword: 's3cret-pw', password: 'pw2', tls: {} });
    expect(text).toBe('sentinels 10.0.0.1:26379,::1:26380 master gw (TLS)');
  });
});
