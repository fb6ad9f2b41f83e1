/** A language server lane: the worker thread that runs an Engine (see server.ts). */
import { runLane } from './engine/lane-worker';

runLane();
