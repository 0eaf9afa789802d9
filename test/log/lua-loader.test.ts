import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { loadLuaScript, readLuaScript } from '../../src/store/lua-loader';

const dir = mkdtempSync(join(tmpdir(), 'art50-lua-'));
const w = (name: string, src: string): string => {
  writeFileSync(join(dir, name), src);
  return join(dir, name);
};

describe('lua loader', () => {
  it('resolves includes once, takes numberOfKeys from the name, and runs on Redis', async () => {
    w('lib.lua', '-- lib snippet\nlocal function twice(x) return x * 2 end\n');
    w('lib2.lua', '-- lib2 snippet\n--@include lib.lua\nlocal function thrice(x) return x * 3 end\n');
    const file = w('calc-1.lua', '-- calc-1: KEYS[1] a key; ARGV[1] a number; Result: 6·ARGV[1] + #KEYS\n--@include lib.lua\n--@include lib2.lua\nreturn twice(thrice(tonumber(ARGV[1]))) + #KEYS\n');
    const s = readLuaScript(file, 'test');
    expect(s).toMatchObject({ name: 'test_calc', numberOfKeys: 1 });
    expect(s.lua.match(/local function twice/g)).toHaveLength(1);
    const redis = new Redis(process.env.REDIS_URL!);
    try {
      const calc = loadLuaScript(redis, file, 'test');
      expect(await calc(['{t}:k'], [7])).toBe(43);
      expect(() => calc([], [1])).toThrow(/takes 1 keys/);
    } finally {
      await redis.quit();
    }
  });

  it('rejects include cycles, missing headers and unsuffixed scripts', () => {
    w('a.lua', '-- a\n--@include b.lua\n');
    w('b.lua', '-- b\n--@include a.lua\n');
    expect(() => readLuaScript(w('cyc-0.lua', '-- KEYS none ARGV none Result nil\n--@include a.lua\n'))).toThrow(/cycle/);
    expect(() => readLuaScript(w('nohead-0.lua', 'return 1\n'))).toThrow(/comment/);
    expect(() => readLuaScript(w('nodoc-0.lua', '-- something\nreturn 1\n'))).toThrow(/KEYS/);
    expect(() => readLuaScript(w('plain.lua', '-- x\n'))).toThrow(/numberOfKeys/);
  });

  it('the log scripts load and document themselves', () => {
    for (const f of ['append-2.lua', 'integrate-2.lua', 'checkpoint-4.lua']) {
      expect(readLuaScript(join(__dirname, '..', '..', 'src', 'log', 'lua', f)).lua).toContain('KEYS[');
    }
  });
});
