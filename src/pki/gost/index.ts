export { streebog } from './streebog';
export type { GostBits } from './streebog';
