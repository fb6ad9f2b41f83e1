/** Dev container generation: detection from file contents, planning, and rendering. Pure; no Node APIs. */
export * from './requirements';
export * from './python';
export * from './manifests';
export * from './frameworks';
export * from './host-gpu';
export * from './detect';
export * from './plan';
export * from './jsonc';
export * from './dockerfile';
export * from './generate';
export * from './diff';
export * from './wizard';
