export { DagApp } from './dag-app';
