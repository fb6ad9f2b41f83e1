export { DagToolbar, type ZoomAction } from './dag-toolbar';
