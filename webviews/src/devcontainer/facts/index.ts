export { DcFacts } from './dc-facts';
