// The front door of web/: the page bundler (the pages themselves, web/pages/, run in the browser).
export { type BundleName, DEFAULT_WEB_DIR, ensureWebBuild, type WebManifest } from './build.ts';
