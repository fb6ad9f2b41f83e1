export { DcApp } from './dc-app';
