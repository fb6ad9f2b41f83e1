export { DagCard, type Anchor } from './dag-card';
