import { normalizeZ, wNAF } from '@noble/curves/abstract/curve';
import type { WeierstrassPointCons } from '@noble/curves/abstract/weierstrass';
import type { GostCurve, GostPoint } from './curves';

type PointCons = WeierstrassPointCons<bigint>;

const walkers = new WeakMap<PointCons, wNAF<PointCons>>();

/**
 * The curve's wNAF walker. noble keeps window tables per point object in module-level maps, so
 * this walker finds the window-8 table noble builds for the generator, and the tables
 * key-points.ts asks for.
 */
export function walker(curve: GostCurve): wNAF<PointCons> {
  let w = walkers.get(curve.Point);
  if (!w) {
    w = new wNAF(curve.Point, curve.Point.Fn.BITS);
    walkers.set(curve.Point, w);
  }
  return w;
}

/**
 * z1·G + z2·Q for verification: public scalars, so the variable-time wNAF walk without the
 * dummy additions of noble's constant-time `multiply`; each point uses its table if it has one
 * (the generator always does), else double-and-add.
 */
export function doubleMulUnsafe(curve: GostCurve, z1: bigint, Q: GostPoint, z2: bigint): GostPoint {
  const w = walker(curve);
  const affine = (points: GostPoint[]): GostPoint[] => normalizeZ(curve.Point, points);
  return w.unsafe(Q, z2, affine, w.unsafe(curve.Point.BASE, z1, affine));
}
