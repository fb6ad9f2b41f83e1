export { DcOptions } from './dc-options';
