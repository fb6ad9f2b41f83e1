export { DagRunHeader } from './dag-run-header';
