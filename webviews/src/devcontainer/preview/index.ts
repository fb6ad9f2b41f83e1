export { DcPreview } from './dc-preview';
