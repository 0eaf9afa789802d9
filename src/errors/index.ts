export { Art50Error, isArt50Error, guard } from './art50-error';
export { CATALOG, type ErrorCode, isErrorCode, statusOf, titleOf } from './catalog';
