export { DagGraph, type NodeContextDetail, type NodeEventDetail, type NodeHoverDetail, type ViewportDetail } from './dag-graph';
